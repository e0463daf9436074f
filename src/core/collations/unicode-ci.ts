/**
 * utf8mb4_unicode_ci / utf8mb3_unicode_ci (and the _nopad_ variants): the Unicode Collation Algorithm
 * with the UCA 4.0.0 table, primary level only, as MySQL and MariaDB implement it (strings/ctype-uca.c):
 *
 * - a character maps to zero or more primary weights: none for ignorables (most controls, combining
 *   marks: 'e' + U+0301 = 'e'), several for expansions ('ß' = 'ss', 'æ' = 'ae', 'ĳ' = 'ij');
 * - variable weighting is "non-ignorable": punctuation and spaces have ordinary primary weights;
 * - no contractions (those belong to the language-specific UCA collations);
 * - code points the table does not list get UCA implicit weights: base + (cp >> 15), then
 *   (cp & 0x7FFF) | 0x8000, with base 0xFB40 for CJK unified ideographs, 0xFB80 for CJK extension A
 *   and 0xFBC0 for everything else (Hangul syllables included: the 4.0.0 table has no entries for them);
 * - every supplementary character (outside the BMP) weighs 0xFFFD;
 * - PAD SPACE (ctype-uca.inl strnncollsp_onelevel): once one weight stream ends, the rest of the other
 *   is compared with the weight of U+0020.
 *
 * Coverage: the whole of Unicode. The table (unicode-ci-data.ts) holds the server's weights for all
 * 65,536 BMP code points and the integration test re-checks every one of them; anything else is a
 * supplementary character. Only malformed UTF-8 (which the server never sends for these columns), or a
 * 4-byte character in a utf8mb3 value, throws UnsupportedComparison.
 */
import type { Collation } from "./collation.ts";
import { UNICODE_CI_DATA } from "./unicode-ci-data.ts";
import { UnsupportedComparison } from "./unsupported-comparison.ts";
import { codePointAt, utf8Length } from "./utf8.ts";
import { BMP_SIZE, forEachExplicitWeight } from "./weight-table.ts";

const SUPPLEMENTARY_WEIGHT = 0xfffd;

/** CJK compatibility ideographs in U+FA0E..U+FA29 that UCA treats as unified ideographs. */
const UNIFIED_COMPATIBILITY = new Set([0xfa0e, 0xfa0f, 0xfa11, 0xfa13, 0xfa14, 0xfa1f, 0xfa21, 0xfa23, 0xfa24, 0xfa27, 0xfa28, 0xfa29]);

/** The UCA 4.0.0 implicit weights of a BMP code point the table does not list. */
export function unicodeCiImplicitWeights(cp: number): [number, number] {
  let base = 0xfbc0;
  if ((cp >= 0x4e00 && cp <= 0x9fa5) || UNIFIED_COMPATIBILITY.has(cp)) base = 0xfb40;
  else if (cp >= 0x3400 && cp <= 0x4db5) base = 0xfb80;
  return [base + (cp >> 15), (cp & 0x7fff) | 0x8000];
}

interface UcaTable {
  /** Weights of code point cp are pool[offsets[cp]] .. pool[offsets[cp + 1] - 1]. */
  readonly offsets: Uint32Array;
  readonly pool: Uint16Array;
}

let table: UcaTable | undefined;

function ucaTable(): UcaTable {
  if (table !== undefined) return table;
  const explicit = new Map<number, readonly number[]>();
  forEachExplicitWeight(UNICODE_CI_DATA, (cp, weights) => explicit.set(cp, weights));
  const offsets = new Uint32Array(BMP_SIZE + 1);
  for (let cp = 0; cp < BMP_SIZE; cp++) offsets[cp + 1] = offsets[cp]! + (explicit.get(cp)?.length ?? 2);
  const pool = new Uint16Array(offsets[BMP_SIZE]!);
  for (let cp = 0; cp < BMP_SIZE; cp++) pool.set(explicit.get(cp) ?? unicodeCiImplicitWeights(cp), offsets[cp]!);
  table = { offsets, pool };
  return table;
}

/** The primary weights of one code point (tests and table regeneration). */
export function unicodeCiWeights(cp: number): number[] {
  if (cp > 0xffff) return [SUPPLEMENTARY_WEIGHT];
  const { offsets, pool } = ucaTable();
  return [...pool.subarray(offsets[cp]!, offsets[cp + 1]!)];
}

/** Walks the primary weights of one string without allocating. */
class WeightCursor {
  private bytes: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private next = 0;
  private stop = 0;

  constructor(
    private readonly offsets: Uint32Array,
    private readonly pool: Uint16Array,
    private readonly name: string,
    private readonly maxCodePoint: number,
  ) {}

  reset(bytes: Uint8Array): this {
    this.bytes = bytes;
    this.pos = 0;
    this.next = 0;
    this.stop = 0;
    return this;
  }

  /** The next weight, or -1 once the string has no more. */
  weight(): number {
    for (;;) {
      if (this.next < this.stop) return this.pool[this.next++]!;
      const bytes = this.bytes;
      const pos = this.pos;
      if (pos >= bytes.length) return -1;
      let cp = bytes[pos]!;
      if (cp < 0x80) {
        this.pos = pos + 1;
      } else {
        cp = codePointAt(bytes, pos, bytes.length);
        if (cp < 0 || cp > this.maxCodePoint) {
          throw new UnsupportedComparison(`malformed byte sequence at offset ${pos} for collation ${this.name}`);
        }
        this.pos = pos + utf8Length(cp);
        if (cp > 0xffff) return SUPPLEMENTARY_WEIGHT;
      }
      this.next = this.offsets[cp]!;
      this.stop = this.offsets[cp + 1]!;
    }
  }
}

export function unicodeCiCollation(id: number, name: string, padSpace: boolean, maxCodePoint: number): Collation {
  const { offsets, pool } = ucaTable();
  const spaceWeight = pool[offsets[0x20]!]!;
  const left = new WeightCursor(offsets, pool, name, maxCodePoint);
  const right = new WeightCursor(offsets, pool, name, maxCodePoint);
  const single = new WeightCursor(offsets, pool, name, maxCodePoint);

  const compare = (a: Uint8Array, b: Uint8Array): number => {
    const s = left.reset(a);
    const t = right.reset(b);
    let sw: number;
    let tw: number;
    do {
      sw = s.weight();
      tw = t.weight();
    } while (sw === tw && sw > 0);
    if (padSpace && sw > 0 && tw < 0) {
      for (; sw > 0; sw = s.weight()) if (sw !== spaceWeight) return sw - spaceWeight;
      return 0;
    }
    if (padSpace && sw < 0 && tw > 0) {
      for (; tw > 0; tw = t.weight()) if (tw !== spaceWeight) return spaceWeight - tw;
      return 0;
    }
    return sw - tw;
  };

  const key = (value: Uint8Array): Uint8Array => {
    const cursor = single.reset(value);
    const out: number[] = [];
    let kept = 0;
    for (let w = cursor.weight(); w > 0; w = cursor.weight()) {
      out.push(w >> 8, w & 0xff);
      if (!padSpace || w !== spaceWeight) kept = out.length;
    }
    return Uint8Array.from(out.slice(0, kept));
  };

  return { id, name, padSpace, compare, key };
}
