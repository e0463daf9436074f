import { md5 } from "./md5.ts";
import { sqlValueBytes, type SqlValue } from "./sql-value.ts";
import { FunctionalVindexBase } from "./vindex.ts";

/**
 * Vitess's `binary_md5` vindex: the keyspace id is the 16-byte MD5 of the value's bytes
 * (`Value.ToBytes`), so it is case- and accent-sensitive: 'Test' and 'TEST' land apart. NULL hashes
 * the empty input.
 */
export class BinaryMd5Vindex extends FunctionalVindexBase {
  readonly type = "binary_md5";
  readonly cost = 1;

  override mapValue(value: SqlValue): Uint8Array {
    return md5(sqlValueBytes(value));
  }
}
