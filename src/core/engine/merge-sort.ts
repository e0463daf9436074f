import type { BindValues, PlanDescription, Primitive, VCursor } from "./primitive.ts";
import type { QueryResult } from "./query-result.ts";
import { rowComparator, type OrderKey } from "./row-order.ts";

/**
 * Orders the rows of its input, which are the concatenated, each already sorted, answers of several
 * shards. The sort is stable and adaptive (runs are merged), so this is the merge of Vitess's MergeSort.
 */
export class MergeSort implements Primitive {
  constructor(
    readonly input: Primitive,
    readonly keys: readonly OrderKey[],
  ) {}

  async execute(vcursor: VCursor, bind: BindValues): Promise<QueryResult> {
    const result = await this.input.execute(vcursor, bind);
    if (result.rows.length > 1) result.rows.sort(rowComparator(result.fields, this.keys));
    return result;
  }

  describe(): PlanDescription {
    return {
      OperatorType: "Sort",
      Variant: "Memory",
      OrderBy: this.keys.map((k) => `${k.column}${k.weight === undefined ? "" : `|${k.weight}`} ${k.descending ? "DESC" : "ASC"}`).join(", "),
      Inputs: [this.input.describe()],
    };
  }
}
