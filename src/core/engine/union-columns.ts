import { MySqlError } from "../errors.ts";
import type { ColumnDefinition } from "../protocol/column-definition.ts";
import { ColumnFlag, ColumnType } from "../protocol/constants.ts";

/** The union's column definitions, and per SELECT and column how many zeros its values need to reach the union's scale. */
export interface UnionColumns {
  fields: ColumnDefinition[];
  /** `rescale[input][column]`: zeros to append to that SELECT's DECIMAL or integer text (0: sent as is). */
  rescale: number[][];
}

const INTEGER_WIDTH = new Map<number, number>([
  [ColumnType.TINY, 1],
  [ColumnType.SHORT, 2],
  [ColumnType.INT24, 3],
  [ColumnType.LONG, 4],
  [ColumnType.LONGLONG, 5],
]);
const DECIMALS = new Set<number>([ColumnType.DECIMAL, ColumnType.NEWDECIMAL]);
const NUMBERS = new Set<number>([...INTEGER_WIDTH.keys(), ...DECIMALS, ColumnType.FLOAT, ColumnType.DOUBLE]);
/** CHAR and VARCHAR: a union of the two is a VARCHAR, with the same text (CHAR's padding is not sent). */
const SHORT_STRINGS = new Set<number>([ColumnType.STRING, ColumnType.VAR_STRING, ColumnType.VARCHAR]);
const STRINGS = new Set<number>([
  ...SHORT_STRINGS, ColumnType.TINY_BLOB, ColumnType.MEDIUM_BLOB, ColumnType.LONG_BLOB, ColumnType.BLOB, ColumnType.ENUM, ColumnType.SET, ColumnType.JSON,
]);
/** Types whose `decimals` is part of the value's text (scale, fractional seconds). */
const SCALED = new Set<number>([...DECIMALS, ColumnType.FLOAT, ColumnType.DOUBLE, ColumnType.TIME, ColumnType.DATETIME, ColumnType.TIMESTAMP]);
/** Flags a union column keeps from its SELECTs' columns; key and default flags belong to a table's column. */
const KEPT_FLAGS = ColumnFlag.UNSIGNED | ColumnFlag.ZEROFILL | ColumnFlag.BINARY | ColumnFlag.BLOB | ColumnFlag.ENUM | ColumnFlag.SET;
/** MariaDB's `decimals` of a string column it streams without a temporary table (NOT_FIXED_DEC). */
const NOT_FIXED_DECIMALS = 39;

/**
 * The type one server gives a union's column, and the values in it, where the gateway can reproduce
 * them exactly: integers widen to the widest (same text), integers and DECIMALs to a DECIMAL of the
 * largest scale (text padded with zeros: 5 → 5.00), CHAR and VARCHAR to VARCHAR; a NULL-only column
 * takes the others' type. Anything else that differs (signedness, character set, FLOAT and DECIMAL,
 * dates and text, ...) would need the server's conversion: refused. `materialized`: the server gathers
 * this union in a temporary table (it removes duplicates or is ordered), which shows in MariaDB's
 * metadata (`decimals` of strings, original names, BINARY flag of numbers).
 */
export function unionColumns(inputs: readonly (readonly ColumnDefinition[])[], helpers: number, materialized: boolean): UnionColumns {
  const width = inputs[0]!.length;
  if (inputs.some((fields) => fields.length !== width)) {
    throw new MySqlError(1222, "21000", "The used SELECT statements have a different number of columns");
  }
  const rescale = inputs.map(() => new Array<number>(width).fill(0));
  const fields = inputs[0]!.map((first, column) => {
    if (column >= width - helpers) return first;
    const all = inputs.map((fields) => fields[column]!);
    const typed = all.filter((f) => f.type !== ColumnType.NULL);
    const merged = typed.length === 0 ? first : mergeTypes(typed, column, first.name);
    if (merged.type === ColumnType.NEWDECIMAL) {
      all.forEach((f, input) => {
        if (f.type !== ColumnType.NULL) rescale[input]![column] = merged.decimals - (INTEGER_WIDTH.has(f.type) ? 0 : f.decimals);
      });
    }
    const notNull = all.every((f) => (f.flags & ColumnFlag.NOT_NULL) !== 0);
    let flags = (merged.flags & KEPT_FLAGS) | (notNull ? ColumnFlag.NOT_NULL : 0);
    if (NUMBERS.has(merged.type)) flags = materialized ? flags & ~ColumnFlag.BINARY : flags | ColumnFlag.BINARY;
    let decimals = merged.decimals;
    if (STRINGS.has(merged.type)) decimals = materialized ? 0 : NOT_FIXED_DECIMALS;
    return { ...merged, schema: "", table: "", orgTable: "", name: first.name, orgName: materialized ? first.name : "", flags, decimals };
  });
  return { fields, rescale };
}

function mergeTypes(fields: readonly ColumnDefinition[], column: number, name: string): ColumnDefinition {
  const refuse = (a: ColumnDefinition, b: ColumnDefinition) =>
    MySqlError.of(
      "NOT_SUPPORTED_YET",
      `shardgate does not support UNION of columns with different types over several shards yet (column ${column + 1}, '${name}': ${typeText(a)} and ${typeText(b)})`,
    );
  const first = fields[0]!;
  const unsigned = first.flags & ColumnFlag.UNSIGNED;
  for (const f of fields) if ((f.flags & ColumnFlag.UNSIGNED) !== unsigned || f.characterSet !== first.characterSet) throw refuse(first, f);
  const longest = Math.max(...fields.map((f) => f.columnLength));
  if (fields.every((f) => INTEGER_WIDTH.has(f.type))) {
    const widest = fields.reduce((a, b) => (INTEGER_WIDTH.get(b.type)! > INTEGER_WIDTH.get(a.type)! ? b : a));
    return { ...widest, columnLength: longest };
  }
  if (fields.every((f) => INTEGER_WIDTH.has(f.type) || DECIMALS.has(f.type))) {
    const scale = Math.max(...fields.map((f) => (DECIMALS.has(f.type) ? f.decimals : 0)));
    const sign = unsigned ? 0 : 1;
    const digits = Math.max(...fields.map((f) => f.columnLength - sign - (DECIMALS.has(f.type) ? f.decimals + (f.decimals > 0 ? 1 : 0) : 0)));
    return { ...first, type: ColumnType.NEWDECIMAL, decimals: scale, columnLength: digits + scale + (scale > 0 ? 1 : 0) + sign };
  }
  const special = (f: ColumnDefinition) => (f.flags & (ColumnFlag.ENUM | ColumnFlag.SET)) !== 0;
  if (fields.every((f) => SHORT_STRINGS.has(f.type) && !special(f))) {
    const allChar = fields.every((f) => f.type === ColumnType.STRING);
    return { ...first, type: allChar ? ColumnType.STRING : ColumnType.VAR_STRING, columnLength: longest };
  }
  for (const f of fields) {
    if (f.type !== first.type || (SCALED.has(f.type) && f.decimals !== first.decimals) || special(f) !== special(first)) throw refuse(first, f);
  }
  return { ...first, columnLength: longest };
}

const TYPE_NAMES = new Map<number, string>(Object.entries(ColumnType).map(([name, code]) => [code, name]));

function typeText(field: ColumnDefinition): string {
  const name = TYPE_NAMES.get(field.type) ?? `type ${field.type}`;
  const unsigned = (field.flags & ColumnFlag.UNSIGNED) !== 0 ? " UNSIGNED" : "";
  const charset = field.characterSet === 63 ? "" : ` charset ${field.characterSet}`;
  return `${name}${unsigned} (decimals ${field.decimals}${charset})`;
}

const ZERO = 0x30;
const POINT = 0x2e;

/** A DECIMAL or integer value's text with `zeros` more decimal digits (`5` → `5.00`, `1.5` → `1.500`). */
export function rescaled(value: Uint8Array, zeros: number): Uint8Array {
  const point = value.includes(POINT) ? 0 : 1;
  const out = new Uint8Array(value.length + point + zeros);
  out.set(value);
  if (point) out[value.length] = POINT;
  out.fill(ZERO, value.length + point);
  return out;
}
