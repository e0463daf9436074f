import { MySqlError } from "../errors.ts";
import { shardForKeyspaceId } from "../vindexes/key-range-routing.ts";
import type { BindValues, PlanDescription, Primitive, VCursor } from "./primitive.ts";
import { concatResults, okResult, type QueryResult } from "./query-result.ts";
import type { QueryTemplate } from "./query-template.ts";
import { describeValue, valueOf, type RouteValue } from "./route-value.ts";

/** Where the rows of an INSERT sit in its text: each shard gets the statement with only its own rows there. */
export const ROWS_SLOT = "\u0001ROWS\u0001";

export interface InsertOptions {
  keyspace: string;
  table: string;
  vindex: { name: string; column: string };
  /** The statement with its VALUES rows replaced by ROWS_SLOT. */
  query: QueryTemplate;
  /** Each row's text, as the client wrote it. */
  rows: readonly QueryTemplate[];
  /** Each row's value of the primary vindex column. */
  keys: readonly RouteValue[];
}

/** A multi-row INSERT into a sharded table, split so each shard receives only the rows it owns. */
export class Insert implements Primitive {
  constructor(readonly options: InsertOptions) {}

  async execute(vcursor: VCursor, bind: BindValues): Promise<QueryResult> {
    const { keyspace, vindex, rows, keys, query } = this.options;
    const route = vcursor.keyspace(keyspace);
    const ids = await vcursor.vindex(keyspace, vindex.name).map(keys.map((k) => valueOf(k, bind)));
    const perShard = new Map<number, string[]>();
    ids.forEach((id, i) => {
      const value = valueOf(keys[i]!, bind);
      if (id === null) {
        const shown = value.kind === "null" ? "NULL" : describeValue(keys[i]!);
        throw MySqlError.of("UNKNOWN", `could not map ${shown} to a keyspace id with vindex '${vindex.name}' for column '${vindex.column}' of table '${this.options.table}'`);
      }
      const shard = shardForKeyspaceId(route.config.shards, id);
      if (!shard) throw MySqlError.of("UNKNOWN", `keyspace '${keyspace}' has no shard for the row ${i + 1}`);
      const index = route.config.shards.indexOf(shard);
      const list = perShard.get(index) ?? [];
      list.push(rows[i]!.render(bind));
      perShard.set(index, list);
    });
    if (perShard.size === 0) return okResult();
    const sql = query.render(bind);
    const shards = [...perShard.keys()].sort((a, b) => a - b);
    const results = await vcursor.executeMulti(
      shards.map((shard) => ({ pool: route.pools[shard]!, sql: sql.replace(ROWS_SLOT, perShard.get(shard)!.join(", ")) })),
    );
    return concatResults(results);
  }

  describe(): PlanDescription {
    return {
      OperatorType: "Insert",
      Variant: "Sharded",
      Keyspace: { Name: this.options.keyspace, Sharded: true },
      Table: this.options.table,
      Vindex: this.options.vindex.name,
      Query: this.options.query.text.replace(ROWS_SLOT, "::__rows"),
      VindexValues: this.options.keys.map(describeValue),
    };
  }
}
