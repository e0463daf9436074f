/**
 * Allocation-free UTF-8 scanning for the collations. It accepts what MariaDB's utf8mb3/utf8mb4 scanners
 * accept (strings/ctype-utf8.c): no overlong forms, no code points above U+10FFFF, but encoded
 * surrogates (ED A0..BF xx) pass, as they do in the server.
 */

/** The code point starting at `i`, or -1 for a malformed or truncated sequence. */
export function codePointAt(bytes: Uint8Array, i: number, end: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return b0;
  if (b0 < 0xc2) return -1;
  if (b0 < 0xe0) {
    if (i + 1 >= end) return -1;
    const b1 = bytes[i + 1]! ^ 0x80;
    return b1 < 0x40 ? ((b0 & 0x1f) << 6) | b1 : -1;
  }
  if (b0 < 0xf0) {
    if (i + 2 >= end) return -1;
    const b1 = bytes[i + 1]! ^ 0x80;
    const b2 = bytes[i + 2]! ^ 0x80;
    if (b1 >= 0x40 || b2 >= 0x40 || (b0 === 0xe0 && b1 < 0x20)) return -1;
    return ((b0 & 0x0f) << 12) | (b1 << 6) | b2;
  }
  if (b0 < 0xf5) {
    if (i + 3 >= end) return -1;
    const b1 = bytes[i + 1]! ^ 0x80;
    const b2 = bytes[i + 2]! ^ 0x80;
    const b3 = bytes[i + 3]! ^ 0x80;
    if (b1 >= 0x40 || b2 >= 0x40 || b3 >= 0x40) return -1;
    const cp = ((b0 & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3;
    return cp >= 0x10000 && cp <= 0x10ffff ? cp : -1;
  }
  return -1;
}

/** How many bytes the (valid) sequence for `cp` takes. */
export function utf8Length(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}
