import { MySqlError } from "../errors.ts";
import { shardForKeyspaceId } from "../vindexes/key-range-routing.ts";
import type { SqlValue } from "../vindexes/sql-value.ts";
import type { BindValues, PlanDescription, Primitive, ShardQuery, VCursor } from "./primitive.ts";
import { concatResults, type QueryResult } from "./query-result.ts";
import { limitNumber } from "./limit.ts";
import type { QueryTemplate } from "./query-template.ts";
import { describeValue, routingKey, sourceOf, valueOf, type RouteValue } from "./route-value.ts";

/**
 * Vitess's route opcodes: which shards a statement goes to.
 * - Unsharded / Reference: the keyspace's one shard, or any shard holding a reference table's copy;
 * - EqualUnique: the shard the vindex maps the value to;
 * - IN: each shard gets only the values of an `IN (...)` list that map to it;
 * - Scatter: every shard (reads), AllShards: every shard (DDL and reference-table writes);
 * - None: no row can match, so one shard answers for the result's shape.
 */
export type RouteVariant = "Unsharded" | "Reference" | "EqualUnique" | "IN" | "Scatter" | "AllShards" | "None";

/** Where a statement's `IN (...)` list sits in its text: the route fills in each shard's own values. */
export const IN_LIST_SLOT = "\u0001IN\u0001";
/** Where the LIMIT each shard gets sits: `offset + count` of the client's LIMIT, known only once bound. */
export const LIMIT_SLOT = "\u0001LIMIT\u0001";

export interface RouteVindex {
  /** The vschema's vindex name. */
  name: string;
  column: string;
}

export interface RouteOptions {
  keyspace: string;
  sharded: boolean;
  variant: RouteVariant;
  query: QueryTemplate;
  vindex?: RouteVindex;
  /** EqualUnique: the one value; IN: the list. */
  values?: readonly RouteValue[];
  /** The client's LIMIT, which each shard gets as `LIMIT offset + count` (the gateway cuts the merged rows). */
  shardLimit?: { count: RouteValue; offset: RouteValue | undefined };
  /** The table the route is for, printed in plans. */
  table?: string;
}

/** Sends a statement to the shards its variant names and gathers their answers. */
export class Route implements Primitive {
  constructor(readonly options: RouteOptions) {}

  async execute(vcursor: VCursor, bind: BindValues): Promise<QueryResult> {
    const queries = await this.shardQueries(vcursor, bind);
    const results = await vcursor.executeMulti(queries);
    // Every shard ran the same statement on its own copy (DDL, a reference table's write): one copy's count is the answer.
    return this.options.variant === "AllShards" ? results[0]! : concatResults(results);
  }

  /** The statement for each shard it goes to, in shard order. */
  async shardQueries(vcursor: VCursor, bind: BindValues): Promise<ShardQuery[]> {
    const { keyspace, variant } = this.options;
    const pools = vcursor.keyspace(keyspace).pools;
    const query = { render: (b: BindValues) => this.render(b) };
    switch (variant) {
      case "Unsharded":
      case "Reference":
      case "None":
        return [{ pool: pools[0]!, sql: query.render(bind) }];
      case "Scatter":
      case "AllShards":
        return pools.map((pool) => ({ pool, sql: query.render(bind) }));
      case "EqualUnique": {
        const [target] = await this.shardsFor(vcursor, [valueOf(this.options.values![0]!, bind)]);
        return target === undefined
          ? pools.map((pool) => ({ pool, sql: query.render(bind) }))
          : [{ pool: pools[target]!, sql: query.render(bind) }];
      }
      case "IN":
        return this.splitInList(vcursor, bind);
    }
  }

  /** Per value, the index of its shard; undefined when the vindex gives no keyspace id (then every shard may hold it). */
  private async shardsFor(vcursor: VCursor, values: SqlValue[]): Promise<(number | undefined)[]> {
    const { keyspace, vindex } = this.options;
    const route = vcursor.keyspace(keyspace);
    const ids = await vcursor.vindex(keyspace, vindex!.name).map(values.map(routingKey));
    return ids.map((id) => {
      if (id === null) return undefined;
      const shard = shardForKeyspaceId(route.config.shards, id);
      if (!shard) throw MySqlError.of("UNKNOWN", `keyspace '${keyspace}' has no shard for keyspace id ${hex(id)}`);
      return route.config.shards.indexOf(shard);
    });
  }

  private async splitInList(vcursor: VCursor, bind: BindValues): Promise<ShardQuery[]> {
    const values = this.options.values!;
    const pools = vcursor.keyspace(this.options.keyspace).pools;
    const targets = await this.shardsFor(vcursor, values.map((v) => valueOf(v, bind)));
    const perShard = new Map<number, string[]>();
    for (let i = 0; i < values.length; i++) {
      const target = targets[i];
      const shards = target === undefined ? pools.map((_, index) => index) : [target];
      for (const shard of shards) {
        const list = perShard.get(shard) ?? [];
        list.push(sourceOf(values[i]!, bind));
        perShard.set(shard, list);
      }
    }
    const sql = this.render(bind);
    return [...perShard.keys()].sort((a, b) => a - b).map((shard) => ({
      pool: pools[shard]!,
      // A function, so `$&` and the like in the values are not replacement patterns.
      sql: sql.replace(IN_LIST_SLOT, () => perShard.get(shard)!.join(", ")),
    }));
  }

  private render(bind: BindValues): string {
    const sql = this.options.query.render(bind);
    const limit = this.options.shardLimit;
    if (!limit) return sql;
    const rows = limitNumber(limit.count, bind) + (limit.offset ? limitNumber(limit.offset, bind) : 0);
    return sql.replace(LIMIT_SLOT, () => String(rows));
  }

  describe(): PlanDescription {
    const { keyspace, sharded, variant, query, vindex, values } = this.options;
    const description: PlanDescription = {
      OperatorType: "Route",
      Variant: variant,
      Keyspace: { Name: keyspace, Sharded: sharded },
      Query: query.text.replace(IN_LIST_SLOT, "::__vals").replace(LIMIT_SLOT, ":__upper_limit"),
    };
    if (vindex) description["Vindex"] = vindex.name;
    if (values) description["Values"] = values.map(describeValue);
    if (this.options.table) description["Table"] = this.options.table;
    return description;
  }
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}
