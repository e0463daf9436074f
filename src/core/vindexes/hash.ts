import { desCryptHalves, desOut, writeHalves, ZERO_KEY_SCHEDULE } from "./des.ts";
import { sqlValueToUint64, type SqlValue } from "./sql-value.ts";
import { FunctionalVindexBase, type ReversibleVindex } from "./vindex.ts";

const MASK32 = 0xffffffffn;
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Vitess's `hash` vindex: the keyspace id of a uint64 is its 8 big-endian bytes DES-encrypted under
 * the all-zero key (vhash in hash.go; an earlier 3DES form with a null key gives the same bytes).
 */
export function vitessHash(value: bigint): Uint8Array {
  return encryptHalves(Number((value >> 32n) & MASK32), Number(value & MASK32));
}

function encryptHalves(hi: number, lo: number): Uint8Array {
  desCryptHalves(ZERO_KEY_SCHEDULE.encrypt, hi, lo);
  const out = new Uint8Array(8);
  writeHalves(out, desOut[0]!, desOut[1]!);
  return out;
}

/** The inverse of {@link vitessHash}; throws unless the id is 8 bytes (Vitess's message). */
export function vitessUnhash(keyspaceId: Uint8Array): bigint {
  if (keyspaceId.length !== 8) throw new Error(`invalid keyspace id: ${hex(keyspaceId)}`);
  const k = keyspaceId;
  const hi = ((k[0]! << 24) | (k[1]! << 16) | (k[2]! << 8) | k[3]!) >>> 0;
  const lo = ((k[4]! << 24) | (k[5]! << 16) | (k[6]! << 8) | k[7]!) >>> 0;
  desCryptHalves(ZERO_KEY_SCHEDULE.decrypt, hi, lo);
  return (BigInt(desOut[0]! >>> 0) << 32n) | BigInt(desOut[1]! >>> 0);
}

/**
 * The uint64 Vitess hashes for a value, or undefined for "no keyspace id". A signed INT64 keeps its
 * bit pattern (-1 hashes as 2^64-1, like `uint64(int64)` in hash.go); everything else goes through
 * `ToUint64`, so a negative number in a string, a DECIMAL/DOUBLE, a non-numeric string and NULL map
 * to nothing (Vitess: `key.DestinationNone`).
 */
export function hashInput(value: SqlValue): bigint | undefined {
  if (value.kind === "int") return BigInt.asUintN(64, value.value);
  return sqlValueToUint64(value);
}

/**
 * A value without a uint64 maps to null, not to an error: Vitess's Hash.Map answers
 * `key.DestinationNone` for it (only Verify errors), so `WHERE id = 'abc'` routes nowhere and returns
 * no rows instead of failing, exactly as through VTGate.
 */
export class HashVindex extends FunctionalVindexBase implements ReversibleVindex {
  readonly type = "hash";
  readonly cost = 1;

  override mapValue(value: SqlValue): Uint8Array | null {
    if (value.kind === "int" && value.value >= MIN_SAFE && value.value <= MAX_SAFE) {
      // The common case without BigInt arithmetic (which allocates): the two's complement halves of
      // a safe integer, by float division (floor keeps the sign for the high half).
      const n = Number(value.value);
      return encryptHalves(Math.floor(n / 4294967296), n >>> 0);
    }
    const n = hashInput(value);
    return n === undefined ? null : vitessHash(n);
  }

  /** Values come back as UINT64, as in Vitess (a negative INT64 comes back as its two's complement). */
  reverseMap(keyspaceIds: readonly Uint8Array[]): SqlValue[] {
    return keyspaceIds.map((id) => ({ kind: "uint", value: vitessUnhash(id) }));
  }
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += (b < 16 ? "0" : "") + b.toString(16);
  return out;
}
