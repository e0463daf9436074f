/**
 * utf8mb4_general_ci / utf8mb3_general_ci (and their _nopad_ variants): MySQL's "general" collation.
 * Every character has exactly one 16-bit weight from a per-plane sort table (my_unicase_default in
 * strings/ctype-utf8.c): upper-cased and, in Latin-1 and Latin Extended, accent-stripped — 'é' = 'E',
 * 'ß' = 'S' (not 'SS': 'ß' = 's' here but 'ß' = 'ss' in unicode_ci), 'Ø', 'Æ', 'Ð', 'Þ' keep their own
 * weight. Characters outside the BMP all weigh 0xFFFD (so every emoji is equal to every other). There
 * are no expansions or contractions, so strings compare weight by weight (strings/strcoll.inl):
 * PAD SPACE pads the shorter string with space weights (0x20), so 'a' = 'a  ' and 'a\t' < 'a'.
 *
 * The table is MariaDB 10.11's, read with WEIGHT_STRING() for all 65,536 BMP code points (the same
 * for utf8mb3 and utf8mb4); the default weight of a code point is the code point itself.
 */
import type { Collation } from "./collation.ts";
import { UnsupportedComparison } from "./unsupported-comparison.ts";
import { codePointAt, utf8Length } from "./utf8.ts";
import { BMP_SIZE, forEachExplicitWeight } from "./weight-table.ts";

const GENERAL_CI_DATA = [
  "i61 q1a:41 i3a 39c ia s6:41 i1 43 s4:45 s4:49 i1 q2:4e s4:4f i2 s4:55 59 i1 53 s6:41 c6 43 s4:45 s4:49 d0",
  "q2:4e s4:4f i1 d8 s4:55 59 de 59 s6:41 s8:43 s2:44 i1 110 sa:45 s8:47 s2:48 i1 126 sa:49 i1 132 s2:4a s2:4b i1",
  "s6:4c i1 13f i1 141 s6:4e i2 14a s6:4f i1 152 s6:52 s8:53 s4:54 i1 166 sc:55 s2:57 s3:59 s6:5a 53 i3 182 i1",
  "184 i2 187 i3 18b i5 191 i2 1f6 i3 198 i6 s2:4f i1 1a2 i1 1a4 i2 1a7 i4 1ac i1 s2:55 i3 1b3 i1 1b5 i2 1b8 i3",
  "1bc i1 1f7 i5 s2:1c4 i1 s2:1c7 i1 s2:1ca s2:41 s2:49 s2:4f sa:55 18e s4:41 s2:c6 i1 1e4 s2:47 s2:4b s4:4f",
  "s2:1b7 4a i1 s2:1f1 s2:47 i2 s2:4e s2:41 s2:c6 s2:d8 s4:41 s4:45 s4:49 s4:4f s4:52 s4:55 s2:53 s2:54 i1 21c",
  "s2:48 i3 222 i1 224 s2:41 s2:45 s8:4f s2:59 i1f 181 186 i1 q2:189 i1 18f i1 190 i4 193 i2 194 i4 197 196 i5",
  "19c i2 19d i2 19f ia 1a6 i2 1a9 i4 1ae i1 q2:1b1 i6 1b7 ib2 399 i40 391 i1 395 397 399 i1 39f i1 3a5 3a9 399",
  "i19 399 3a5 391 395 397 399 3a5 q11:391 s2:3a3 q6:3a4 399 3a5 39f 3a5 3a9 i1 392 398 i1 s2:3d2 3a6 3a0 i4 3da",
  "i1 3dc i1 3de i1 3e0 i1 3e2 i1 3e4 i1 3e6 i1 3e8 i1 3ea i1 3ec i1 3ee 39a 3a1 3a3 id s2:415 i1 413 i3 406 i4",
  "41a 418 423 i21 q20:410 s2:415 402 413 q3:404 406 q4:408 41a 418 423 40f i1 460 i1 462 i1 464 i1 466 i1 468 i1",
  "46a i1 46c i1 46e i1 470 i1 472 i1 s3:474 i1 478 i1 47a i1 47c i1 47e i1 480 ib 48c i1 48e i1 490 i1 492 i1",
  "494 i1 496 i1 498 i1 49a i1 49c i1 49e i1 4a0 i1 4a2 i1 4a4 i1 4a6 i1 4a8 i1 4aa i1 4ac i1 4ae i1 4b0 i1 4b2",
  "i1 4b4 i1 4b6 i1 4b8 i1 4ba i1 4bc i1 4be i1 s2:416 i1 4c3 i3 4c7 i3 4cb i3 s4:410 i1 4d4 s2:415 i1 s3:4d8",
  "s2:416 s2:417 i1 4e0 s4:418 s2:41e i1 s3:4e8 s2:42d s6:423 s2:427 i2 s2:42b i67 q26:531 i1879 s2:41 s6:42",
  "s2:43 sa:44 sa:45 s2:46 s2:47 sa:48 s4:49 s6:4b s8:4c s6:4d s8:4e s8:4f s4:50 s8:52 sa:53 s8:54 sa:55 s4:56",
  "sa:57 s4:58 s2:59 s6:5a 48 54 57 59 i1 53 i4 s18:41 s10:45 s4:49 s18:4f se:55 s8:59 i6 s10:391 s6:395 i2",
  "s6:395 i2 s10:397 s10:399 s6:39f i2 s6:39f i2 s8:3a5 i1 3a5 i1 3a5 i1 3a5 i1 3a5 s10:3a9 391 1fbb 395 1fc9 397",
  "1fcb 399 1fdb 39f 1ff9 3a5 1feb 3a9 1ffb i2 s10:391 s10:397 s10:3a9 s5:391 i1 s5:391 i1 391 i1 399 i3 s3:397",
  "i1 s2:397 395 i1 397 i1 397 i3 s3:399 i3 s5:399 i5 s3:3a5 i1 s2:3a1 s5:3a5 i1 3a1 i5 s3:3a9 i1 s2:3a9 39f i1",
  "3a9 i1 3a9 i173 q10:2160 i350 q1a:24b6 ida57 q1a:ff21",
].join(" ");

const SPACE_WEIGHT = 0x20;
const SUPPLEMENTARY_WEIGHT = 0xfffd;

let table: Uint16Array | undefined;

/** The weight of every BMP code point. */
export function generalCiWeights(): Uint16Array {
  if (table === undefined) {
    const weights = new Uint16Array(BMP_SIZE);
    for (let cp = 0; cp < BMP_SIZE; cp++) weights[cp] = cp;
    forEachExplicitWeight(GENERAL_CI_DATA, (cp, explicit) => {
      if (explicit.length !== 1) throw new Error(`general_ci weight table: U+${cp.toString(16)} has ${explicit.length} weights`);
      weights[cp] = explicit[0]!;
    });
    table = weights;
  }
  return table;
}

export function generalCiCollation(id: number, name: string, padSpace: boolean, maxCodePoint: number): Collation {
  const weights = generalCiWeights();
  /** Byte length of the character weighed by the last `weightAt` call. */
  let scanned = 0;
  const weightAt = (s: Uint8Array, i: number): number => {
    const b0 = s[i]!;
    if (b0 < 0x80) {
      scanned = 1;
      return weights[b0]!;
    }
    const cp = codePointAt(s, i, s.length);
    if (cp < 0 || cp > maxCodePoint) {
      throw new UnsupportedComparison(`malformed byte sequence at offset ${i} for collation ${name}`);
    }
    scanned = utf8Length(cp);
    return cp > 0xffff ? SUPPLEMENTARY_WEIGHT : weights[cp]!;
  };

  const compare = (a: Uint8Array, b: Uint8Array): number => {
    let i = 0;
    let j = 0;
    for (;;) {
      const aEnded = i >= a.length;
      const bEnded = j >= b.length;
      if (aEnded && bEnded) return 0;
      if (!padSpace && (aEnded || bEnded)) return aEnded ? -1 : 1;
      let aw = SPACE_WEIGHT;
      let bw = SPACE_WEIGHT;
      if (!aEnded) {
        aw = weightAt(a, i);
        i += scanned;
      }
      if (!bEnded) {
        bw = weightAt(b, j);
        j += scanned;
      }
      if (aw !== bw) return aw - bw;
    }
  };

  const key = (value: Uint8Array): Uint8Array => {
    const out = new Uint8Array(value.length * 2);
    let n = 0;
    let kept = 0;
    for (let i = 0; i < value.length; i += scanned) {
      const w = weightAt(value, i);
      out[n++] = w >> 8;
      out[n++] = w & 0xff;
      if (!padSpace || w !== SPACE_WEIGHT) kept = n;
    }
    return out.slice(0, kept);
  };

  return { id, name, padSpace, compare, key };
}
