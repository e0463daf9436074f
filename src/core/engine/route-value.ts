import type { SqlValue } from "../vindexes/sql-value.ts";
import type { BindValues } from "./primitive.ts";

/** A value the plan routes or computes by: one of the statement's literals, or a constant of the plan. */
export type RouteValue = { readonly param: number } | { readonly constant: SqlValue; readonly source: string };

export function valueOf(value: RouteValue, bind: BindValues): SqlValue {
  return "param" in value ? bind[value.param]!.value : value.constant;
}

export function sourceOf(value: RouteValue, bind: BindValues): string {
  return "param" in value ? bind[value.param]!.source : value.source;
}

/** How a plan prints a value: `:__sg3` for a literal of the statement, as Vitess prints bind variables. */
export function describeValue(value: RouteValue): string {
  return "param" in value ? `:__sg${value.param}` : value.source;
}
