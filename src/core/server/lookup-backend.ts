import { hexLiteral } from "../protocol/binary-params.ts";
import type { ShardPool } from "../backend/shard-pool.ts";
import type { RunQuery } from "../engine/dml-vcursor.ts";
import { quoteIdentifier } from "../engine/sequence.ts";
import { MySqlError } from "../errors.ts";
import type { KeyspaceRoute, RoutingSnapshot } from "../routing-snapshot.ts";
import { formatSqlValue, type SqlValue } from "../vindexes/sql-value.ts";
import type { LookupBackend, LookupRow, LookupWriteOptions } from "../vindexes/vindex.ts";

/** Lookup entries one DELETE statement removes at most. */
const DELETE_BATCH = 256;

/** What the backend needs from the statement's cursor. */
export interface LookupCursor {
  keyspace(name: string): KeyspaceRoute;
  /** Runs SQL on a shard within the client's session (its state and its transaction); the rows' bytes come back. */
  runInSession(pool: ShardPool, sql: string): Promise<(Uint8Array | null)[][]>;
  withOwnConnection<T>(pool: ShardPool, work: (query: RunQuery) => Promise<T>): Promise<T>;
}

/**
 * The lookup tables of a statement's lookup vindexes, reached through the client's session: reads see
 * the session's own uncommitted writes, and writes join its transaction, so a rolled-back transaction
 * leaves neither owner rows nor lookup rows (Vitess runs them through the session's VCursor too).
 * A vindex with `autocommit=true` writes on a connection of its own instead. `table` is
 * `keyspace.table`, or a table name that one keyspace's vschema lists, else one of the vindex's own
 * (unsharded) keyspace.
 */
export class SessionLookupBackend implements LookupBackend {
  constructor(
    private readonly cursor: LookupCursor,
    private readonly snapshot: RoutingSnapshot,
    private readonly vindexKeyspace: string,
  ) {}

  /**
   * One query for all values, each value's rows tagged with its position (`SELECT 0, to ... UNION ALL
   * SELECT 1, to ...`), so the server compares each value with the column's own collation and type and
   * no value needs matching back. Reads run in the session even for an autocommit vindex (they write
   * nothing), and take no lock (`read_lock` is not applied).
   */
  async select(table: string, fromColumn: string, toColumn: string, values: readonly SqlValue[]): Promise<Map<SqlValue, Uint8Array[]>> {
    const { pool, name } = this.locate(table);
    const from = quoteIdentifier(fromColumn);
    const to = quoteIdentifier(toColumn);
    const sql = values.map((value, i) => `SELECT ${i}, ${to} FROM ${name} WHERE ${from} = ${formatSqlValue(value)}`).join(" UNION ALL ");
    const found = new Map<SqlValue, Uint8Array[]>();
    for (const [index, id] of await this.cursor.runInSession(pool, sql)) {
      const value = index ? values[Number(new TextDecoder().decode(index))] : undefined;
      if (value === undefined || !id) continue;
      const list = found.get(value) ?? [];
      list.push(id);
      found.set(value, list);
    }
    return found;
  }

  async insert(table: string, fromColumns: readonly string[], toColumn: string, rows: readonly LookupRow[], options: LookupWriteOptions): Promise<void> {
    const { pool, name } = this.locate(table);
    const columns = [...fromColumns, toColumn].map(quoteIdentifier).join(", ");
    const tuples = rows.map((row) => `(${[...row.from.map(formatSqlValue), hexLiteral(row.keyspaceId)].join(", ")})`).join(", ");
    const sql = `INSERT ${options.ignore ? "IGNORE " : ""}INTO ${name} (${columns}) VALUES ${tuples}`;
    if (options.autocommit) await this.cursor.withOwnConnection(pool, (query) => query(sql));
    else await this.cursor.runInSession(pool, sql);
  }

  /** The rows' entries in a few statements (Vitess sends one per row; the effect is the same). */
  async delete(table: string, fromColumns: readonly string[], toColumn: string, rows: readonly LookupRow[]): Promise<void> {
    const { pool, name } = this.locate(table);
    const match = (row: LookupRow) =>
      `(${[...fromColumns.map((column, i) => `${quoteIdentifier(column)} = ${formatSqlValue(row.from[i]!)}`), `${quoteIdentifier(toColumn)} = ${hexLiteral(row.keyspaceId)}`].join(" AND ")})`;
    for (let start = 0; start < rows.length; start += DELETE_BATCH) {
      const batch = rows.slice(start, start + DELETE_BATCH);
      await this.cursor.runInSession(pool, `DELETE FROM ${name} WHERE ${batch.map(match).join(" OR ")}`);
    }
  }

  /** The shard holding the lookup table, and the table's name there (unqualified: the backend's database is the keyspace's). */
  private locate(table: string): { pool: ShardPool; name: string } {
    const dot = table.indexOf(".");
    const tableName = dot >= 0 ? table.slice(dot + 1) : table;
    const keyspace = dot >= 0 ? table.slice(0, dot) : this.keyspaceListing(tableName);
    const route = this.cursor.keyspace(keyspace);
    if (route.config.sharded) {
      throw MySqlError.of("NOT_SUPPORTED_YET", `shardgate does not support lookup table '${table}' in sharded keyspace '${keyspace}' yet; keep lookup tables in an unsharded keyspace`);
    }
    return { pool: route.pools[0]!, name: quoteIdentifier(tableName) };
  }

  private keyspaceListing(table: string): string {
    const listing = this.snapshot.keyspaceNames.filter((k) => Object.hasOwn(this.snapshot.keyspace(k)!.config.tables, table));
    if (listing.length === 1) return listing[0]!;
    if (listing.length > 1) throw MySqlError.of("UNKNOWN", `lookup table '${table}' is in several keyspaces (${listing.join(", ")}); name it as keyspace.table in the vindex params`);
    return this.vindexKeyspace;
  }
}

