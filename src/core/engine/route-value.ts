import { INT64_MIN, type SqlValue } from "../vindexes/sql-value.ts";
import type { BindValues } from "./primitive.ts";

/**
 * A value the plan routes or computes by: one of the statement's literals (`negative` for `-literal`,
 * which the lexer sees as an operator and a number), or a constant of the plan.
 */
export type RouteValue = { readonly param: number; readonly negative?: boolean } | { readonly constant: SqlValue; readonly source: string };

export function valueOf(value: RouteValue, bind: BindValues): SqlValue {
  if (!("param" in value)) return value.constant;
  const literal = bind[value.param]!.value;
  return value.negative ? negate(literal) : literal;
}

export function sourceOf(value: RouteValue, bind: BindValues): string {
  if (!("param" in value)) return value.source;
  return value.negative ? `-${bind[value.param]!.source}` : bind[value.param]!.source;
}

/** How a plan prints a value: `:__sg3` for a literal of the statement, as Vitess prints bind variables. */
export function describeValue(value: RouteValue): string {
  if (!("param" in value)) return value.source;
  return `${value.negative ? "-" : ""}:__sg${value.param}`;
}

/** `-x` as MySQL evaluates it for a literal: integers stay integers (a UINT64 past INT64 becomes DECIMAL), strings become numbers. */
function negate(value: SqlValue): SqlValue {
  switch (value.kind) {
    case "int":
      return value.value === 0n ? value : { kind: "int", value: -value.value };
    case "uint":
      return -value.value >= INT64_MIN ? { kind: "int", value: -value.value } : { kind: "decimal", text: `-${value.value}` };
    case "decimal":
    case "float":
      return { kind: value.kind, text: value.text.startsWith("-") ? value.text.slice(1) : `-${value.text}` };
    case "string":
      return { kind: "float", text: `-${new TextDecoder().decode(value.bytes).trim() || "0"}` };
    case "null":
      return value;
  }
}

/**
 * The value a vindex maps: a float or decimal with no fraction (`1e0` from a driver's DOUBLE parameter,
 * `5.0`) as the integer it equals, since the server compares it with the column as that integer.
 */
export function routingKey(value: SqlValue): SqlValue {
  if (value.kind !== "float" && value.kind !== "decimal") return value;
  const number = Number(value.text);
  if (!Number.isInteger(number) || !Number.isSafeInteger(number)) return value;
  return { kind: "int", value: BigInt(number) };
}
