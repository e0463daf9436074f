import { bindExpression, type Expr } from "./evaluate.ts";
import { isTrue } from "./numeric-value.ts";
import type { BindValues, PlanDescription, Primitive, VCursor } from "./primitive.ts";
import type { QueryResult } from "./query-result.ts";

/**
 * Keeps the rows for which a predicate is true (not false, not NULL): HAVING over groups the gateway
 * merged, which no shard could filter because each held only part of every group.
 */
export class Filter implements Primitive {
  constructor(
    readonly input: Primitive,
    readonly predicate: Expr,
    /** The predicate as the statement wrote it (placeholders for its literals), for EXPLAIN. */
    readonly text: string,
  ) {}

  async execute(vcursor: VCursor, bind: BindValues): Promise<QueryResult> {
    const result = await this.input.execute(vcursor, bind);
    const predicate = bindExpression(this.predicate, result.fields, bind);
    return { ...result, rows: result.rows.filter((row) => isTrue(predicate.evaluate(row)) === true) };
  }

  describe(): PlanDescription {
    return { OperatorType: "Filter", Predicate: this.text, Inputs: [this.input.describe()] };
  }
}
