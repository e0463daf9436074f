/**
 * DES (FIPS 46-3) on single 8-byte blocks, for Vitess's `hash` vindex: the keyspace id is the DES
 * encryption, under an all-zero key, of the value as a big-endian uint64, and reverse mapping is the
 * decryption. Node 20's OpenSSL 3 refuses DES without the legacy provider and Web Crypto has none,
 * so it lives here.
 *
 * The block is held as two 32-bit halves. The initial and final permutations go through per-byte
 * lookup tables, each S-box is merged with the P permutation, and the round keys are pre-arranged
 * ("cooked") so that a round is two XORs and eight lookups; all tables are built once at module load
 * from the standard ones below.
 */

// FIPS 46-3 tables; bit positions count from 1 at the most significant bit.
const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
  57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];
const P = [16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25];
const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
  63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
  41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
// S1..S8, each 4 rows of 16.
const S = [
  "14 4 13 1 2 15 11 8 3 10 6 12 5 9 0 7 0 15 7 4 14 2 13 1 10 6 12 11 9 5 3 8 4 1 14 8 13 6 2 11 15 12 9 7 3 10 5 0 15 12 8 2 4 9 1 7 5 11 3 14 10 0 6 13",
  "15 1 8 14 6 11 3 4 9 7 2 13 12 0 5 10 3 13 4 7 15 2 8 14 12 0 1 10 6 9 11 5 0 14 7 11 10 4 13 1 5 8 12 6 9 3 2 15 13 8 10 1 3 15 4 2 11 6 7 12 0 5 14 9",
  "10 0 9 14 6 3 15 5 1 13 12 7 11 4 2 8 13 7 0 9 3 4 6 10 2 8 5 14 12 11 15 1 13 6 4 9 8 15 3 0 11 1 2 12 5 10 14 7 1 10 13 0 6 9 8 7 4 15 14 3 11 5 2 12",
  "7 13 14 3 0 6 9 10 1 2 8 5 11 12 4 15 13 8 11 5 6 15 0 3 4 7 2 12 1 10 14 9 10 6 9 0 12 11 7 13 15 1 3 14 5 2 8 4 3 15 0 6 10 1 13 8 9 4 5 11 12 7 2 14",
  "2 12 4 1 7 10 11 6 8 5 3 15 13 0 14 9 14 11 2 12 4 7 13 1 5 0 15 10 3 9 8 6 4 2 1 11 10 13 7 8 15 9 12 5 6 3 0 14 11 8 12 7 1 14 2 13 6 15 0 9 10 4 5 3",
  "12 1 10 15 9 2 6 8 0 13 3 4 14 7 5 11 10 15 4 2 7 12 9 5 6 1 13 14 0 11 3 8 9 14 15 5 2 8 12 3 7 0 4 10 1 13 11 6 4 3 2 12 9 5 15 10 11 14 1 7 6 0 8 13",
  "4 11 2 14 15 0 8 13 3 12 9 7 5 10 6 1 13 0 11 7 4 9 1 10 14 3 5 12 2 15 8 6 1 4 11 13 12 3 7 14 10 15 6 8 0 5 9 2 6 11 13 8 1 4 10 7 9 5 0 15 14 2 3 12",
  "13 2 8 4 6 15 11 1 10 9 3 14 5 0 12 7 1 15 13 8 10 3 7 4 12 5 6 11 0 14 9 2 7 11 4 1 9 12 14 2 0 6 10 13 15 3 5 8 2 1 14 7 4 10 8 13 15 12 9 0 3 5 6 11",
].map((row) => row.split(" ").map(Number));

/**
 * A 64-bit permutation as lookup tables: for input byte `b` with value `v`, entries
 * `[(b*256+v)*2]` and `[... + 1]` hold the output bits it contributes to the high and low halves.
 */
function permutationTables(table: readonly number[]): Int32Array {
  const out = new Int32Array(8 * 256 * 2);
  for (let q = 0; q < 64; q++) {
    const p = table[q]! - 1; // input bit feeding output bit q
    const byte = p >> 3;
    const mask = 0x80 >> (p & 7);
    const half = q < 32 ? 0 : 1;
    const bit = 1 << (31 - (q & 31));
    for (let v = 0; v < 256; v++) if (v & mask) out[(byte * 256 + v) * 2 + half]! |= bit;
  }
  return out;
}

const FP = new Array<number>(64);
IP.forEach((p, q) => (FP[p - 1] = q + 1));
const IP_TABLES = permutationTables(IP);
const FP_TABLES = permutationTables(FP);

/** `SP[j*64 + g]`: S-box j applied to the 6-bit group g, its 4 bits placed and then permuted by P. */
const SP = new Int32Array(8 * 64);
for (let j = 0; j < 8; j++) {
  for (let g = 0; g < 64; g++) {
    const row = ((g >> 4) & 2) | (g & 1);
    const col = (g >> 1) & 15;
    const placed = S[j]![row * 16 + col]! << (28 - 4 * j);
    let permuted = 0;
    for (let i = 0; i < 32; i++) if (placed & (1 << (32 - P[i]!))) permuted |= 1 << (31 - i);
    SP[j * 64 + g] = permuted;
  }
}

/**
 * The 16 round keys in encryption and in decryption order, each as two 32-bit words laid out to be
 * XORed straight onto rotated copies of R (see {@link desCryptHalves}): word 0 holds the 6-bit groups
 * 0, 2, 4, 6 in its four bytes, word 1 the groups 1, 3, 5, 7.
 */
export interface DesKeySchedule {
  readonly encrypt: Int32Array;
  readonly decrypt: Int32Array;
}

/** The 48-bit round keys of `key` as eight 6-bit groups each (FIPS 46-3 key schedule). */
export function desRoundKeyGroups(key: Uint8Array): number[][] {
  if (key.length !== 8) throw new RangeError(`DES key must be 8 bytes, got ${key.length}`);
  const bit = (p: number) => (key[(p - 1) >> 3]! >> (7 - ((p - 1) & 7))) & 1;
  // Parity bits (the low bit of each key byte) are dropped by PC-1.
  let c = PC1.slice(0, 28).map(bit);
  let d = PC1.slice(28).map(bit);
  const rounds: number[][] = [];
  for (let round = 0; round < 16; round++) {
    const n = SHIFTS[round]!;
    c = [...c.slice(n), ...c.slice(0, n)];
    d = [...d.slice(n), ...d.slice(0, n)];
    const cd = [...c, ...d];
    const groups: number[] = [];
    for (let g = 0; g < 8; g++) {
      let v = 0;
      for (let i = 0; i < 6; i++) v = (v << 1) | cd[PC2[g * 6 + i]! - 1]!;
      groups.push(v);
    }
    rounds.push(groups);
  }
  return rounds;
}

export function desKeySchedule(key: Uint8Array): DesKeySchedule {
  const rounds = desRoundKeyGroups(key);
  const encrypt = new Int32Array(32);
  rounds.forEach((k, round) => {
    encrypt[round * 2] = (k[0]! << 24) | (k[2]! << 16) | (k[4]! << 8) | k[6]!;
    encrypt[round * 2 + 1] = (k[1]! << 24) | (k[3]! << 16) | (k[5]! << 8) | k[7]!;
  });
  const decrypt = new Int32Array(32);
  for (let round = 0; round < 16; round++) decrypt.set(encrypt.subarray((15 - round) * 2, (16 - round) * 2), round * 2);
  return { encrypt, decrypt };
}

/** The schedule of the all-zero key used by Vitess's `hash` vindex. */
export const ZERO_KEY_SCHEDULE: DesKeySchedule = desKeySchedule(new Uint8Array(8));

/** Where {@link desCryptHalves} leaves its result: [high 32 bits, low 32 bits]. */
export const desOut = new Int32Array(2);

/**
 * Encrypts (or decrypts, given `schedule.decrypt`) the block whose big-endian halves are `hi` and
 * `lo`, writing the result to {@link desOut}. Allocation-free, for the per-value hash path.
 */
export function desCryptHalves(roundKeys: Int32Array, hi: number, lo: number): void {
  let l = 0;
  let r = 0;
  for (let b = 0; b < 4; b++) {
    const i = (b * 256 + ((hi >>> (24 - 8 * b)) & 255)) * 2;
    const k = ((b + 4) * 256 + ((lo >>> (24 - 8 * b)) & 255)) * 2;
    l |= IP_TABLES[i]! | IP_TABLES[k]!;
    r |= IP_TABLES[i + 1]! | IP_TABLES[k + 1]!;
  }
  // E expansion: group j is bits 4j..4j+5 of R with bit 32 wrapped in front and bit 1 behind.
  // rotr(R, 3) holds groups 0, 2, 4, 6 and rotl(R, 1) groups 1, 3, 5, 7 in the low 6 bits of their
  // bytes, which is how the round keys are laid out, so each round is two XORs and eight lookups.
  for (let k = 0; k < 32; k += 2) {
    const z = ((r >>> 3) | (r << 29)) ^ roundKeys[k]!;
    const w = ((r << 1) | (r >>> 31)) ^ roundKeys[k + 1]!;
    const f =
      SP[(z >>> 24) & 63]! |
      SP[128 + ((z >>> 16) & 63)]! |
      SP[256 + ((z >>> 8) & 63)]! |
      SP[384 + (z & 63)]! |
      SP[64 + ((w >>> 24) & 63)]! |
      SP[192 + ((w >>> 16) & 63)]! |
      SP[320 + ((w >>> 8) & 63)]! |
      SP[448 + (w & 63)]!;
    const next = l ^ f;
    l = r;
    r = next;
  }
  // The output of the last round is taken as R16 L16 before the final permutation.
  let outHi = 0;
  let outLo = 0;
  for (let b = 0; b < 4; b++) {
    const i = (b * 256 + ((r >>> (24 - 8 * b)) & 255)) * 2;
    const k = ((b + 4) * 256 + ((l >>> (24 - 8 * b)) & 255)) * 2;
    outHi |= FP_TABLES[i]! | FP_TABLES[k]!;
    outLo |= FP_TABLES[i + 1]! | FP_TABLES[k + 1]!;
  }
  desOut[0] = outHi;
  desOut[1] = outLo;
}

export function desEncryptBlock(schedule: DesKeySchedule, block: Uint8Array): Uint8Array {
  return cryptBlock(schedule.encrypt, block);
}

export function desDecryptBlock(schedule: DesKeySchedule, block: Uint8Array): Uint8Array {
  return cryptBlock(schedule.decrypt, block);
}

function cryptBlock(roundKeys: Int32Array, block: Uint8Array): Uint8Array {
  if (block.length !== 8) throw new RangeError(`DES block must be 8 bytes, got ${block.length}`);
  const view = new DataView(block.buffer, block.byteOffset, 8);
  desCryptHalves(roundKeys, view.getUint32(0), view.getUint32(4));
  const out = new Uint8Array(8);
  writeHalves(out, desOut[0]!, desOut[1]!);
  return out;
}

/** Writes two 32-bit halves big-endian into `out[0..8)`. */
export function writeHalves(out: Uint8Array, hi: number, lo: number): void {
  out[0] = hi >>> 24;
  out[1] = hi >>> 16;
  out[2] = hi >>> 8;
  out[3] = hi;
  out[4] = lo >>> 24;
  out[5] = lo >>> 16;
  out[6] = lo >>> 8;
  out[7] = lo;
}
