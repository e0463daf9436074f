/**
 * Orders two text-protocol values of one result-set column the way the server's ORDER BY would, so
 * the gateway can merge rows sorted by several shards (and compare GROUP BY / DISTINCT keys).
 *
 * Ascending order with NULL first, as MySQL and MariaDB sort; negate the result for DESC (which then
 * puts NULLs last, as the server does). Numbers compare by value from their exact text (no floating
 * point except for FLOAT/DOUBLE), temporal values by their text, strings by the column's collation.
 * Whatever cannot be reproduced exactly throws UnsupportedComparison — check `columnComparator` while
 * planning, before any row is sent, rather than failing mid-stream.
 *
 * The column's `characterSet` must be its real collation id: see the caution in collation.ts about
 * `character_set_results`.
 */
import { ColumnFlag, ColumnType } from "../protocol/constants.ts";
import { compareBytes } from "./binary.ts";
import { collationById, CollationId } from "./collation.ts";
import { compareBitBytes, compareDecimalText, compareFloatText, compareTemporalText, compareTimeText } from "./text-values.ts";
import { UnsupportedComparison } from "./unsupported-comparison.ts";

/** What of a ColumnDefinition41 decides how its values compare. */
export interface ComparableColumn {
  type: number;
  flags: number;
  /** The collation id of the column's values. */
  characterSet: number;
  decimals: number;
}

export type ValueComparator = (a: Uint8Array, b: Uint8Array) => number;

/** The `decimals` of a FLOAT/DOUBLE whose text is not rounded to a fixed number of decimals. */
const NOT_FIXED_DECIMALS = 31;

const compareBinary: ValueComparator = (a, b) => compareBytes(a, b, false);
const compareNulls: ValueComparator = () => 0;

/**
 * YEAR texts ('2024', '0000') compare as integers. YEAR(2) shows only two digits, and the same text can
 * stand for two stored values (MariaDB keeps an out-of-range 1969 and shows it as '69', like 2069), so
 * its order cannot be recovered from the text.
 */
const compareYearText: ValueComparator = (a, b) => {
  if (a.length === 2 || b.length === 2) throw new UnsupportedComparison("YEAR(2) values cannot be ordered from their two-digit text");
  return compareDecimalText(a, b);
};

const TYPE_NAMES = new Map<number, string>(Object.entries(ColumnType).map(([name, code]) => [code, name]));

function typeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `0x${type.toString(16)}`;
}

/**
 * How to compare two non-NULL values of this column; throws UnsupportedComparison when the gateway
 * cannot reproduce the server's order for it.
 */
export function valueComparator(column: ComparableColumn): ValueComparator {
  const { type, flags } = column;
  if ((flags & ColumnFlag.ENUM) !== 0 || type === ColumnType.ENUM) {
    throw new UnsupportedComparison("ENUM columns sort by member index, which the text protocol does not carry");
  }
  if ((flags & ColumnFlag.SET) !== 0 || type === ColumnType.SET) {
    throw new UnsupportedComparison("SET columns sort by member bitmap, which the text protocol does not carry");
  }
  switch (type) {
    case ColumnType.TINY:
    case ColumnType.SHORT:
    case ColumnType.LONG:
    case ColumnType.INT24:
    case ColumnType.LONGLONG:
    // The text carries the sign, so signed and UNSIGNED columns (and ZEROFILL's leading zeros) compare
    // alike: '-1' < '18446744073709551615'.
    case ColumnType.DECIMAL:
    case ColumnType.NEWDECIMAL:
      return compareDecimalText;
    case ColumnType.YEAR:
      return compareYearText;
    case ColumnType.FLOAT:
      // FLOAT prints 6 significant digits: 1.0000001 and 1.0000002 both read '1', 16777216 reads
      // '16777200', yet the server orders and groups them by their stored values.
      throw new UnsupportedComparison("FLOAT text is rounded to 6 significant digits, so it does not carry the stored order");
    case ColumnType.DOUBLE:
      // Without fixed decimals a DOUBLE prints the shortest text that reads back as the same value;
      // with them (DOUBLE(M,D), or an expression like float_col + 0 with 3 decimals) it is rounded.
      if (column.decimals !== NOT_FIXED_DECIMALS) {
        throw new UnsupportedComparison(`DOUBLE text with ${column.decimals} fixed decimals is rounded, so it does not carry the stored order`);
      }
      return compareFloatText;
    case ColumnType.DATE:
    case ColumnType.DATETIME:
    case ColumnType.TIMESTAMP:
      return compareTemporalText;
    case ColumnType.TIME:
      return compareTimeText;
    case ColumnType.BIT:
      return compareBitBytes;
    case ColumnType.NULL:
      return compareNulls;
    case ColumnType.VARCHAR:
    case ColumnType.VAR_STRING:
    case ColumnType.STRING:
    case ColumnType.TINY_BLOB:
    case ColumnType.MEDIUM_BLOB:
    case ColumnType.LONG_BLOB:
    case ColumnType.BLOB: {
      if (column.characterSet === CollationId.BINARY) return compareBinary;
      const collation = collationById(column.characterSet);
      if (collation === undefined) {
        throw new UnsupportedComparison(`collation id ${column.characterSet} is not one the gateway can reproduce`);
      }
      return collation.compare;
    }
    case ColumnType.JSON:
      throw new UnsupportedComparison("JSON values compare by JSON rules the gateway does not reproduce");
    default:
      throw new UnsupportedComparison(`values of type ${typeName(type)} cannot be compared by the gateway`);
  }
}

/** Compares two values (NULL first) with a comparator from valueComparator. */
export function compareWith(compare: ValueComparator, a: Uint8Array | null, b: Uint8Array | null): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  return compare(a, b);
}

/**
 * Orders two text-protocol values of `column` as the server's ascending ORDER BY would: negative when
 * `a` sorts first, 0 when they are equal for the server (same GROUP BY group), positive otherwise.
 */
export function compareColumnValues(column: ComparableColumn, a: Uint8Array | null, b: Uint8Array | null): number {
  return compareWith(valueComparator(column), a, b);
}
