import { sqlValueBytes, type SqlValue } from "./sql-value.ts";
import type { FunctionalVindex, ReversibleVindex } from "./vindex.ts";

/**
 * Vitess's `binary` vindex: the keyspace id is the value's bytes as they are (`Value.ToBytes`: a
 * string's bytes, a number's decimal text, NULL → the empty id, which sorts first). For keys that are
 * already keyspace ids, e.g. a `varbinary` column holding them.
 */
export class BinaryVindex implements FunctionalVindex, ReversibleVindex {
  readonly type = "binary";
  readonly cost = 0;
  readonly unique = true;
  readonly needsLookup = false;

  mapValue(value: SqlValue): Uint8Array {
    // A copy: the id must not change if the caller reuses the value's buffer.
    return sqlValueBytes(value).slice();
  }

  async map(values: readonly SqlValue[]): Promise<Uint8Array[]> {
    return values.map((v) => this.mapValue(v));
  }

  /** The id back as a binary string. */
  reverseMap(keyspaceIds: readonly Uint8Array[]): SqlValue[] {
    return keyspaceIds.map((id) => ({ kind: "string", bytes: id.slice() }));
  }
}
