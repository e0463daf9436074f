import { sqlValueToUint64, type SqlValue } from "./sql-value.ts";
import { FunctionalVindexBase, type ReversibleVindex } from "./vindex.ts";

/**
 * Vitess's `numeric` vindex: the keyspace id is the value as 8 big-endian bytes (identity), for
 * tables whose key already spreads evenly. Values go through `ToUint64`, so unlike `hash` a negative
 * INT64 maps to nothing, as do DECIMAL/DOUBLE, non-numeric strings and NULL.
 */
export class NumericVindex extends FunctionalVindexBase implements ReversibleVindex {
  readonly type = "numeric";
  readonly cost = 0;

  override mapValue(value: SqlValue): Uint8Array | null {
    const n = sqlValueToUint64(value);
    if (n === undefined) return null;
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, n);
    return out;
  }

  reverseMap(keyspaceIds: readonly Uint8Array[]): SqlValue[] {
    return keyspaceIds.map((id) => {
      if (id.length !== 8) throw new Error(`Numeric.ReverseMap: length of keyspaceId is not 8: ${id.length}`);
      return { kind: "uint", value: new DataView(id.buffer, id.byteOffset, 8).getBigUint64(0) };
    });
  }
}
