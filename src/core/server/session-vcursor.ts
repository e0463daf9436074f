import { commandPacket } from "../backend/backend-connection.ts";
import type { ShardPool } from "../backend/shard-pool.ts";
import { decodeRawResult } from "../backend/text-result-decoder.ts";
import type { KeyspaceConfig } from "../config/types.ts";
import type { DmlVCursor, RunQuery } from "../engine/dml-vcursor.ts";
import type { ShardQuery } from "../engine/primitive.ts";
import type { QueryResult } from "../engine/query-result.ts";
import { MySqlError } from "../errors.ts";
import { encodeUtf8 } from "../protocol/bytes.ts";
import { Capability, Command, ServerStatus } from "../protocol/constants.ts";
import type { KeyspaceRoute, RoutingSnapshot } from "../routing-snapshot.ts";
import { createVindex } from "../vindexes/registry.ts";
import type { SingleColumnVindex } from "../vindexes/vindex.ts";
import { SessionLookupBackend, type LookupCursor } from "./lookup-backend.ts";
import { NO_NEEDS, type Session, type StatementNeeds } from "./session.ts";

/** Functional vindex instances per keyspace config object: built once per (re)load. */
const vindexes = new WeakMap<KeyspaceConfig, Map<string, SingleColumnVindex>>();

/** Runs a plan's shard queries within a client's session: its state, its transaction, its snapshot. */
export class SessionVCursor implements DmlVCursor, LookupCursor {
  /** Shards the statement reached, for the statement's trace. */
  readonly shards: string[] = [];
  /** Lookup vindexes query through this session, so they are built per statement. */
  private readonly lookupVindexes = new Map<string, SingleColumnVindex>();

  constructor(
    private readonly session: Session,
    private readonly snapshot: RoutingSnapshot,
    private readonly needs: StatementNeeds,
  ) {}

  keyspace(name: string): KeyspaceRoute {
    const route = this.snapshot.keyspace(name);
    if (!route) throw MySqlError.of("BAD_DB", `Unknown database '${name}'`);
    return route;
  }

  vindex(keyspace: string, name: string): SingleColumnVindex {
    const config = this.keyspace(keyspace).config;
    let byName = vindexes.get(config);
    if (!byName) vindexes.set(config, (byName = new Map()));
    const key = `${keyspace}\u0000${name}`;
    let vindex = byName.get(name) ?? this.lookupVindexes.get(key);
    if (!vindex) {
      const spec = config.vindexes[name];
      if (!spec) throw MySqlError.of("UNKNOWN", `keyspace '${keyspace}' has no vindex '${name}'`);
      vindex = createVindex(spec.type, spec.params, { lookupBackend: new SessionLookupBackend(this, this.snapshot, keyspace) });
      if (vindex.needsLookup) this.lookupVindexes.set(key, vindex);
      else byName.set(name, vindex);
    }
    return vindex;
  }

  executeMulti(queries: readonly ShardQuery[]): Promise<QueryResult[]> {
    return Promise.all(queries.map((query) => this.execute(query, this.needs)));
  }

  /** A lookup vindex's statement: in the session, but without the client statement's needs (it pins nothing). */
  async runInSession(pool: ShardPool, sql: string): Promise<(Uint8Array | null)[][]> {
    return (await this.execute({ pool, sql }, NO_NEEDS)).rows;
  }

  async atomically<T>(work: () => Promise<T>): Promise<T> {
    if (this.session.inTransaction || !this.session.autocommit) return work();
    this.session.pendingBegin = "BEGIN";
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await this.session.endTransaction("ROLLBACK").catch(() => undefined);
      throw error;
    }
    await this.session.endTransaction("COMMIT");
    return result;
  }

  async withOwnConnection<T>(pool: ShardPool, work: (query: RunQuery) => Promise<T>): Promise<T> {
    const connection = await pool.acquire(this.session.flavor);
    try {
      if (connection.appliedState !== "") {
        // Another session's SET statements must not shape this work (a read-only transaction, say).
        await connection.simpleCommand(Command.RESET_CONNECTION);
        connection.appliedState = "";
        connection.lastInsertId = 0;
      }
      const result = await work((sql) => connection.query(sql));
      if (connection.statusFlags & ServerStatus.IN_TRANS) await connection.query("ROLLBACK");
      pool.release(connection);
      return result;
    } catch (error) {
      if (connection.isClosed || connection.isBusy) pool.discard(connection);
      else await connection.query("ROLLBACK").then(() => pool.release(connection), () => pool.discard(connection));
      throw error;
    }
  }

  setLastInsertId(first: bigint): void {
    this.session.lastInsertId = first <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(first) : first;
  }

  get noAutoValueOnZero(): boolean {
    return /NO_AUTO_VALUE_ON_ZERO/i.test(this.session.variables.get("sql_mode")?.text ?? "");
  }

  private async execute({ pool, sql }: ShardQuery, needs: StatementNeeds): Promise<QueryResult> {
    if (!this.shards.includes(pool.name)) this.shards.push(pool.name);
    const chunks: Uint8Array[] = [];
    let deprecateEof = false;
    const summary = await this.session.withConnection(pool, needs, (connection) => {
      deprecateEof = (connection.capabilities & Capability.DEPRECATE_EOF) !== 0;
      return connection.send(commandPacket(Command.QUERY, encodeUtf8(sql)), "query", (chunk) => {
        chunks.push(chunk.slice());
        return true;
      });
    });
    if (summary.error) throw summary.error;
    const raw = decodeRawResult(chunks, deprecateEof);
    return {
      fields: raw.columns,
      rows: raw.rows,
      affectedRows: BigInt(raw.ok?.affectedRows ?? 0),
      lastInsertId: BigInt(raw.ok?.lastInsertId ?? 0),
      warnings: raw.ok?.warnings ?? 0,
      info: raw.columns.length === 0 ? (raw.ok?.info ?? "") : "",
    };
  }
}
