import { sqlValueBytes, type SqlValue } from "./sql-value.ts";
import { FunctionalVindexBase } from "./vindex.ts";

/**
 * XXH64 with seed 0 (the cespare/xxhash `Sum64` Vitess uses), in 32-bit halves: BigInt arithmetic
 * would allocate on every step of the per-value path. Each 64-bit quantity is a (hi, lo) pair of
 * uint32 numbers; helpers leave their result in `H`/`L`.
 */

const P1H = 0x9e3779b1, P1L = 0x85ebca87;
const P2H = 0xc2b2ae3d, P2L = 0x27d4eb4f;
const P3H = 0x165667b1, P3L = 0x9e3779f9;
const P4H = 0x85ebca77, P4L = 0xc2b2ae63;
const P5H = 0x27d4eb2f, P5L = 0x165667c5;

let H = 0;
let L = 0;

/** (ah:al) * (bh:bl) mod 2^64. */
function mul(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
  const mid = a0 * b1 + a1 * b0; // < 2^33, exact
  const low = a0 * b0 + (mid % 65536) * 65536; // < 2^33
  L = low >>> 0;
  H = (a1 * b1 + Math.floor(mid / 65536) + Math.floor(low / 4294967296) + Math.imul(al, bh) + Math.imul(ah, bl)) >>> 0;
}

function add(ah: number, al: number, bh: number, bl: number): void {
  const low = al + bl;
  L = low >>> 0;
  H = (ah + bh + (low > 0xffffffff ? 1 : 0)) >>> 0;
}

/** Rotate left by 0 < n < 32. */
function rotl(h: number, l: number, n: number): void {
  H = ((h << n) | (l >>> (32 - n))) >>> 0;
  L = ((l << n) | (h >>> (32 - n))) >>> 0;
}

/** XXH64 round: rotl(acc + lane * P2, 31) * P1. */
function round(accH: number, accL: number, laneH: number, laneL: number): void {
  mul(laneH, laneL, P2H, P2L);
  add(accH, accL, H, L);
  rotl(H, L, 31);
  mul(H, L, P1H, P1L);
}

function u32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

/** XXH64(input, seed 0), left in H:L. */
function xxh64(input: Uint8Array): void {
  const n = input.length;
  let p = 0;
  let hH: number, hL: number;
  if (n >= 32) {
    // v1 = P1 + P2, v2 = P2, v3 = 0, v4 = -P1 (all mod 2^64)
    add(P1H, P1L, P2H, P2L);
    let v1H = H, v1L = L;
    let v2H = P2H, v2L = P2L;
    let v3H = 0, v3L = 0;
    let v4H = ~P1H >>> 0, v4L = (-P1L) >>> 0; // two's complement; P1's low half is not 0, so no carry
    for (; p + 32 <= n; p += 32) {
      round(v1H, v1L, u32(input, p + 4), u32(input, p));
      v1H = H; v1L = L;
      round(v2H, v2L, u32(input, p + 12), u32(input, p + 8));
      v2H = H; v2L = L;
      round(v3H, v3L, u32(input, p + 20), u32(input, p + 16));
      v3H = H; v3L = L;
      round(v4H, v4L, u32(input, p + 28), u32(input, p + 24));
      v4H = H; v4L = L;
    }
    rotl(v1H, v1L, 1);
    hH = H; hL = L;
    rotl(v2H, v2L, 7);
    add(hH, hL, H, L);
    hH = H; hL = L;
    rotl(v3H, v3L, 12);
    add(hH, hL, H, L);
    hH = H; hL = L;
    rotl(v4H, v4L, 18);
    add(hH, hL, H, L);
    hH = H; hL = L;
    for (const [vH, vL] of [[v1H, v1L], [v2H, v2L], [v3H, v3L], [v4H, v4L]] as const) {
      // h = (h ^ round(0, v)) * P1 + P4
      round(0, 0, vH, vL);
      mul((hH ^ H) >>> 0, (hL ^ L) >>> 0, P1H, P1L);
      add(H, L, P4H, P4L);
      hH = H; hL = L;
    }
  } else {
    hH = P5H; hL = P5L;
  }
  // h += length (as uint64)
  add(hH, hL, Math.floor(n / 4294967296), n >>> 0);
  hH = H; hL = L;
  for (; p + 8 <= n; p += 8) {
    round(0, 0, u32(input, p + 4), u32(input, p));
    rotl((hH ^ H) >>> 0, (hL ^ L) >>> 0, 27);
    mul(H, L, P1H, P1L);
    add(H, L, P4H, P4L);
    hH = H; hL = L;
  }
  if (p + 4 <= n) {
    mul(0, u32(input, p), P1H, P1L);
    rotl((hH ^ H) >>> 0, (hL ^ L) >>> 0, 23);
    mul(H, L, P2H, P2L);
    add(H, L, P3H, P3L);
    hH = H; hL = L;
    p += 4;
  }
  for (; p < n; p++) {
    mul(0, input[p]!, P5H, P5L);
    rotl((hH ^ H) >>> 0, (hL ^ L) >>> 0, 11);
    mul(H, L, P1H, P1L);
    hH = H; hL = L;
  }
  // Avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32.
  hL = (hL ^ (hH >>> 1)) >>> 0;
  mul(hH, hL, P2H, P2L);
  hH = H; hL = L;
  hL = (hL ^ ((hL >>> 29) | (hH << 3))) >>> 0;
  hH = (hH ^ (hH >>> 29)) >>> 0;
  mul(hH, hL, P3H, P3L);
  L = (L ^ H) >>> 0;
}

/** XXH64 of the bytes with seed 0, as a bigint. */
export function xxhash64(input: Uint8Array): bigint {
  xxh64(input);
  return (BigInt(H) << 32n) | BigInt(L);
}

/** Vitess's `xxhash` keyspace id: XXH64 of the value's bytes, written little-endian (vXXHash). */
export function xxhashKeyspaceId(input: Uint8Array): Uint8Array {
  xxh64(input);
  const out = new Uint8Array(8);
  out[0] = L; out[1] = L >>> 8; out[2] = L >>> 16; out[3] = L >>> 24;
  out[4] = H; out[5] = H >>> 8; out[6] = H >>> 16; out[7] = H >>> 24;
  return out;
}

/**
 * Vitess's `xxhash` vindex hashes `Value.ToBytes`: a number's decimal text (so INT64 -1 and UINT64
 * 2^64-1 differ, unlike `hash`), a string's bytes, and for NULL the empty input; every value maps.
 */
export class XxhashVindex extends FunctionalVindexBase {
  readonly type = "xxhash";
  readonly cost = 1;

  override mapValue(value: SqlValue): Uint8Array {
    return xxhashKeyspaceId(sqlValueBytes(value));
  }
}
