/**
 * Exact comparisons of non-string values in their text-protocol form (ASCII bytes), without parsing
 * them into floating point: integers of any width and DECIMAL compare digit by digit, TIME by sign and
 * hour count, dates lexically. Only the sign of a result means anything.
 */
import { UnsupportedComparison } from "./unsupported-comparison.ts";

const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const COLON = 0x3a;

/** Where the significant digits of a decimal number's text lie, found without allocating. */
interface DecimalParts {
  negative: boolean;
  /** First significant integer digit (leading zeros skipped) and end of the integer part. */
  intStart: number;
  intEnd: number;
  /** Fraction digits, trailing zeros dropped. */
  fracStart: number;
  fracEnd: number;
}

function decimalParts(text: Uint8Array, out: DecimalParts): DecimalParts {
  let i = 0;
  let negative = false;
  if (text[0] === MINUS || text[0] === PLUS) {
    negative = text[0] === MINUS;
    i = 1;
  }
  while (i < text.length && text[i] === ZERO) i++;
  const intStart = i;
  while (i < text.length && text[i] !== DOT) i++;
  const intEnd = i;
  const fracStart = i < text.length ? i + 1 : i;
  let fracEnd = text.length;
  while (fracEnd > fracStart && text[fracEnd - 1] === ZERO) fracEnd--;
  out.negative = negative && (intEnd > intStart || fracEnd > fracStart);
  out.intStart = intStart;
  out.intEnd = intEnd;
  out.fracStart = fracStart;
  out.fracEnd = fracEnd;
  return out;
}

const leftParts: DecimalParts = { negative: false, intStart: 0, intEnd: 0, fracStart: 0, fracEnd: 0 };
const rightParts: DecimalParts = { negative: false, intStart: 0, intEnd: 0, fracStart: 0, fracEnd: 0 };

function compareMagnitude(a: Uint8Array, p: DecimalParts, b: Uint8Array, q: DecimalParts): number {
  const aInt = p.intEnd - p.intStart;
  const bInt = q.intEnd - q.intStart;
  if (aInt !== bInt) return aInt - bInt;
  for (let k = 0; k < aInt; k++) {
    const d = a[p.intStart + k]! - b[q.intStart + k]!;
    if (d !== 0) return d;
  }
  const aFrac = p.fracEnd - p.fracStart;
  const bFrac = q.fracEnd - q.fracStart;
  const n = Math.max(aFrac, bFrac);
  for (let k = 0; k < n; k++) {
    const x = k < aFrac ? a[p.fracStart + k]! : ZERO;
    const y = k < bFrac ? b[q.fracStart + k]! : ZERO;
    if (x !== y) return x - y;
  }
  return 0;
}

/**
 * Compares integer or DECIMAL texts ('-12', '0007' with ZEROFILL, '-0.010', '18446744073709551615')
 * exactly: by sign, then count of significant integer digits, then digits. '-0.00' equals '0'.
 */
export function compareDecimalText(a: Uint8Array, b: Uint8Array): number {
  const p = decimalParts(a, leftParts);
  const q = decimalParts(b, rightParts);
  if (p.negative !== q.negative) return p.negative ? -1 : 1;
  const magnitude = compareMagnitude(a, p, b, q);
  return p.negative ? 0 - magnitude : magnitude;
}

function ascii(text: Uint8Array): string {
  let s = "";
  for (let i = 0; i < text.length; i++) s += String.fromCharCode(text[i]!);
  return s;
}

/**
 * DOUBLE texts ('-1.5e300', '0.30000000000000004') as printed without fixed decimals: the shortest
 * text that reads back as the stored value, so reading it as a double gives the stored value and its
 * order. -0 equals 0, as in the server. (Not for FLOAT, whose text is rounded: see value-compare.ts.)
 */
export function compareFloatText(a: Uint8Array, b: Uint8Array): number {
  const x = Number(ascii(a));
  const y = Number(ascii(b));
  if (Number.isNaN(x) || Number.isNaN(y)) throw new UnsupportedComparison(`not a floating-point number: ${ascii(Number.isNaN(x) ? a : b)}`);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Fixed-layout temporal texts (DATE 'YYYY-MM-DD', DATETIME/TIMESTAMP 'YYYY-MM-DD hh:mm:ss[.ffffff]')
 * compare lexically; a fractional part present on one side only counts when it is not all zeros.
 */
export function compareTemporalText(a: Uint8Array, b: Uint8Array): number {
  return compareFromLexically(a, 0, b, 0);
}

function compareFromLexically(a: Uint8Array, i: number, b: Uint8Array, j: number): number {
  while (i < a.length && j < b.length) {
    const d = a[i]! - b[j]!;
    if (d !== 0) return d;
    i++;
    j++;
  }
  if (!onlyZeroFraction(a, i)) return 1;
  if (!onlyZeroFraction(b, j)) return -1;
  return 0;
}

function onlyZeroFraction(text: Uint8Array, from: number): boolean {
  for (let k = from; k < text.length; k++) {
    const c = text[k]!;
    if (c !== ZERO && !(c === DOT && k === from)) return false;
  }
  return true;
}

/**
 * TIME texts '[-]h…h:mm:ss[.ffffff]', hours from 0 to 838: negative before positive, more hours
 * further from zero ('-838:59:59' < '-01:00:00' < '00:00:00' < '100:00:00'). '-00:00:00' equals zero.
 */
export function compareTimeText(a: Uint8Array, b: Uint8Array): number {
  const aNegative = a[0] === MINUS && !isZeroTime(a);
  const bNegative = b[0] === MINUS && !isZeroTime(b);
  if (aNegative !== bNegative) return aNegative ? -1 : 1;
  const magnitude = compareTimeMagnitude(a, b);
  return aNegative ? 0 - magnitude : magnitude;
}

function isZeroTime(text: Uint8Array): boolean {
  for (let k = 1; k < text.length; k++) {
    const c = text[k]!;
    if (c !== ZERO && c !== COLON && c !== DOT) return false;
  }
  return true;
}

function compareTimeMagnitude(a: Uint8Array, b: Uint8Array): number {
  let i = a[0] === MINUS ? 1 : 0;
  let j = b[0] === MINUS ? 1 : 0;
  while (i < a.length - 1 && a[i] === ZERO && a[i + 1] !== COLON) i++;
  while (j < b.length - 1 && b[j] === ZERO && b[j + 1] !== COLON) j++;
  const aColon = a.indexOf(COLON, i);
  const bColon = b.indexOf(COLON, j);
  const aHours = (aColon < 0 ? a.length : aColon) - i;
  const bHours = (bColon < 0 ? b.length : bColon) - j;
  if (aHours !== bHours) return aHours - bHours;
  return compareFromLexically(a, i, b, j);
}

/** BIT values arrive as big-endian bytes: compare as unsigned numbers, whatever their lengths. */
export function compareBitBytes(a: Uint8Array, b: Uint8Array): number {
  let i = 0;
  let j = 0;
  while (i < a.length && a[i] === 0) i++;
  while (j < b.length && b[j] === 0) j++;
  const aLength = a.length - i;
  const bLength = b.length - j;
  if (aLength !== bLength) return aLength - bLength;
  for (; i < a.length; i++, j++) {
    const d = a[i]! - b[j]!;
    if (d !== 0) return d;
  }
  return 0;
}
