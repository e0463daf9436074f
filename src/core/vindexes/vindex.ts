import type { SqlValue } from "./sql-value.ts";

/**
 * A vindex maps the value of one column to a keyspace id; the shard whose key range holds that id
 * holds the row (Vitess `vindexes.SingleColumn`).
 */
export interface SingleColumnVindex {
  /** The registered type name (`hash`, `lookup_unique`, ...). */
  readonly type: string;
  /** Vitess's cost: the planner prefers the cheapest vindex a query constrains (0 identity, 1 hash, 10 lookup). */
  readonly cost: number;
  /** A value maps to at most one keyspace id. */
  readonly unique: boolean;
  /** Mapping queries a lookup table (Vitess `NeedsVCursor`). */
  readonly needsLookup: boolean;
  /**
   * One entry per value, in order: the keyspace id, or null when the value maps to no keyspace id,
   * so no row can match it (Vitess `key.DestinationNone`, e.g. a negative or non-numeric value for
   * `hash`, a value missing from a lookup table). Rejects when Vitess's Map errors (for example a
   * string that is not valid UTF-8 for `unicode_loose_md5`).
   */
  map(values: readonly SqlValue[]): Promise<(Uint8Array | null)[]>;
}

/** A vindex computed from the value alone, which can also map synchronously (no lookup round trip). */
export interface FunctionalVindex extends SingleColumnVindex {
  readonly needsLookup: false;
  /** `map` for one value, without a promise: the point-select path. */
  mapValue(value: SqlValue): Uint8Array | null;
}

/** The shared part of the functional vindexes: unique, no lookup, and `map` is `mapValue` per value. */
export abstract class FunctionalVindexBase implements FunctionalVindex {
  abstract readonly type: string;
  /** Vitess's costs: 0 for identity vindexes (numeric, binary), 1 for the hashing ones. */
  abstract readonly cost: number;
  readonly unique = true;
  readonly needsLookup = false;

  abstract mapValue(value: SqlValue): Uint8Array | null;

  async map(values: readonly SqlValue[]): Promise<(Uint8Array | null)[]> {
    return values.map((v) => this.mapValue(v));
  }
}

/** A vindex whose keyspace ids can be turned back into the value (Vitess `Reversible`). */
export interface ReversibleVindex extends SingleColumnVindex {
  /** Throws when an id cannot come from this vindex (e.g. not 8 bytes for `hash`). */
  reverseMap(keyspaceIds: readonly Uint8Array[]): SqlValue[];
}

export function isFunctional(vindex: SingleColumnVindex): vindex is FunctionalVindex {
  return !vindex.needsLookup && typeof (vindex as Partial<FunctionalVindex>).mapValue === "function";
}

export function isReversible(vindex: SingleColumnVindex): vindex is ReversibleVindex {
  return typeof (vindex as Partial<ReversibleVindex>).reverseMap === "function";
}

/** One row of a lookup table: the owner row's values for the `from` columns, and its keyspace id. */
export interface LookupRow {
  readonly from: readonly SqlValue[];
  readonly keyspaceId: Uint8Array;
}

export interface LookupSelectOptions {
  /**
   * The lock to take when the lookup runs inside a DML transaction (Vitess: `FOR UPDATE` for
   * "exclusive", `LOCK IN SHARE MODE` for "shared"); outside one, plain reads.
   */
  readonly readLock: "exclusive" | "shared" | "none";
  /** The vindex reads and writes outside the session's transaction. */
  readonly autocommit: boolean;
}

export interface LookupWriteOptions {
  /** `INSERT IGNORE`: the owner statement was `INSERT IGNORE` (Vitess `ignoreMode`). */
  readonly ignore: boolean;
  /**
   * The vindex has `autocommit=true` (or `multi_shard_autocommit=true`): the write runs outside the
   * session's transaction. Deletes are never sent in that mode (Vitess: not safe).
   */
  readonly autocommit: boolean;
}

/**
 * Access to the table behind a lookup vindex. Only the interface lives here: the planner supplies
 * the implementation that runs the statements on the lookup table's keyspace.
 */
export interface LookupBackend {
  /**
   * `SELECT fromColumn, toColumn FROM table WHERE fromColumn IN (values)`. The result is keyed by the
   * very value objects passed in (identity, not equality, so collation-equal strings need no
   * canonical form here); a value with no row may be absent or map to an empty list. NULLs are
   * never passed.
   */
  select(
    table: string,
    fromColumn: string,
    toColumn: string,
    values: readonly SqlValue[],
    options?: LookupSelectOptions,
  ): Promise<Map<SqlValue, Uint8Array[]>>;
  /** `INSERT [IGNORE] INTO table (fromColumns..., toColumn) VALUES ...`, one statement for all rows. */
  insert(table: string, fromColumns: readonly string[], toColumn: string, rows: readonly LookupRow[], options: LookupWriteOptions): Promise<void>;
  /** `DELETE FROM table WHERE fromColumns = ... AND toColumn = keyspaceId`, once per row. */
  delete(table: string, fromColumns: readonly string[], toColumn: string, rows: readonly LookupRow[]): Promise<void>;
}

/** A lookup vindex whose table rows are written along with the owner table's rows. */
export interface OwnedLookupVindex extends SingleColumnVindex {
  readonly needsLookup: true;
  /** The owner table inserted these rows: add their entries. */
  create(rows: readonly LookupRow[], options?: { ignore?: boolean }): Promise<void>;
  /** The owner table deleted these rows: remove their entries. */
  delete(rows: readonly LookupRow[]): Promise<void>;
}
