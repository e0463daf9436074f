import type { ShardPool } from "../backend/shard-pool.ts";
import type { MySqlError } from "../errors.ts";
import type { BindValues, PlanDescription, Primitive, VCursor } from "./primitive.ts";
import { concatResults, type QueryResult } from "./query-result.ts";
import type { QueryTemplate } from "./query-template.ts";
import type { Route } from "./route.ts";

/**
 * A union of SELECTs that each reach one shard (`= value` on the shard key), or any shard (reference
 * tables, no table): when the values bound this time all map to the same shard, the whole statement
 * runs there and the server answers it itself. Which shard a value maps to is known only once bound
 * (each literal has its own placeholder, so a cached plan serves other values too); otherwise the
 * SELECTs run apart and the gateway merges them (`apart`), or, when the gateway cannot merge them, the
 * refusal planning them apart gave.
 */
export class SingleShardUnion implements Primitive {
  constructor(
    readonly keyspace: string,
    readonly query: QueryTemplate,
    /** The SELECTs' own routes; those that are not EqualUnique may run on any shard. */
    readonly parts: readonly Route[],
    readonly apart: Primitive | MySqlError,
  ) {}

  async execute(vcursor: VCursor, bind: BindValues): Promise<QueryResult> {
    const pool = await this.commonShard(vcursor, bind);
    if (pool) return concatResults(await vcursor.executeMulti([{ pool, sql: this.query.render(bind) }]));
    if (this.apart instanceof Error) throw this.apart;
    return this.apart.execute(vcursor, bind);
  }

  private async commonShard(vcursor: VCursor, bind: BindValues): Promise<ShardPool | undefined> {
    let pool: ShardPool | undefined;
    for (const route of this.parts) {
      if (route.options.variant !== "EqualUnique") continue;
      const queries = await route.shardQueries(vcursor, bind);
      if (queries.length !== 1 || (pool !== undefined && queries[0]!.pool !== pool)) return undefined;
      pool = queries[0]!.pool;
    }
    return pool;
  }

  describe(): PlanDescription {
    const description: PlanDescription = {
      OperatorType: "SingleShardUnion",
      Keyspace: { Name: this.keyspace, Sharded: true },
      Query: this.query.text,
      Inputs: this.parts.map((route) => route.describe()),
    };
    if (this.apart instanceof Error) description["Apart"] = this.apart.message;
    else description["Apart"] = this.apart.describe();
    return description;
  }
}
