import { MySqlError } from "../errors.ts";
import { formatDecimal, parseDecimal } from "./decimal-text.ts";

/** The `decimals` of a DOUBLE that is printed with as many digits as it needs (NOT_FIXED_DEC). */
export const NOT_FIXED = 31;
/** DECIMAL's largest scale (MariaDB's; MySQL stops at 30, which only a chain of divisions reaches). */
const MAX_SCALE = 38;
/** The server's my_decimal holds 9 words of 9 digits: values needing more are refused, not approximated. */
const MAX_WORDS = 9;
/** `div_precision_increment` at its default: the digits a DECIMAL division adds to its dividend's scale. */
export const DIV_INCREMENT = 4;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/**
 * A number as the server computes with it. A DECIMAL is its exact value (`units` / 10^`frac`, `frac`
 * the digits the server keeps, e.g. 9 after a division) and `decimals`, the scale its column would be
 * declared with (what it prints with, and what MariaDB rounds to before comparing).
 */
export type SqlNumber =
  | { readonly kind: "int"; readonly value: bigint; readonly unsigned: boolean; readonly decimals: 0 }
  | { readonly kind: "decimal"; readonly units: bigint; readonly frac: number; readonly decimals: number }
  | { readonly kind: "double"; readonly value: number; readonly decimals: number };
export type Value = SqlNumber | null;

/** The static type of an expression: what it evaluates to whatever its operands' values. */
export interface NumType {
  readonly kind: "int" | "decimal" | "double" | "null";
  readonly unsigned: boolean;
  readonly decimals: number;
}

export const INT: NumType = { kind: "int", unsigned: false, decimals: 0 };
export const NULL_TYPE: NumType = { kind: "null", unsigned: false, decimals: 0 };

export function refuse(reason: string): MySqlError {
  return MySqlError.of("NOT_SUPPORTED_YET", `shardgate does not support ${reason} yet`);
}

export function int(value: bigint, unsigned = false): SqlNumber {
  if (unsigned ? value < 0n || value > UINT64_MAX : value < INT64_MIN || value > INT64_MAX) {
    throw new MySqlError(1690, "22003", `BIGINT${unsigned ? " UNSIGNED" : ""} value is out of range`);
  }
  return { kind: "int", value, unsigned, decimals: 0 };
}

export function decimal(units: bigint, frac: number, decimals: number): SqlNumber {
  const intDigits = (units < 0n ? -units : units).toString().length - frac;
  if (Math.ceil(Math.max(intDigits, 1) / 9) + Math.ceil(frac / 9) > MAX_WORDS) {
    throw refuse("DECIMAL values of more than 81 digits at the gateway");
  }
  return { kind: "decimal", units, frac, decimals: Math.min(decimals, MAX_SCALE) };
}

export function double(value: number, decimals: number): SqlNumber {
  if (!Number.isFinite(value)) throw new MySqlError(1690, "22003", "DOUBLE value is out of range");
  return { kind: "double", value, decimals: Math.min(decimals, NOT_FIXED) };
}

export function decimalFromText(text: string, decimals: number): SqlNumber {
  const d = parseDecimal(text);
  return decimal(d.units, d.scale, decimals);
}

/** The type both operands are converted to by an arithmetic operator or a comparison. */
export function commonKind(a: NumType, b: NumType): NumType["kind"] {
  if (a.kind === "null" || b.kind === "null") return "null";
  if (a.kind === "double" || b.kind === "double") return "double";
  if (a.kind === "decimal" || b.kind === "decimal") return "decimal";
  return "int";
}

export function asDecimal(n: SqlNumber): { units: bigint; frac: number; decimals: number } {
  if (n.kind === "decimal") return n;
  if (n.kind === "int") return { units: n.value, frac: 0, decimals: 0 };
  throw refuse("converting a DOUBLE to DECIMAL at the gateway");
}

export function asDouble(n: SqlNumber): number {
  if (n.kind === "double") return n.value;
  if (n.kind === "int") return Number(n.value);
  return Number(formatDecimal({ units: n.units, scale: n.frac }));
}

function rescale(units: bigint, from: number, to: number): bigint {
  return to >= from ? units * 10n ** BigInt(to - from) : units / 10n ** BigInt(from - to);
}

function ceil9(digits: number): number {
  return Math.ceil(digits / 9) * 9;
}

/** `a op b` for + - *, in the type of the operation (`kind`, from the operands' static types). */
export function arithmetic(operator: "+" | "-" | "*", kind: NumType["kind"], a: SqlNumber, b: SqlNumber): SqlNumber {
  if (kind === "double") {
    const x = asDouble(a);
    const y = asDouble(b);
    const decimals = Math.max(a.decimals, b.decimals);
    return double(operator === "+" ? x + y : operator === "-" ? x - y : x * y, decimals);
  }
  if (kind === "int" && a.kind === "int" && b.kind === "int") {
    const value = operator === "+" ? a.value + b.value : operator === "-" ? a.value - b.value : a.value * b.value;
    return int(value, a.unsigned || b.unsigned);
  }
  const x = asDecimal(a);
  const y = asDecimal(b);
  if (operator === "*") return decimal(x.units * y.units, x.frac + y.frac, x.decimals + y.decimals);
  const frac = Math.max(x.frac, y.frac);
  const l = rescale(x.units, x.frac, frac);
  const r = rescale(y.units, y.frac, frac);
  return decimal(operator === "+" ? l + r : l - r, frac, Math.max(x.decimals, y.decimals));
}

/**
 * DECIMAL division as the server's decimal_div does it: the quotient is truncated (not rounded) after
 * the dividend's and divisor's scales, each rounded up to whole 9-digit words, plus the increment less
 * the digits that rounding already added, rounded up to a word again. Printing then rounds it half up.
 */
export function decimalQuotient(a: { units: bigint; frac: number }, b: { units: bigint; frac: number }, increment: number): { units: bigint; frac: number } | null {
  if (b.units === 0n) return null;
  if (a.units === 0n) return { units: 0n, frac: 0 };
  const frac1 = ceil9(a.frac);
  const frac2 = ceil9(b.frac);
  const extra = Math.max(0, increment - (frac1 - a.frac) - (frac2 - b.frac));
  const frac = ceil9(frac1 + frac2 + extra);
  const numerator = a.units * 10n ** BigInt(frac + b.frac - a.frac);
  return { units: numerator / b.units, frac };
}

export function divide(kind: NumType["kind"], a: SqlNumber, b: SqlNumber): Value {
  if (kind === "double") {
    const y = asDouble(b);
    if (y === 0) return null;
    return double(asDouble(a) / y, Math.max(a.decimals, b.decimals) + DIV_INCREMENT);
  }
  const x = asDecimal(a);
  const quotient = decimalQuotient(x, asDecimal(b), DIV_INCREMENT);
  return quotient && decimal(quotient.units, quotient.frac, x.decimals + DIV_INCREMENT);
}

/** `a DIV b`: the integer part of the exact quotient. */
export function integerDivide(a: SqlNumber, b: SqlNumber): Value {
  if (a.kind === "double" || b.kind === "double") throw refuse("DIV of DOUBLE values at the gateway");
  const unsigned = (a.kind === "int" && a.unsigned) || (b.kind === "int" && b.unsigned);
  const x = asDecimal(a);
  const y = asDecimal(b);
  if (y.units === 0n) return null;
  const frac = Math.max(x.frac, y.frac);
  return int(rescale(x.units, x.frac, frac) / rescale(y.units, y.frac, frac), unsigned);
}

/** `a % b` / `MOD(a, b)`: the remainder with the dividend's sign; NULL for a zero divisor. */
export function modulo(kind: NumType["kind"], a: SqlNumber, b: SqlNumber): Value {
  if (kind === "double") {
    const y = asDouble(b);
    return y === 0 ? null : double(asDouble(a) % y, Math.max(a.decimals, b.decimals));
  }
  if (kind === "int" && a.kind === "int" && b.kind === "int") return b.value === 0n ? null : int(a.value % b.value, a.unsigned);
  const x = asDecimal(a);
  const y = asDecimal(b);
  if (y.units === 0n) return null;
  const frac = Math.max(x.frac, y.frac);
  return decimal(rescale(x.units, x.frac, frac) % rescale(y.units, y.frac, frac), frac, Math.max(x.decimals, y.decimals));
}

export function negate(a: SqlNumber): SqlNumber {
  if (a.kind === "int") return int(-a.value);
  if (a.kind === "decimal") return decimal(-a.units, a.frac, a.decimals);
  return double(-a.value, a.decimals);
}

/** `units` (at scale `frac`) rounded to `digits` decimals (negative: tens, hundreds...), half away from zero or truncated. */
export function roundUnits(units: bigint, frac: number, digits: number, truncate: boolean): bigint {
  if (digits >= frac) return units * 10n ** BigInt(digits - frac);
  const divisor = 10n ** BigInt(frac - digits);
  const magnitude = units < 0n ? -units : units;
  let quotient = magnitude / divisor;
  if (!truncate && (magnitude % divisor) * 2n >= divisor) quotient++;
  return units < 0n ? -quotient : quotient;
}

/** C's rint(): to the nearest integer, ties to even. */
function rint(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** The server's my_double_round: ROUND / TRUNCATE of a DOUBLE to `digits` decimals. */
export function roundDouble(value: number, digits: number, truncate: boolean): number {
  const scale = Number(`1e${Math.abs(digits)}`);
  const divided = value / scale;
  const multiplied = value * scale;
  if (digits < 0 && !Number.isFinite(scale)) return 0;
  if (digits >= 0 && !Number.isFinite(multiplied)) return value;
  const whole = (x: number) => (truncate ? (value >= 0 ? Math.floor(x) : Math.ceil(x)) : rint(x));
  return digits < 0 ? whole(divided) * scale : whole(multiplied) / scale;
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareDecimals(x: { units: bigint; frac: number }, y: { units: bigint; frac: number }): number {
  const frac = Math.max(x.frac, y.frac);
  return compareBig(rescale(x.units, x.frac, frac), rescale(y.units, y.frac, frac));
}

/**
 * How a comparison treats digits its operands do not print. `comparator` (= <> < <= > >= <=>): DOUBLEs
 * both of fixed decimals are equal within half a unit of the next decimal, and DECIMALs carrying more
 * digits than they print (a quotient, an average) compare exactly on MySQL but rounded to their declared
 * scale on MariaDB. `list` (IN): as exactly or as the comparator would. `exact` (BETWEEN): exactly.
 * Where the ways disagree the answer depends on the server, so it is refused.
 */
export type CompareMode = "comparator" | "list" | "exact";

export function compare(kind: NumType["kind"], a: SqlNumber, b: SqlNumber, mode: CompareMode, test: (order: number) => boolean): boolean {
  if (kind === "int" && a.kind === "int" && b.kind === "int") return test(compareBig(a.value, b.value));
  let exact: number;
  let other: number;
  if (kind === "double") {
    const x = asDouble(a);
    const y = asDouble(b);
    exact = x < y ? -1 : x > y ? 1 : 0;
    const fixed = a.decimals < NOT_FIXED && b.decimals < NOT_FIXED;
    other = fixed && Math.abs(x - y) < 5 / 10 ** (Math.max(a.decimals, b.decimals) + 1) ? 0 : exact;
    if (mode === "comparator") return test(other);
  } else {
    const x = asDecimal(a);
    const y = asDecimal(b);
    exact = compareDecimals(x, y);
    const round = (d: { units: bigint; frac: number; decimals: number }) =>
      d.frac <= d.decimals ? d : { units: roundUnits(d.units, d.frac, d.decimals, false), frac: d.decimals };
    other = x.frac <= x.decimals && y.frac <= y.decimals ? exact : compareDecimals(round(x), round(y));
  }
  if (mode !== "exact" && test(exact) !== test(other)) {
    throw refuse("comparing values at the gateway that MySQL and MariaDB compare differently (a quotient or an average at its rounding boundary)");
  }
  return test(exact);
}

export function isTrue(value: Value): boolean | null {
  if (value === null) return null;
  if (value.kind === "int") return value.value !== 0n;
  if (value.kind === "decimal") return value.units !== 0n;
  return value.value !== 0;
}

export function truth(value: boolean | null): Value {
  return value === null ? null : int(value ? 1n : 0n);
}

/** A DOUBLE as the server prints it (my_gcvt): the shortest text that reads back, in exponent form when far from 1. */
export function formatDouble(value: number): string {
  if (value === 0) return "0";
  const [mantissa, exponentText] = value.toExponential().split("e");
  const exponent = Number(exponentText);
  const negative = mantissa!.startsWith("-");
  const digits = mantissa!.replace(/[-.]/g, "");
  // my_gcvt: fixed notation when the point is at most 15 digits to the right of the first digit (or
  // digits follow it), and at most 14 zeros to its left.
  const point = exponent + 1;
  if (point < -14 || (point > 15 && digits.length <= point)) return `${mantissa}e${exponent}`;
  let body: string;
  if (exponent < 0) body = `0.${"0".repeat(-exponent - 1)}${digits}`;
  else if (digits.length <= exponent + 1) body = digits + "0".repeat(exponent + 1 - digits.length);
  else body = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  return negative ? `-${body}` : body;
}

/** A DOUBLE printed with `decimals` fixed decimals: its exact binary value rounded half to even. */
export function formatDoubleFixed(value: number, decimals: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(value));
  const bits = view.getBigUint64(0);
  const exponentBits = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  if (exponentBits !== 0) mantissa |= 1n << 52n;
  const exponent = (exponentBits === 0 ? 1 : exponentBits) - 1075;
  // value = mantissa * 2^exponent, exactly: as units of 10^-scale.
  const scale = Math.max(0, -exponent);
  const units = exponent >= 0 ? mantissa << BigInt(exponent) : mantissa * 5n ** BigInt(scale);
  let rounded: bigint;
  if (decimals >= scale) {
    rounded = units * 10n ** BigInt(decimals - scale);
  } else {
    const divisor = 10n ** BigInt(scale - decimals);
    rounded = units / divisor;
    const twice = (units % divisor) * 2n;
    if (twice > divisor || (twice === divisor && rounded % 2n === 1n)) rounded++;
  }
  const text = formatDecimal({ units: rounded, scale: decimals });
  return value < 0 && rounded !== 0n ? `-${text}` : text;
}
