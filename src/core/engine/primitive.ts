import type { KeyspaceRoute } from "../routing-snapshot.ts";
import type { ShardPool } from "../backend/shard-pool.ts";
import type { SingleColumnVindex } from "../vindexes/vindex.ts";
import type { Literal } from "../planner/parameterize.ts";
import type { QueryResult } from "./query-result.ts";

/** The literal values of the statement being run, by placeholder index (`:__sgN`). */
export type BindValues = readonly Literal[];

/** A statement to run on one shard. */
export interface ShardQuery {
  pool: ShardPool;
  sql: string;
}

/**
 * What primitives need from the session running them (Vitess's VCursor): keyspaces and vindexes of the
 * routing snapshot the statement started on, and running SQL on shards within the session's state and
 * transaction.
 */
export interface VCursor {
  keyspace(name: string): KeyspaceRoute;
  vindex(keyspace: string, name: string): SingleColumnVindex;
  /** Runs each query on its shard, all at once; the answers come back in the same order. */
  executeMulti(queries: readonly ShardQuery[]): Promise<QueryResult[]>;
}

/** A plan printed as data: Vitess's `EXPLAIN FORMAT=VITESS` / `VEXPLAIN PLAN` JSON shape. */
export interface PlanDescription {
  OperatorType: string;
  Variant?: string;
  Keyspace?: { Name: string; Sharded: boolean };
  [detail: string]: unknown;
  Inputs?: PlanDescription[];
}

/** One node of a plan tree (Vitess `engine.Primitive`). */
export interface Primitive {
  execute(vcursor: VCursor, bind: BindValues): Promise<QueryResult>;
  describe(): PlanDescription;
}
