import type { BindValues, PlanDescription, Primitive, VCursor } from "./primitive.ts";
import type { QueryResult } from "./query-result.ts";

/** Picks and orders the answer's columns (Vitess's SimpleProjection): the client's items out of a join's columns. */
export class ProjectColumns implements Primitive {
  constructor(
    readonly input: Primitive,
    readonly columns: readonly number[],
  ) {}

  async execute(vcursor: VCursor, bind: BindValues): Promise<QueryResult> {
    const result = await this.input.execute(vcursor, bind);
    return {
      ...result,
      fields: this.columns.map((c) => result.fields[c]!),
      rows: result.rows.map((row) => this.columns.map((c) => row[c] ?? null)),
    };
  }

  describe(): PlanDescription {
    return { OperatorType: "SimpleProjection", Columns: this.columns.join(","), Inputs: [this.input.describe()] };
  }
}
