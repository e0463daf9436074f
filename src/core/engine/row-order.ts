import { compareBytes } from "../collations/binary.ts";
import { UnsupportedComparison } from "../collations/unsupported-comparison.ts";
import { compareWith, valueComparator, type ValueComparator } from "../collations/value-compare.ts";
import { MySqlError } from "../errors.ts";
import type { ColumnDefinition } from "../protocol/column-definition.ts";
import { ColumnType } from "../protocol/constants.ts";
import type { Row } from "./query-result.ts";

/** One sort or grouping key: a result column, and the column holding its WEIGHT_STRING when it is text. */
export interface OrderKey {
  /** The column's index; negative counts from the end (helper columns after a `SELECT *`). */
  column: number;
  /** The hidden `WEIGHT_STRING(expr)` column the planner added for this key. */
  weight?: number;
  descending?: boolean;
}

const TEXT_TYPES: ReadonlySet<number> = new Set([
  ColumnType.VARCHAR, ColumnType.VAR_STRING, ColumnType.STRING, ColumnType.TINY_BLOB, ColumnType.MEDIUM_BLOB,
  ColumnType.LONG_BLOB, ColumnType.BLOB,
]);
const BINARY_CHARSET = 63;

/** Text in a character set: its order is its collation's, which the shard's WEIGHT_STRING carries. */
export function isCollatedText(field: ColumnDefinition): boolean {
  return TEXT_TYPES.has(field.type) && field.characterSet !== BINARY_CHARSET && (field.flags & 0x900) === 0;
}

/**
 * How to order two rows by one key as the server would, NULLs first. A text column is compared by its
 * weight string (the shard applied the column's own collation); the column definition's character set
 * is the connection's, not the column's, so it cannot tell the collation.
 */
export function keyComparator(fields: readonly ColumnDefinition[], orderKey: OrderKey): (a: Row, b: Row) => number {
  const key = resolveKey(fields.length, orderKey);
  const field = fields[key.column];
  if (!field) throw new Error(`no result column ${key.column}`);
  let compare: ValueComparator;
  let column = key.column;
  if (isCollatedText(field)) {
    if (key.weight === undefined) throw MySqlError.of("NOT_SUPPORTED_YET", `cannot compare text column '${field.name}' across shards without its collation weights`);
    column = key.weight;
    compare = (a, b) => compareBytes(a, b, false);
  } else {
    try {
      compare = valueComparator(field);
    } catch (error) {
      if (error instanceof UnsupportedComparison) {
        throw MySqlError.of("NOT_SUPPORTED_YET", `cannot order or group column '${field.name}' across shards: ${error.message}`);
      }
      throw error;
    }
  }
  const sign = key.descending ? -1 : 1;
  return (a, b) => sign * compareWith(compare, a[column] ?? null, b[column] ?? null);
}

export function rowComparator(fields: readonly ColumnDefinition[], keys: readonly OrderKey[]): (a: Row, b: Row) => number {
  const comparators = keys.map((key) => keyComparator(fields, key));
  return (a, b) => {
    for (const compare of comparators) {
      const order = compare(a, b);
      if (order !== 0) return order;
    }
    return 0;
  };
}

/** A string equal for two rows exactly when the server would put them in one group. */
export function groupKey(fields: readonly ColumnDefinition[], keys: readonly OrderKey[], row: Row): string {
  let out = "";
  for (const orderKey of keys) {
    const key = resolveKey(fields.length, orderKey);
    const field = fields[key.column]!;
    const value = isCollatedText(field) ? row[key.weight ?? key.column] : row[key.column];
    out += value === null || value === undefined ? "\u0000N" : `\u0000V${canonical(field, value)}`;
  }
  return out;
}

const EXACT_NUMBERS: ReadonlySet<number> = new Set([
  ColumnType.TINY, ColumnType.SHORT, ColumnType.LONG, ColumnType.INT24, ColumnType.LONGLONG, ColumnType.DECIMAL, ColumnType.NEWDECIMAL,
]);

/** Numbers that print differently but are equal (`5` and `5.00` from two columns, `-0`) get one form. */
function canonical(field: ColumnDefinition, value: Uint8Array): string {
  let text = "";
  for (const byte of value) text += String.fromCharCode(byte);
  if (field.type === ColumnType.DOUBLE || field.type === ColumnType.FLOAT) return String(Number(text));
  if (!EXACT_NUMBERS.has(field.type)) return text;
  const negative = text.startsWith("-");
  let digits = negative ? text.slice(1) : text;
  if (digits.includes(".")) digits = digits.replace(/0+$/, "").replace(/\.$/, "");
  digits = digits.replace(/^0+(?=\d)/, "");
  return negative && digits !== "0" ? `-${digits}` : digits;
}

/** A column index as a position from the start. */
export function resolveColumn(width: number, column: number): number {
  return column < 0 ? width + column : column;
}

export function resolveKey(width: number, key: OrderKey): OrderKey {
  if (key.column >= 0 && (key.weight === undefined || key.weight >= 0)) return key;
  return {
    column: resolveColumn(width, key.column),
    weight: key.weight === undefined ? undefined : resolveColumn(width, key.weight),
    descending: key.descending,
  };
}
