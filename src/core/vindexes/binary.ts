import { sqlValueBytes, type SqlValue } from "./sql-value.ts";
import { FunctionalVindexBase, type ReversibleVindex } from "./vindex.ts";

/**
 * Vitess's `binary` vindex: the keyspace id is the value's bytes as they are (`Value.ToBytes`: a
 * string's bytes, a number's decimal text, NULL → the empty id, which sorts first). For keys that are
 * already keyspace ids, e.g. a `varbinary` column holding them.
 */
export class BinaryVindex extends FunctionalVindexBase implements ReversibleVindex {
  readonly type = "binary";
  readonly cost = 0;

  override mapValue(value: SqlValue): Uint8Array {
    // A copy: the id must not change if the caller reuses the value's buffer.
    return sqlValueBytes(value).slice();
  }

  /** The id back as a binary string. */
  reverseMap(keyspaceIds: readonly Uint8Array[]): SqlValue[] {
    return keyspaceIds.map((id) => ({ kind: "string", bytes: id.slice() }));
  }
}
