import type { BindValues, PlanDescription, Primitive, VCursor } from "./primitive.ts";
import type { QueryResult } from "./query-result.ts";

/** Picks, orders and renames the answer's columns (Vitess's SimpleProjection): the client's items out of a join's or a derived table's columns. */
export class ProjectColumns implements Primitive {
  constructor(
    readonly input: Primitive,
    readonly columns: readonly number[],
    /** A new name per picked column (an alias the statement gave), or undefined to keep the column's. */
    readonly names: readonly (string | undefined)[] = [],
  ) {}

  async execute(vcursor: VCursor, bind: BindValues): Promise<QueryResult> {
    const result = await this.input.execute(vcursor, bind);
    return {
      ...result,
      fields: this.columns.map((c, i) => {
        const field = result.fields[c]!;
        const name = this.names[i];
        return name === undefined ? field : { ...field, name };
      }),
      rows: result.rows.map((row) => this.columns.map((c) => row[c] ?? null)),
    };
  }

  describe(): PlanDescription {
    return { OperatorType: "SimpleProjection", Columns: this.columns.join(","), Inputs: [this.input.describe()] };
  }
}
