import type { BindValues, PlanDescription, Primitive, VCursor } from "./primitive.ts";
import type { QueryResult } from "./query-result.ts";

/**
 * Drops the last `helpers` columns: those the planner added for the gateway's own use (sort weights,
 * partial aggregates). Counted from the end, because `SELECT *` has a width known only from the answer.
 */
export class TrimColumns implements Primitive {
  constructor(
    readonly input: Primitive,
    readonly helpers: number,
  ) {}

  async execute(vcursor: VCursor, bind: BindValues): Promise<QueryResult> {
    const result = await this.input.execute(vcursor, bind);
    const keep = result.fields.length - this.helpers;
    return {
      ...result,
      fields: result.fields.slice(0, keep),
      rows: result.rows.map((row) => row.slice(0, keep)),
    };
  }

  describe(): PlanDescription {
    return { OperatorType: "SimpleProjection", DropTrailingColumns: this.helpers, Inputs: [this.input.describe()] };
  }
}
