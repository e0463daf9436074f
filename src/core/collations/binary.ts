/**
 * Byte-order collations. `binary` (63) is NO PAD memcmp: 'a' < 'a ' (ctype-bin.c). The `_bin`
 * collations of latin1, utf8mb3 and utf8mb4 are PAD SPACE before MySQL 8's _0900_bin: trailing spaces
 * do not count, and a longer value's tail is compared with spaces, so 'a\t' < 'a' = 'a  ' < 'a!'.
 * For UTF-8, byte order is code point order, which is what utf8mb4_bin compares; the server only
 * ever sends well-formed UTF-8 for these columns, so the bytes are not validated here.
 */
import type { Collation } from "./collation.ts";

const SPACE = 0x20;

export function compareBytes(a: Uint8Array, b: Uint8Array, padSpace: boolean): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  if (a.length === b.length) return 0;
  if (!padSpace) return a.length - b.length;
  if (a.length > n) {
    for (let i = n; i < a.length; i++) if (a[i] !== SPACE) return a[i]! - SPACE;
  } else {
    for (let i = n; i < b.length; i++) if (b[i] !== SPACE) return SPACE - b[i]!;
  }
  return 0;
}

export function trimTrailingSpaces(value: Uint8Array): Uint8Array {
  let end = value.length;
  while (end > 0 && value[end - 1] === SPACE) end--;
  return value.slice(0, end);
}

export function bytewiseCollation(id: number, name: string, padSpace: boolean): Collation {
  return {
    id,
    name,
    padSpace,
    compare: (a, b) => compareBytes(a, b, padSpace),
    key: padSpace ? trimTrailingSpaces : (value) => value.slice(),
  };
}

export function binaryCollation(id: number, name: string): Collation {
  return bytewiseCollation(id, name, false);
}

export function utf8BinCollation(id: number, name: string, padSpace: boolean): Collation {
  return bytewiseCollation(id, name, padSpace);
}
