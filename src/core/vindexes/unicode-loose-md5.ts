import { md5 } from "./md5.ts";
import { sqlValueBytes, type SqlValue } from "./sql-value.ts";
import { LOOSE_TABLE_LIMIT, looseCovered, looseOffsets, looseWeights } from "./unicode-loose-weights.ts";
import { FunctionalVindexBase } from "./vindex.ts";

/**
 * Vitess's `unicode_loose_md5` vindex: the keyspace id is the MD5 of the value's UCA level-1
 * collation key, so values that a case- and accent-insensitive collation calls equal ('Test',
 * 'TEST', 'Tést', 'Te\u0301st', 'Test ') share a keyspace id. Vitess (unicode.go): reject invalid
 * UTF-8, drop trailing ' ' (MySQL PAD SPACE), take the key of golang.org/x/text/collate for English
 * with the Loose option (CLDR root order), which is the primary weights, each written as 2 bytes
 * big-endian, or as 3 bytes with the top bit set when above 0x7FFF.
 *
 * Covered: U+0000–U+03FF, U+1E00–U+1EFF and U+2000–U+214F (all Latin-script text, Greek, IPA,
 * combining diacritics, general punctuation, currency and letterlike symbols) with the "l·"
 * contraction; see unicode-loose-weights.ts. A value with any other character (Cyrillic, CJK,
 * Arabic, emoji, ...) makes `map` reject with an error naming the character rather than guess a
 * keyspace id that could differ from Vitess's and misplace the row.
 */

let scratch = new Uint8Array(256);

/** The level-1 collation key Vitess hashes; throws on invalid UTF-8 or an uncovered character. */
export function looseCollationKey(input: Uint8Array): Uint8Array {
  let end = input.length;
  while (end > 0 && input[end - 1] === 0x20) end--;
  validateUtf8(input);
  let out = 0;
  let p = 0;
  while (p < end) {
    const b0 = input[p]!;
    let cp: number;
    let size: number;
    if (b0 < 0x80) {
      cp = b0;
      size = 1;
    } else if (b0 < 0xe0) {
      cp = ((b0 & 0x1f) << 6) | (input[p + 1]! & 0x3f);
      size = 2;
    } else if (b0 < 0xf0) {
      cp = ((b0 & 0x0f) << 12) | ((input[p + 1]! & 0x3f) << 6) | (input[p + 2]! & 0x3f);
      size = 3;
    } else {
      cp = ((b0 & 0x07) << 18) | ((input[p + 1]! & 0x3f) << 12) | ((input[p + 2]! & 0x3f) << 6) | (input[p + 3]! & 0x3f);
      size = 4;
    }
    if (cp >= LOOSE_TABLE_LIMIT || looseCovered[cp] === 0) {
      throw new Error(
        `unicode_loose_md5: no collation weights for U+${cp.toString(16).toUpperCase().padStart(4, "0")}: ` +
          "shardgate covers U+0000-U+03FF, U+1E00-U+1EFF and U+2000-U+214F",
      );
    }
    p += size;
    // CLDR root contraction: "l" or "L" followed by a middle dot (U+00B7, or U+0387 which is
    // canonically equivalent) weighs as the letter alone.
    if ((cp === 0x4c || cp === 0x6c) && p + 2 <= end) {
      const c0 = input[p]!;
      const c1 = input[p + 1]!;
      if ((c0 === 0xc2 && c1 === 0xb7) || (c0 === 0xce && c1 === 0x87)) p += 2;
    }
    const from = looseOffsets[cp]!;
    const to = looseOffsets[cp + 1]!;
    if (out + (to - from) * 3 > scratch.length) {
      const bigger = new Uint8Array(Math.max(scratch.length * 2, out + (to - from) * 3));
      bigger.set(scratch.subarray(0, out));
      scratch = bigger;
    }
    for (let i = from; i < to; i++) {
      const w = looseWeights[i]!;
      if (w <= 0x7fff) {
        scratch[out++] = w >>> 8;
        scratch[out++] = w;
      } else {
        scratch[out++] = (w >>> 16) | 0x80;
        scratch[out++] = w >>> 8;
        scratch[out++] = w;
      }
    }
  }
  return scratch.slice(0, out);
}

/** Go's `utf8.Valid`: no overlong forms, no surrogates, nothing above U+10FFFF, no truncation. */
function validateUtf8(input: Uint8Array): void {
  const end = input.length;
  let p = 0;
  while (p < end) {
    const b0 = input[p]!;
    if (b0 < 0x80) {
      p++;
      continue;
    }
    let size: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf) size = 2;
    else if (b0 >= 0xe0 && b0 <= 0xef) {
      size = 3;
      if (b0 === 0xe0) lo = 0xa0;
      else if (b0 === 0xed) hi = 0x9f;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      size = 4;
      if (b0 === 0xf0) lo = 0x90;
      else if (b0 === 0xf4) hi = 0x8f;
    } else throw invalidUtf8(input);
    if (p + size > end) throw invalidUtf8(input);
    const b1 = input[p + 1]!;
    if (b1 < lo || b1 > hi) throw invalidUtf8(input);
    for (let i = 2; i < size; i++) {
      const b = input[p + i]!;
      if (b < 0x80 || b > 0xbf) throw invalidUtf8(input);
    }
    p += size;
  }
}

function invalidUtf8(input: Uint8Array): Error {
  const shown = Array.from(input.subarray(0, 32), (b) => b.toString(16).padStart(2, "0")).join("");
  return new Error(`unicode_loose_md5: cannot normalize string containing invalid UTF-8: x'${shown}${input.length > 32 ? "…" : ""}'`);
}

export class UnicodeLooseMd5Vindex extends FunctionalVindexBase {
  readonly type = "unicode_loose_md5";
  readonly cost = 1;

  /** Throws on invalid UTF-8 (as Vitess's Map errors) or a character outside the covered ranges. */
  override mapValue(value: SqlValue): Uint8Array {
    return md5(looseCollationKey(sqlValueBytes(value)));
  }
}
