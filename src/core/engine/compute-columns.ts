import { encodeUtf8 } from "../protocol/bytes.ts";
import type { ColumnDefinition } from "../protocol/column-definition.ts";
import { ColumnType } from "../protocol/constants.ts";
import { formatDecimal } from "./decimal-text.ts";
import { bindExpression, type Expr } from "./evaluate.ts";
import { formatDouble, formatDoubleFixed, NOT_FIXED, refuse, roundUnits, type NumType, type Value } from "./numeric-value.ts";
import type { BindValues, PlanDescription, Primitive, VCursor } from "./primitive.ts";
import type { QueryResult, Row } from "./query-result.ts";

/** A result column whose value the gateway computes: a select item over aggregates, or a helper for ORDER BY. */
export interface ComputedColumn {
  column: number;
  expr: Expr;
  /** The expression as the statement wrote it. */
  text: string;
}

/**
 * Overwrites columns with values computed from the merged row (Vitess's Projection after an Aggregate).
 * The shards computed the same expressions over their partial groups: their values are wrong, but their
 * column definitions (name, type, length, decimals) are the server's own, so only the values change,
 * printed as the server prints that type.
 */
export class ComputeColumns implements Primitive {
  constructor(
    readonly input: Primitive,
    readonly columns: readonly ComputedColumn[],
  ) {}

  async execute(vcursor: VCursor, bind: BindValues): Promise<QueryResult> {
    const result = await this.input.execute(vcursor, bind);
    const computed = this.columns.map((c) => {
      const bound = bindExpression(c.expr, result.fields, bind);
      const format = formatterFor(bound.type, result.fields[c.column]!, c.text);
      return { column: c.column, value: (row: Row) => format(bound.evaluate(row)) };
    });
    const rows = result.rows.map((row) => {
      const values = computed.map((c) => c.value(row));
      const out = row.slice();
      computed.forEach((c, i) => (out[c.column] = values[i]!));
      return out;
    });
    return { ...result, rows };
  }

  describe(): PlanDescription {
    return { OperatorType: "Projection", Columns: this.columns.map((c) => `${c.column}: ${c.text}`), Inputs: [this.input.describe()] };
  }
}

const INTEGER_TYPES: ReadonlySet<number> = new Set([ColumnType.TINY, ColumnType.SHORT, ColumnType.LONG, ColumnType.INT24, ColumnType.LONGLONG]);

/**
 * How values of static type `type` are printed in a column the server declared as `field`. A column
 * whose declared type the evaluation does not produce (the gateway's typing and the server's disagree)
 * is refused rather than printed some other way.
 */
export function formatterFor(type: NumType, field: ColumnDefinition, expression: string): (value: Value) => Uint8Array | null {
  const mismatch = () => refuse(`computing ${expression} at the gateway (its column's type is not the one the gateway computes)`);
  if (type.kind === "null" || field.type === ColumnType.NULL) return () => null;
  let print: (value: NonNullable<Value>) => string;
  if (INTEGER_TYPES.has(field.type)) {
    if (type.kind === "double" || (type.kind === "decimal" && type.decimals > 0)) throw mismatch();
    print = (v) => (v.kind === "int" ? v.value.toString() : v.kind === "decimal" ? roundUnits(v.units, v.frac, 0, false).toString() : "");
  } else if (field.type === ColumnType.NEWDECIMAL || field.type === ColumnType.DECIMAL) {
    if (type.kind === "double") throw mismatch();
    const scale = field.decimals;
    print = (v) =>
      v.kind === "int"
        ? formatDecimal({ units: v.value * 10n ** BigInt(scale), scale })
        : v.kind === "decimal"
          ? formatDecimal({ units: roundUnits(v.units, v.frac, scale, false), scale })
          : "";
  } else if (field.type === ColumnType.DOUBLE) {
    if (type.kind !== "double") throw mismatch();
    print = (v) => (v.kind !== "double" ? "" : field.decimals >= NOT_FIXED ? formatDouble(v.value) : formatDoubleFixed(v.value, field.decimals));
  } else {
    throw mismatch();
  }
  return (value) => (value === null ? null : encodeUtf8(print(value)));
}
