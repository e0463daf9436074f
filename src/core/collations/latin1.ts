/**
 * latin1 collations. The values are latin1 bytes (one byte per character), which is what the server
 * sends for a latin1 column only when `character_set_results` is NULL; with a results character set
 * it sends them converted (and labelled with the connection's collation id).
 *
 * latin1_swedish_ci weighs each byte through a 256-entry sort table (ctype-latin1.c, sort_order_latin1):
 * case-folded and mostly accent-stripped, with the Swedish letters sorted after Z: Å=0x5B, Ä=Æ=0x5C,
 * Ö=0x5D (so they also equal '[', '\', ']'), Ü=Y, while Ø, ß, Þ and the symbols keep their own byte.
 * The table below was read from MariaDB 10.11 with WEIGHT_STRING() for all 256 bytes.
 */
import { bytewiseCollation } from "./binary.ts";
import type { Collation } from "./collation.ts";

const SWEDISH_CI_WEIGHTS_HEX =
  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f" +
  "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f604142434445464748494a4b4c4d4e4f505152535455565758595a7b7c7d7e7f" +
  "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf" +
  "414141415c5b5c434545454549494949444e4f4f4f4f5dd7d85555555959dedf414141415c5b5c434545454549494949444e4f4f4f4f5df7d85555555959deff";

let swedishWeights: Uint8Array | undefined;

/** The latin1_swedish_ci weight of each byte. */
export function latin1SwedishCiWeights(): Uint8Array {
  if (swedishWeights === undefined) {
    const table = new Uint8Array(256);
    for (let i = 0; i < 256; i++) table[i] = parseInt(SWEDISH_CI_WEIGHTS_HEX.slice(2 * i, 2 * i + 2), 16);
    swedishWeights = table;
  }
  return swedishWeights;
}

const SPACE_WEIGHT = 0x20;

export function latin1SwedishCiCollation(id: number, name: string, padSpace: boolean): Collation {
  const w = latin1SwedishCiWeights();
  const compare = (a: Uint8Array, b: Uint8Array): number => {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const d = w[a[i]!]! - w[b[i]!]!;
      if (d !== 0) return d;
    }
    if (a.length === b.length) return 0;
    if (!padSpace) return a.length - b.length;
    if (a.length > n) {
      for (let i = n; i < a.length; i++) if (w[a[i]!] !== SPACE_WEIGHT) return w[a[i]!]! - SPACE_WEIGHT;
    } else {
      for (let i = n; i < b.length; i++) if (w[b[i]!] !== SPACE_WEIGHT) return SPACE_WEIGHT - w[b[i]!]!;
    }
    return 0;
  };
  const key = (value: Uint8Array): Uint8Array => {
    let end = value.length;
    if (padSpace) while (end > 0 && w[value[end - 1]!] === SPACE_WEIGHT) end--;
    const out = new Uint8Array(end);
    for (let i = 0; i < end; i++) out[i] = w[value[i]!]!;
    return out;
  };
  return { id, name, padSpace, compare, key };
}

export function latin1BinCollation(id: number, name: string, padSpace: boolean): Collation {
  return bytewiseCollation(id, name, padSpace);
}
