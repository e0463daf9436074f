/**
 * The SQL literal values the planner hands to vindexes, typed the way Vitess's `sqltypes.Value`
 * distinguishes them, because vindexes treat the kinds differently: `hash` wraps a negative INT64 to
 * its two's complement but finds no keyspace id for the string "-1", `xxhash` hashes the decimal text
 * of a number, `binary` takes a string's bytes as they are.
 */
import { stringLiteral } from "../protocol/binary-params.ts";

export type SqlValue =
  | { readonly kind: "int"; readonly value: bigint }
  | { readonly kind: "uint"; readonly value: bigint }
  | { readonly kind: "decimal" | "float"; readonly text: string }
  | { readonly kind: "string"; readonly bytes: Uint8Array }
  | { readonly kind: "null" };

export const INT64_MIN = -(1n << 63n);
export const INT64_MAX = (1n << 63n) - 1n;
export const UINT64_MAX = (1n << 64n) - 1n;

export const SQL_NULL: SqlValue = Object.freeze({ kind: "null" });

const encoder = new TextEncoder();

export function sqlInt(value: bigint | number): SqlValue {
  const v = toBigInt(value);
  if (v < INT64_MIN || v > INT64_MAX) throw new RangeError(`${v} is outside the INT64 range`);
  return { kind: "int", value: v };
}

export function sqlUint(value: bigint | number): SqlValue {
  const v = toBigInt(value);
  if (v < 0n || v > UINT64_MAX) throw new RangeError(`${v} is outside the UINT64 range`);
  return { kind: "uint", value: v };
}

export function sqlDecimal(text: string): SqlValue {
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)$/.test(text)) throw new SyntaxError(`"${text}" is not a decimal literal`);
  return { kind: "decimal", text };
}

export function sqlFloat(text: string): SqlValue {
  if (!NUMERIC.test(text)) throw new SyntaxError(`"${text}" is not a numeric literal`);
  return { kind: "float", text };
}

/** A string value; text is encoded as UTF-8, bytes are kept as given (not copied). */
export function sqlString(value: string | Uint8Array): SqlValue {
  return { kind: "string", bytes: typeof value === "string" ? encoder.encode(value) : value };
}

/** `X'4142'` / `0x4142`: MySQL treats a hex literal as a binary string (in string context). */
export function sqlHexLiteral(hexDigits: string): SqlValue {
  const digits = hexDigits.length % 2 === 0 ? hexDigits : `0${hexDigits}`;
  if (!/^[0-9a-fA-F]*$/.test(digits)) throw new SyntaxError(`"${hexDigits}" is not hex`);
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return { kind: "string", bytes };
}

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Types a numeric literal as MySQL's parser does: an integer that fits INT64 is INT64, one that only
 * fits UINT64 is UINT64, a larger integer or one with a point is DECIMAL, one with an exponent is
 * DOUBLE. A leading sign is accepted so that a folded unary minus can be passed along.
 */
export function sqlNumericLiteral(text: string): SqlValue {
  if (!NUMERIC.test(text)) throw new SyntaxError(`"${text}" is not a numeric literal`);
  if (/[eE]/.test(text)) return { kind: "float", text };
  if (text.includes(".")) return { kind: "decimal", text };
  const v = BigInt(text);
  if (v >= INT64_MIN && v <= INT64_MAX) return { kind: "int", value: v };
  if (v > 0n && v <= UINT64_MAX) return { kind: "uint", value: v };
  return { kind: "decimal", text };
}

/**
 * Builds a value from a JS value: null/undefined → NULL, boolean → 1/0, integral number or bigint →
 * INT64 (or UINT64 above INT64_MAX), other finite number → DOUBLE, string → UTF-8 string,
 * Uint8Array → binary string.
 */
export function sqlValueFrom(value: unknown): SqlValue {
  if (value === null || value === undefined) return SQL_NULL;
  if (typeof value === "boolean") return { kind: "int", value: value ? 1n : 0n };
  if (typeof value === "bigint") return value > INT64_MAX ? sqlUint(value) : sqlInt(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new RangeError(`${value} has no SQL value`);
    if (Number.isInteger(value)) return value > Number.MAX_SAFE_INTEGER || value < Number.MIN_SAFE_INTEGER
      ? sqlValueFrom(BigInt(value))
      : { kind: "int", value: BigInt(value) };
    return { kind: "float", text: String(value) };
  }
  if (typeof value === "string" || value instanceof Uint8Array) return sqlString(value);
  throw new TypeError(`cannot make a SQL value from ${Object.prototype.toString.call(value)}`);
}

/**
 * The value's bytes as Vitess's `Value.ToBytes` gives them: numbers as their decimal text, strings
 * as they are, NULL as nothing. Vindexes that hash bytes (`xxhash`, `binary_md5`, ...) hash these.
 */
export function sqlValueBytes(value: SqlValue): Uint8Array {
  switch (value.kind) {
    case "int":
    case "uint":
      return asciiBytes(value.value.toString());
    case "decimal":
    case "float":
      return asciiBytes(value.text);
    case "string":
      return value.bytes;
    case "null":
      return new Uint8Array(0);
  }
}

/**
 * Vitess's `evalengine.ToUint64` (used by the `hash` vindex for anything but a signed integer, and
 * by `numeric`): INT64 if not negative, UINT64, or a string that Go's `strconv.ParseInt` (then
 * `ParseUint`) reads as a base-10 integer that is not negative. Anything else (NULL, DECIMAL, DOUBLE,
 * "1.0", " 1", "0x10", "-1") has no uint64 and yields undefined.
 */
export function sqlValueToUint64(value: SqlValue): bigint | undefined {
  switch (value.kind) {
    case "int":
      return value.value < 0n ? undefined : value.value;
    case "uint":
      return value.value;
    case "string":
      return parseGoUint64(value.bytes);
    default:
      return undefined;
  }
}

function parseGoUint64(bytes: Uint8Array): bigint | undefined {
  // ParseInt(s, 10, 64) accepts an optional sign then ASCII digits; ParseUint accepts digits only.
  const n = bytes.length;
  let i = bytes[0] === 0x2b || bytes[0] === 0x2d ? 1 : 0;
  if (i === n) return undefined;
  let text = "";
  let small = 0;
  for (; i < n; i++) {
    const b = bytes[i]!;
    if (b < 0x30 || b > 0x39) return undefined;
    if (text.length > 0 || b !== 0x30) text += String.fromCharCode(b); // leading zeros are allowed
    small = small * 10 + (b - 0x30);
  }
  // More than 20 significant digits is beyond UINT64 (and INT64): Go reports a range error.
  const v = text.length <= 15 ? BigInt(small) : text.length > 20 ? UINT64_MAX + 1n : BigInt(text);
  if (bytes[0] === 0x2d) return v === 0n ? 0n : undefined; // a negative INT64, or no integer at all
  if (v <= INT64_MAX) return v;
  return bytes[0] === 0x2b || v > UINT64_MAX ? undefined : v;
}

/** The value as a SQL literal the server reads back as the same value (also how error messages show it). */
export function formatSqlValue(value: SqlValue): string {
  switch (value.kind) {
    case "int":
    case "uint":
      return value.value.toString();
    case "decimal":
    case "float":
      return value.text;
    case "string":
      return stringLiteral(value.bytes);
    case "null":
      return "NULL";
  }
}

function toBigInt(value: bigint | number): bigint {
  if (typeof value === "bigint") return value;
  if (!Number.isInteger(value)) throw new RangeError(`${value} is not an integer`);
  return BigInt(value);
}

function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
