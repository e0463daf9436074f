import { compareBytes } from "../config/key-range.ts";
import { formatSqlValue, sqlValueBytes, type SqlValue } from "./sql-value.ts";
import type { LookupBackend, LookupRow, OwnedLookupVindex } from "./vindex.ts";

export type LookupReadLock = "exclusive" | "shared" | "none";

/** The `lookup_unique` params (Vitess lookup.go / lookup_internal.go), validated. */
export interface LookupUniqueSettings {
  readonly table: string;
  /** `from` is a comma-separated column list; mapping uses the first column only (as Vitess). */
  readonly fromColumns: readonly string[];
  readonly toColumn: string;
  readonly autocommit: boolean;
  readonly multiShardAutocommit: boolean;
  /** Owner rows with a NULL `from` value get no entry instead of failing the insert. */
  readonly ignoreNulls: boolean;
  readonly batchLookup: boolean;
  readonly noVerify: boolean;
  /** The lock a lookup takes inside a DML transaction (Vitess default: exclusive, `FOR UPDATE`). */
  readonly readLock: LookupReadLock;
}

const KNOWN_PARAMS = [
  "table", "from", "to", "autocommit", "multi_shard_autocommit", "ignore_nulls", "batch_lookup", "read_lock", "no_verify", "write_only",
];

export function parseLookupUniqueParams(params: Readonly<Record<string, string>>): LookupUniqueSettings {
  const get = (key: string) => (Object.hasOwn(params, key) ? params[key] : undefined);
  const required = (key: string) => {
    const value = get(key)?.trim();
    if (!value) throw new Error(`lookup_unique: missing required param "${key}"`);
    return value;
  };
  const bool = (key: string) => {
    const value = get(key);
    if (value === undefined || value === "false") return false;
    if (value === "true") return true;
    throw new Error(`lookup_unique: ${key} value must be 'true' or 'false': '${value}'`);
  };
  const table = required("table");
  const fromColumns = required("from").split(",").map((c) => c.trim());
  if (fromColumns.some((c) => c === "")) throw new Error(`lookup_unique: param "from" has an empty column name: "${get("from")}"`);
  const toColumn = required("to");
  if (bool("write_only")) {
    // Vitess then maps every value to the full key range (scatter) while the table is backfilled;
    // `map` here can only answer one keyspace id or none.
    throw new Error("lookup_unique: write_only=true (backfill mode) is not supported by shardgate yet");
  }
  const readLock = get("read_lock") ?? "exclusive";
  if (readLock !== "exclusive" && readLock !== "shared" && readLock !== "none") {
    throw new Error(`lookup_unique: invalid read_lock value: ${readLock}`);
  }
  const multiShardAutocommit = bool("multi_shard_autocommit");
  return {
    table,
    fromColumns,
    toColumn,
    autocommit: bool("autocommit") || multiShardAutocommit,
    multiShardAutocommit,
    ignoreNulls: bool("ignore_nulls"),
    batchLookup: bool("batch_lookup"),
    noVerify: bool("no_verify"),
    readLock,
  };
}

/**
 * Vitess's `lookup_unique` vindex: the keyspace id of a value is read from a lookup table
 * (`from` → `to`) that holds at most one row per value. The owner table's inserts and deletes keep
 * the lookup table in step through {@link create} and {@link delete}.
 */
export class LookupUniqueVindex implements OwnedLookupVindex {
  readonly type = "lookup_unique";
  readonly cost = 10;
  readonly unique = true;
  readonly needsLookup = true;
  readonly settings: LookupUniqueSettings;
  /** Params Vitess does not know either; Vitess only warns about them, so they are kept, not fatal. */
  readonly unknownParams: readonly string[];

  constructor(
    params: Readonly<Record<string, string>>,
    private readonly backend: LookupBackend,
  ) {
    this.settings = parseLookupUniqueParams(params);
    this.unknownParams = Object.keys(params).filter((k) => !KNOWN_PARAMS.includes(k)).sort();
  }

  /** NULL never matches `IN (...)`, so it maps to no keyspace id without a query. */
  async map(values: readonly SqlValue[]): Promise<(Uint8Array | null)[]> {
    const queried = [...new Set(values.filter((v) => v.kind !== "null"))];
    if (queried.length === 0) return values.map(() => null);
    const { table, fromColumns, toColumn, readLock, autocommit } = this.settings;
    const found = await this.backend.select(table, fromColumns[0]!, toColumn, queried, { readLock, autocommit });
    return values.map((value) => {
      const ids = value.kind === "null" ? undefined : found.get(value);
      if (ids === undefined || ids.length === 0) return null;
      if (ids.length > 1) {
        throw new Error(`lookup_unique: unexpected multiple results from vindex ${table}: ${formatSqlValue(value)}`);
      }
      return ids[0]!;
    });
  }

  async create(rows: readonly LookupRow[], options: { ignore?: boolean } = {}): Promise<void> {
    const { table, fromColumns, toColumn, ignoreNulls, autocommit } = this.settings;
    const kept: LookupRow[] = [];
    rows.forEach((row, i) => {
      this.checkWidth(row, "create");
      const nullAt = row.from.findIndex((v) => v.kind === "null");
      if (nullAt < 0) kept.push(row);
      else if (!ignoreNulls) throw new Error(`lookup_unique: create: input has null values: row: ${i}, col: ${nullAt}`);
    });
    if (kept.length === 0) return;
    // Vitess sorts the rows by their bytes so that concurrent inserts take row locks in one order.
    kept.sort(compareRows);
    await this.backend.insert(table, fromColumns, toColumn, kept, { ignore: options.ignore ?? false, autocommit });
  }

  /** With autocommit the entries are left in place (Vitess: deleting outside the transaction is unsafe). */
  async delete(rows: readonly LookupRow[]): Promise<void> {
    const { table, fromColumns, toColumn, autocommit } = this.settings;
    if (autocommit || rows.length === 0) return;
    for (const row of rows) this.checkWidth(row, "delete");
    await this.backend.delete(table, fromColumns, toColumn, rows);
  }

  private checkWidth(row: LookupRow, op: string): void {
    const columns = this.settings.fromColumns;
    if (row.from.length !== columns.length) {
      throw new Error(
        `lookup_unique: ${op}: column vindex count does not match the columns in the lookup: ${row.from.length} vs [${columns.join(" ")}]`,
      );
    }
  }
}

function compareRows(a: LookupRow, b: LookupRow): number {
  for (let i = 0; i < a.from.length; i++) {
    const order = compareBytes(sqlValueBytes(a.from[i]!), sqlValueBytes(b.from[i]!));
    if (order !== 0) return order;
  }
  return compareBytes(a.keyspaceId, b.keyspaceId);
}
