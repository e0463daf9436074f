import { commandPacket } from "../backend/backend-connection.ts";
import { decodeRawResult } from "../backend/text-result-decoder.ts";
import type { KeyspaceConfig } from "../config/types.ts";
import type { ShardQuery, VCursor } from "../engine/primitive.ts";
import type { QueryResult } from "../engine/query-result.ts";
import { MySqlError } from "../errors.ts";
import { encodeUtf8 } from "../protocol/bytes.ts";
import { Capability, Command } from "../protocol/constants.ts";
import type { KeyspaceRoute, RoutingSnapshot } from "../routing-snapshot.ts";
import { createVindex } from "../vindexes/registry.ts";
import type { SingleColumnVindex } from "../vindexes/vindex.ts";
import type { Session, StatementNeeds } from "./session.ts";

/** Vindex instances per keyspace config object: built once per (re)load. */
const vindexes = new WeakMap<KeyspaceConfig, Map<string, SingleColumnVindex>>();

/** Runs a plan's shard queries within a client's session: its state, its transaction, its snapshot. */
export class SessionVCursor implements VCursor {
  /** Shards the statement reached, for the statement's trace. */
  readonly shards: string[] = [];

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
    let vindex = byName.get(name);
    if (!vindex) {
      const spec = config.vindexes[name];
      if (!spec) throw MySqlError.of("UNKNOWN", `keyspace '${keyspace}' has no vindex '${name}'`);
      vindex = createVindex(spec.type, spec.params);
      byName.set(name, vindex);
    }
    return vindex;
  }

  executeMulti(queries: readonly ShardQuery[]): Promise<QueryResult[]> {
    return Promise.all(queries.map((query) => this.execute(query)));
  }

  private async execute({ pool, sql }: ShardQuery): Promise<QueryResult> {
    if (!this.shards.includes(pool.name)) this.shards.push(pool.name);
    const chunks: Uint8Array[] = [];
    let deprecateEof = false;
    const summary = await this.session.withConnection(pool, this.needs, (connection) => {
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
