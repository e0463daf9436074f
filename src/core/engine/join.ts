import { MySqlError } from "../errors.ts";
import type { ColumnDefinition } from "../protocol/column-definition.ts";
import { SQL_NULL } from "../vindexes/sql-value.ts";
import type { BindValues, PlanDescription, Primitive, VCursor } from "./primitive.ts";
import { sqlLiteral } from "./pullout-subquery.ts";
import type { QueryResult, Row } from "./query-result.ts";
import { groupKey, isCollatedText, type OrderKey } from "./row-order.ts";

/** Join values sent to the right side per query. */
const BATCH = 500;

export interface JoinOptions {
  left: Primitive;
  /** The right side's plan: its WHERE has `key IN (:__sg<slot>)`, filled with the left side's distinct key values. */
  right: Primitive;
  slot: number;
  /** The join key's column (and weight column) in each side's answer. */
  leftKey: OrderKey;
  rightKey: OrderKey;
  /** LEFT JOIN: a left row without a match gets NULLs for the right side's columns. */
  outer: boolean;
}

/**
 * Joins two sides that live on different shards or keyspaces at the gateway (Vitess's Join, batched):
 * the left side runs first, its distinct join values go to the right side as an IN list, and the rows
 * are matched on the key as the server would compare them (text by collation weight). The answer's
 * columns are the left side's, then the right side's.
 */
export class Join implements Primitive {
  constructor(readonly options: JoinOptions) {}

  async execute(vcursor: VCursor, bind: BindValues): Promise<QueryResult> {
    const { left, right, slot, leftKey, rightKey, outer } = this.options;
    const lhs = await left.execute(vcursor, bind);
    const keyField = lhs.fields[leftKey.column]!;
    const values = new Map<string, string>();
    for (const row of lhs.rows) {
      const value = row[leftKey.column] ?? null;
      if (value === null) continue;
      values.set(groupKey(lhs.fields, [leftKey], row), sqlLiteral(keyField, value));
    }
    const literals = [...values.values()];
    const batches: string[][] = [];
    for (let i = 0; i < literals.length; i += BATCH) batches.push(literals.slice(i, i + BATCH));
    if (batches.length === 0) batches.push(["NULL"]);
    const answers = await Promise.all(
      batches.map((batch) => {
        const extended = bind.slice();
        extended[slot] = { source: batch.join(", "), value: SQL_NULL };
        return right.execute(vcursor, extended);
      }),
    );
    const rhsFields = answers[0]!.fields;
    checkComparable(keyField, rhsFields[rightKey.column]!);
    const matches = new Map<string, Row[]>();
    for (const answer of answers) {
      for (const row of answer.rows) {
        if ((row[rightKey.column] ?? null) === null) continue;
        const key = groupKey(rhsFields, [rightKey], row);
        const list = matches.get(key);
        if (list) list.push(row);
        else matches.set(key, [row]);
      }
    }
    const nulls: Row = rhsFields.map(() => null);
    const rows: Row[] = [];
    for (const row of lhs.rows) {
      const value = row[leftKey.column] ?? null;
      const found = value === null ? undefined : matches.get(groupKey(lhs.fields, [leftKey], row));
      if (found) for (const match of found) rows.push([...row, ...match]);
      else if (outer) rows.push([...row, ...nulls]);
    }
    return { fields: [...lhs.fields, ...rhsFields], rows, affectedRows: 0n, lastInsertId: 0n, warnings: 0, info: "" };
  }

  describe(): PlanDescription {
    return {
      OperatorType: "Join",
      Variant: this.options.outer ? "LeftJoin" : "Join",
      JoinValues: `:__sg${this.options.slot}`,
      Inputs: [this.options.left.describe(), this.options.right.describe()],
    };
  }
}

/** Keys compare alike on both sides only when both are text or both are numbers (canonical forms differ otherwise). */
function checkComparable(left: ColumnDefinition, right: ColumnDefinition): void {
  if (isCollatedText(left) !== isCollatedText(right)) {
    throw MySqlError.of("NOT_SUPPORTED_YET", `shardgate does not support joining '${left.name}' with '${right.name}' across shards: one is text and the other is not`);
  }
}
