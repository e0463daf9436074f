import { MySqlError } from "../errors.ts";
import { ColumnFlag } from "../protocol/constants.ts";
import type { BindValues, PlanDescription, Primitive, VCursor } from "./primitive.ts";
import type { QueryResult, Row } from "./query-result.ts";
import { groupKey, isCollatedText, resolveColumn } from "./row-order.ts";

/** One column rows are told apart by; text by its weight helper column (`WEIGHT_STRING(RTRIM(expr))`). */
export interface DistinctColumn {
  column: number;
  weight?: number;
}

/**
 * Keeps the first row of each set of equal rows, in input order (Vitess's Distinct): what a UNION's
 * temporary table with a unique key keeps, so the row of the earliest SELECT wins ('Émile' over a later
 * 'emile' under a case- and accent-insensitive collation). Text is compared by the weights the shards
 * computed, numbers by value.
 */
export class Distinct implements Primitive {
  constructor(
    readonly input: Primitive,
    readonly columns: readonly DistinctColumn[],
  ) {}

  async execute(vcursor: VCursor, bind: BindValues): Promise<QueryResult> {
    const result = await this.input.execute(vcursor, bind);
    const { fields } = result;
    const width = fields.length;
    const columns = this.columns.map((c) => ({
      column: resolveColumn(width, c.column),
      weight: c.weight === undefined ? undefined : resolveColumn(width, c.weight),
    }));
    for (const c of columns) {
      const field = fields[c.column]!;
      if ((field.flags & (ColumnFlag.ENUM | ColumnFlag.SET)) !== 0) {
        throw MySqlError.of("NOT_SUPPORTED_YET", `shardgate does not support removing duplicate ENUM or SET values ('${field.name}') over several shards yet`);
      }
      if (isCollatedText(field) && c.weight === undefined) {
        throw MySqlError.of("NOT_SUPPORTED_YET", `shardgate cannot compare text column '${field.name}' across shards without its collation weights`);
      }
    }
    const seen = new Set<string>();
    const rows: Row[] = [];
    for (const row of result.rows) {
      const key = groupKey(fields, columns, row);
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push(row);
    }
    return { ...result, rows };
  }

  describe(): PlanDescription {
    return {
      OperatorType: "Distinct",
      Columns: this.columns.map((c) => `${c.column}${c.weight === undefined ? "" : `|${c.weight}`}`).join(", "),
      Inputs: [this.input.describe()],
    };
  }
}
