import { MySqlError } from "../errors.ts";
import type { ColumnDefinition } from "../protocol/column-definition.ts";
import { hexLiteral, stringLiteral } from "../protocol/binary-params.ts";
import { ColumnType } from "../protocol/constants.ts";
import { SQL_NULL } from "../vindexes/sql-value.ts";
import type { BindValues, PlanDescription, Primitive, VCursor } from "./primitive.ts";
import type { QueryResult, Row } from "./query-result.ts";

/**
 * How the outer statement uses the subquery's rows: an IN list, one value, whether it has rows, or as
 * a table of literal rows (`> ALL (...)`, `< ANY (...)`).
 */
export type SubqueryUse = "values" | "scalar" | "exists" | "rows";

/** Stands in for a subquery with no rows: `x IN (...)` is false, `x NOT IN (...)` true, `EXISTS (...)` false. */
const NO_ROWS = "SELECT NULL FROM DUAL WHERE 0";

/**
 * Runs an uncorrelated subquery first and puts its answer into the outer statement as literals
 * (Vitess's PulloutSubquery): `IN (SELECT ...)` becomes `IN (1, 2, 3)`, a scalar subquery its value,
 * `EXISTS (SELECT ...)` a subquery that has rows or not. The outer plan finds the text at placeholder `slot`.
 */
export class PulloutSubquery implements Primitive {
  constructor(
    readonly outer: Primitive,
    readonly subquery: Primitive,
    readonly slot: number,
    readonly use: SubqueryUse,
  ) {}

  async execute(vcursor: VCursor, bind: BindValues): Promise<QueryResult> {
    const answer = await this.subquery.execute(vcursor, bind);
    const extended = bind.slice();
    extended[this.slot] = { source: this.render(answer), value: SQL_NULL };
    return this.outer.execute(vcursor, extended);
  }

  private render(answer: QueryResult): string {
    if (this.use === "exists") return answer.rows.length > 0 ? "SELECT 1" : NO_ROWS;
    if (answer.fields.length !== 1) throw new MySqlError(1241, "21000", "Operand should contain 1 column(s)");
    const field = answer.fields[0]!;
    if (this.use === "scalar") {
      if (answer.rows.length > 1) throw new MySqlError(1242, "21000", "Subquery returns more than 1 row");
      return answer.rows.length === 0 ? "NULL" : sqlLiteral(field, answer.rows[0]![0] ?? null);
    }
    if (answer.rows.length === 0) return NO_ROWS;
    const literals = answer.rows.map((row: Row) => sqlLiteral(field, row[0] ?? null));
    return this.use === "rows" ? literals.map((l) => `SELECT ${l}`).join(" UNION ALL ") : literals.join(", ");
  }

  describe(): PlanDescription {
    return {
      OperatorType: "UncorrelatedSubquery",
      Variant: { values: "PulloutIn", scalar: "PulloutValue", exists: "PulloutExists", rows: "PulloutRows" }[this.use],
      Slot: `:__sg${this.slot}`,
      Inputs: [this.subquery.describe(), this.outer.describe()],
    };
  }
}

const TEMPORAL: ReadonlySet<number> = new Set([ColumnType.DATE, ColumnType.DATETIME, ColumnType.TIMESTAMP, ColumnType.TIME]);
const NUMERIC: ReadonlySet<number> = new Set([
  ColumnType.TINY, ColumnType.SHORT, ColumnType.LONG, ColumnType.INT24, ColumnType.LONGLONG, ColumnType.DECIMAL,
  ColumnType.NEWDECIMAL, ColumnType.FLOAT, ColumnType.DOUBLE, ColumnType.YEAR,
]);

/** A value as SQL text that means the same to the server: numbers as they are, binary strings in hex, text quoted. */
export function sqlLiteral(field: ColumnDefinition, value: Uint8Array | null): string {
  if (value === null) return "NULL";
  if (NUMERIC.has(field.type)) return new TextDecoder().decode(value);
  const binary = field.characterSet === 63 && !TEMPORAL.has(field.type);
  return binary ? hexLiteral(value) : stringLiteral(value);
}
