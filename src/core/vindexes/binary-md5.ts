import { md5 } from "./md5.ts";
import { sqlValueBytes, type SqlValue } from "./sql-value.ts";
import type { FunctionalVindex } from "./vindex.ts";

/**
 * Vitess's `binary_md5` vindex: the keyspace id is the 16-byte MD5 of the value's bytes
 * (`Value.ToBytes`), so it is case- and accent-sensitive: 'Test' and 'TEST' land apart. NULL hashes
 * the empty input.
 */
export class BinaryMd5Vindex implements FunctionalVindex {
  readonly type = "binary_md5";
  readonly cost = 1;
  readonly unique = true;
  readonly needsLookup = false;

  mapValue(value: SqlValue): Uint8Array {
    return md5(sqlValueBytes(value));
  }

  async map(values: readonly SqlValue[]): Promise<Uint8Array[]> {
    return values.map((v) => this.mapValue(v));
  }
}
