import { decodeUtf8 } from "../protocol/bytes.ts";
import type { ColumnDefinition } from "../protocol/column-definition.ts";
import { ColumnFlag, ColumnType } from "../protocol/constants.ts";
import {
  asDecimal, asDouble, commonKind, decimal, decimalFromText, decimalQuotient, double, DIV_INCREMENT, int, INT, isTrue, negate,
  NOT_FIXED, NULL_TYPE, refuse, roundDouble, roundUnits, type NumType, type SqlNumber, type Value,
} from "./numeric-value.ts";
import type { BindValues } from "./primitive.ts";
import type { Row } from "./query-result.ts";
import { valueOf, type RouteValue } from "./route-value.ts";

/**
 * The leaves and function calls of an expression the gateway computes, bound to one execution: result
 * columns typed by their definitions, the statement's literals, AVG from its merged SUM and COUNT,
 * and the numeric functions computed exactly as the server does.
 */

/** The functions the gateway computes (MOD is compiled as `%`). */
export const FUNCTIONS = ["ROUND", "TRUNCATE", "FLOOR", "CEIL", "CEILING", "ABS", "SIGN", "IFNULL", "COALESCE", "IF", "MOD"] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

/** An Expr bound to one execution: its static type (from the columns' definitions and the literals) and its evaluation. */
export interface Bound {
  readonly type: NumType;
  evaluate(row: Row): Value;
}

const INTEGER_TYPES: ReadonlySet<number> = new Set([ColumnType.TINY, ColumnType.SHORT, ColumnType.LONG, ColumnType.INT24, ColumnType.LONGLONG]);

/** The type of a column's values, refusing what the gateway cannot compute with exactly. */
export function columnType(field: ColumnDefinition): NumType {
  if (INTEGER_TYPES.has(field.type)) return { kind: "int", unsigned: (field.flags & ColumnFlag.UNSIGNED) !== 0, decimals: 0 };
  if (field.type === ColumnType.NEWDECIMAL || field.type === ColumnType.DECIMAL) return { kind: "decimal", unsigned: false, decimals: field.decimals };
  if (field.type === ColumnType.DOUBLE && field.decimals >= NOT_FIXED) return { kind: "double", unsigned: false, decimals: NOT_FIXED };
  if (field.type === ColumnType.NULL) return NULL_TYPE;
  const what = field.type === ColumnType.DOUBLE || field.type === ColumnType.FLOAT ? "rounded FLOAT/DOUBLE text" : "non-numeric values (text, dates, bits)";
  throw refuse(`computing with '${field.name}' at the gateway: ${what}`);
}

export function reader(type: NumType, column: number): (row: Row) => Value {
  return (row) => {
    const bytes = row[column];
    if (bytes === null || bytes === undefined || type.kind === "null") return null;
    const value = decodeUtf8(bytes);
    if (type.kind === "int") return int(BigInt(value), type.unsigned);
    if (type.kind === "decimal") return decimalFromText(value, type.decimals);
    return double(Number(value), NOT_FIXED);
  };
}

export function constant(value: Value): Bound {
  const type: NumType =
    value === null ? NULL_TYPE : value.kind === "int" ? { kind: "int", unsigned: value.unsigned, decimals: 0 } : { kind: value.kind, unsigned: false, decimals: value.decimals };
  return { type, evaluate: () => value };
}

export function bindLiteral(value: RouteValue, bind: BindValues): Value {
  const v = valueOf(value, bind);
  switch (v.kind) {
    case "int":
      return int(v.value);
    case "uint":
      return int(v.value, true);
    case "decimal": {
      const digits = v.text.indexOf(".") < 0 ? 0 : v.text.length - v.text.indexOf(".") - 1;
      return decimalFromText(v.text, digits);
    }
    case "float":
      return double(Number(v.text), NOT_FIXED);
    case "null":
      return null;
    case "string":
      throw refuse("string values in an expression computed at the gateway (comparing them needs their collation)");
  }
}

/** The type several values are compared in (NULLs, which compare to nothing, aside). */
export function kindOf(types: readonly NumType[]): NumType["kind"] {
  const present = types.filter((t) => t.kind !== "null");
  return present.reduce<NumType["kind"]>((kind, t) => commonKind({ ...NULL_TYPE, kind }, t), present.length > 0 ? "int" : "null");
}

export function map<T, U>(value: T | null, f: (v: T) => U): U | null {
  return value === null ? null : f(value);
}

/** AVG(x) from the merged SUM(x) and COUNT(x), with the server's precision (not the printed average). */
export function bindAverage(sumColumn: number, countColumn: number, fields: readonly ColumnDefinition[]): Bound {
  const sumType = columnType(fields[sumColumn]!);
  const readSum = reader(sumType, sumColumn);
  const readCount = reader(columnType(fields[countColumn]!), countColumn);
  if (sumType.kind === "null") return constant(null);
  const type: NumType = sumType.kind === "double" ? sumType : { kind: "decimal", unsigned: false, decimals: Math.min(sumType.decimals + DIV_INCREMENT, 38) };
  return {
    type,
    evaluate: (row) => {
      const sum = readSum(row);
      const count = readCount(row);
      if (sum === null || count === null || asDecimal(count).units === 0n) return null;
      if (type.kind === "double") return double(asDouble(sum) / asDouble(count), NOT_FIXED);
      const quotient = decimalQuotient(asDecimal(sum), asDecimal(count), DIV_INCREMENT)!;
      return decimal(quotient.units, quotient.frac, type.decimals);
    },
  };
}

/** The type COALESCE / IFNULL / IF give the values they pass on. */
function commonType(types: readonly NumType[]): NumType {
  const present = types.filter((t) => t.kind !== "null");
  const kind = kindOf(present);
  if (kind === "null") return NULL_TYPE;
  const decimals = Math.max(...present.map((t) => t.decimals));
  return { kind, unsigned: kind === "int" && present.every((t) => t.unsigned), decimals: kind === "int" ? 0 : decimals };
}

function convert(value: Value, type: NumType): Value {
  if (value === null || type.kind === "int" || type.kind === "null") return value;
  if (type.kind === "double") return double(asDouble(value), type.decimals);
  const d = asDecimal(value);
  return decimal(d.units, d.frac, type.decimals);
}

export function bindCall(name: FunctionName, args: readonly Bound[]): Bound {
  const [x] = args;
  switch (name) {
    case "ROUND":
    case "TRUNCATE": {
      // A constant (compileExpression checked), so evaluating it needs no row.
      const digitsValue = args[1] ? args[1].evaluate([]) : int(0n);
      if (digitsValue?.kind !== "int") throw refuse(`${name}() to a number of decimals that is not an integer, at the gateway`);
      const digits = Number(digitsValue.value);
      const truncate = name === "TRUNCATE";
      const t = x!.type;
      if (t.kind === "int" && digits >= 0) return x!;
      const decimals = Math.max(digits, 0);
      const type: NumType = t.kind === "null" ? NULL_TYPE : { kind: t.kind === "int" ? "decimal" : t.kind, unsigned: false, decimals: t.kind === "double" ? decimals : Math.min(decimals, 38) };
      return {
        type,
        evaluate: (row) =>
          map(x!.evaluate(row), (v): SqlNumber => {
            if (v.kind === "double") return double(roundDouble(v.value, digits, truncate), decimals);
            const d = asDecimal(v);
            const units = roundUnits(d.units, d.frac, digits, truncate);
            return digits >= 0 ? decimal(units, digits, decimals) : decimal(units * 10n ** BigInt(-digits), 0, 0);
          }),
      };
    }
    case "FLOOR":
    case "CEIL":
    case "CEILING": {
      const t = x!.type;
      if (t.kind === "int" || t.kind === "null") return x!;
      const up = name !== "FLOOR";
      return {
        type: { kind: t.kind, unsigned: false, decimals: 0 },
        evaluate: (row) =>
          map(x!.evaluate(row), (v): SqlNumber => {
            if (v.kind === "double") return double(up ? Math.ceil(v.value) : Math.floor(v.value), 0);
            const d = asDecimal(v);
            const whole = roundUnits(d.units, d.frac, 0, true);
            const exact = whole * 10n ** BigInt(d.frac) === d.units;
            return decimal(exact ? whole : up ? (d.units > 0n ? whole + 1n : whole) : d.units < 0n ? whole - 1n : whole, 0, 0);
          }),
      };
    }
    case "ABS":
      return { type: x!.type, evaluate: (row) => map(x!.evaluate(row), (v) => (isNegative(v) ? negate(v) : v)) };
    case "SIGN":
      return { type: INT, evaluate: (row) => map(x!.evaluate(row), (v) => int(BigInt(isNegative(v) ? -1 : isTrue(v) ? 1 : 0))) };
    case "IFNULL":
    case "COALESCE": {
      const type = commonType(args.map((a) => a.type));
      return {
        type,
        evaluate: (row) => {
          for (const arg of args) {
            const value = arg.evaluate(row);
            if (value !== null) return convert(value, type);
          }
          return null;
        },
      };
    }
    case "IF": {
      const [condition, then, otherwise] = args;
      const type = commonType([then!.type, otherwise!.type]);
      return { type, evaluate: (row) => convert((isTrue(condition!.evaluate(row)) ? then! : otherwise!).evaluate(row), type) };
    }
    case "MOD":
      throw new Error("MOD is compiled as %");
  }
}

function isNegative(v: SqlNumber): boolean {
  return v.kind === "int" ? v.value < 0n : v.kind === "decimal" ? v.units < 0n : v.value < 0;
}
