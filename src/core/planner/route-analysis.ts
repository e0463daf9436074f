import { checkLogicalGrouping } from "../engine/evaluate.ts";
import type { RouteValue } from "../engine/route-value.ts";
import { sqlInt, sqlString, SQL_NULL } from "../vindexes/sql-value.ts";
import { PLACEHOLDER_PREFIX } from "./parameterize.ts";
import type { TextRange } from "./select-outline.ts";
import { child, children, columnName, conjuncts, text, type SqlNode } from "./sql-node.ts";
import type { ResolvedTable } from "./tables.ts";

/** Which shards a statement over co-located sharded tables must reach, from its WHERE. */
export interface RouteChoice {
  variant: "EqualUnique" | "IN" | "Scatter" | "None";
  table?: ResolvedTable;
  values?: RouteValue[];
  /** IN: the text between the list's parentheses, which each shard gets only its part of. */
  inValues?: TextRange;
  /**
   * The vindex the route maps its values with: the table's primary vindex, or for EqualUnique a unique
   * secondary vindex (a lookup) when the WHERE constrains no primary vindex column by `=`. In that case
   * `table` is a view of the table whose `primary` is that vindex, so a route built from
   * `table.primary` maps by it too.
   */
  vindex?: { column: string; vindex: string; type: string };
}

/** Vindex types that map a value to at most one keyspace id (Vitess `SingleColumn.IsUnique`). */
const UNIQUE_TYPES = new Set(["hash", "xxhash", "numeric", "binary", "binary_md5", "unicode_loose_md5", "lookup_unique"]);

const PARAM_NAME = PLACEHOLDER_PREFIX.slice(1);

/** A literal the planner can route by: a placeholder of the statement, or a literal the parser kept. */
export function routeValue(node: SqlNode | undefined): RouteValue | undefined {
  if (!node) return undefined;
  const value = node["value"];
  if (node.type === "param" && typeof value === "string" && value.startsWith(PARAM_NAME)) {
    return { param: Number(value.slice(PARAM_NAME.length)) };
  }
  if (node.type === "number" && (typeof value === "number" || typeof value === "string") && /^\d+$/.test(String(value))) {
    return { constant: sqlInt(BigInt(value)), source: String(value) };
  }
  if ((node.type === "single_quote_string" || node.type === "string") && typeof value === "string") {
    return { constant: sqlString(value), source: `'${value.replace(/['\\]/g, "\\$&")}'` };
  }
  if (node.type === "null") return { constant: SQL_NULL, source: "NULL" };
  if (node.type === "unary_expr" && text(node, "operator") === "-") {
    const inner = routeValue(child(node, "expr"));
    if (inner && "param" in inner && !inner.negative) return { param: inner.param, negative: true };
  }
  return undefined;
}

/** The table a column reference belongs to, among the statement's tables, or undefined when unknown/ambiguous. */
export function tableOfColumn(node: SqlNode, tables: readonly ResolvedTable[]): ResolvedTable | undefined {
  const qualifier = text(node, "table");
  if (qualifier) return tables.find((t) => t.alias === qualifier) ?? tables.find((t) => t.alias.toLowerCase() === qualifier.toLowerCase());
  const column = columnName(node)?.toLowerCase();
  const candidates = tables.filter((t) => t.primary?.column.toLowerCase() === column);
  return candidates.length === 1 ? candidates[0] : tables.length === 1 ? tables[0] : undefined;
}

/** The sharded table whose primary vindex column `node` is, if it is one. */
function vindexColumnTable(node: SqlNode | undefined, tables: readonly ResolvedTable[]): ResolvedTable | undefined {
  if (!node || node.type !== "column_ref") return undefined;
  const table = tableOfColumn(node, tables);
  if (!table?.primary) return undefined;
  return columnName(node)?.toLowerCase() === table.primary.column.toLowerCase() ? table : undefined;
}

/**
 * Sharded tables joined on their primary vindex columns (same vindex) live on the same shard row by row:
 * the statement can run whole on each shard. Returns the groups of such tables.
 */
export function colocatedGroups(tables: readonly ResolvedTable[], conditions: readonly SqlNode[]): ResolvedTable[][] {
  const sharded = tables.filter((t) => t.kind === "sharded");
  const parent = new Map(sharded.map((t) => [t, t]));
  const find = (t: ResolvedTable): ResolvedTable => {
    let root = t;
    while (parent.get(root) !== root) root = parent.get(root)!;
    return root;
  };
  for (const condition of conditions) {
    if (condition.type !== "binary_expr" || text(condition, "operator") !== "=") continue;
    const left = vindexColumnTable(child(condition, "left"), sharded);
    const right = vindexColumnTable(child(condition, "right"), sharded);
    if (!left || !right || left === right) continue;
    if (left.keyspace !== right.keyspace || left.primary!.vindex !== right.primary!.vindex) continue;
    parent.set(find(left), find(right));
  }
  const groups = new Map<ResolvedTable, ResolvedTable[]>();
  for (const t of sharded) {
    const root = find(t);
    groups.set(root, [...(groups.get(root) ?? []), t]);
  }
  return [...groups.values()];
}

/** The sharded table and unique secondary vindex whose column `node` is, if it is one. */
function secondaryVindexColumn(node: SqlNode | undefined, tables: readonly ResolvedTable[]): RouteChoice["vindex"] & { table: ResolvedTable } | undefined {
  if (!node || node.type !== "column_ref") return undefined;
  const table = tableOfColumn(node, tables);
  const column = columnName(node)?.toLowerCase();
  const found = table?.secondary?.find((s) => s.columns.length === 1 && s.columns[0]!.toLowerCase() === column && UNIQUE_TYPES.has(s.type));
  return found && { table: table!, column: found.columns[0]!, vindex: found.vindex, type: found.type };
}

/**
 * Picks the cheapest route the WHERE allows: one shard for `=`, the IN list's shards, or all of them.
 * As Vitess ranks them, `=` on the primary vindex column comes first, then `=` on a unique secondary
 * vindex column (one lookup, then one shard), then IN on the primary vindex column, then scatter.
 */
export function chooseRoute(sql: string, where: SqlNode | undefined, tables: readonly ResolvedTable[]): RouteChoice {
  // node-sql-parser groups `a OR b AND c` as `(a OR b) AND c`; routing by such a tree would lose rows.
  if (where) checkLogicalGrouping(where, sql);
  let best: RouteChoice = { variant: "Scatter" };
  let bySecondary: RouteChoice | undefined;
  for (const condition of conjuncts(where)) {
    if (condition.type !== "binary_expr") continue;
    const operator = text(condition, "operator")?.toUpperCase();
    const left = child(condition, "left");
    const right = child(condition, "right");
    if (operator === "=") {
      let table = vindexColumnTable(left, tables);
      let value = routeValue(right);
      if (!table || !value) {
        table = vindexColumnTable(right, tables);
        value = routeValue(left);
      }
      if (!table || !value) {
        bySecondary ??= secondaryChoice(sql, left, right, tables) ?? secondaryChoice(sql, right, left, tables);
        continue;
      }
      if ("constant" in value && value.constant.kind === "null") {
        // `col <=> NULL` (parsed as `=`) matches NULLs; only `col = NULL` matches nothing.
        if (sql.includes("<=>")) continue;
        return { variant: "None", table };
      }
      return { variant: "EqualUnique", table, values: [value], vindex: table.primary };
    }
    if (operator === "IN" && best.variant === "Scatter") {
      const table = vindexColumnTable(left, tables);
      if (!table || right?.type !== "expr_list") continue;
      const items = children(right, "value");
      const values = items.map(routeValue);
      if (values.length === 0 || values.some((v) => v === undefined)) continue;
      const range = inListRange(sql, left!, condition);
      if (!range) continue;
      best = { variant: "IN", table, values: values as RouteValue[], inValues: range, vindex: table.primary };
    }
  }
  return bySecondary ?? best;
}

/** `column = value` on a unique secondary vindex column: EqualUnique through that vindex. */
function secondaryChoice(sql: string, column: SqlNode | undefined, literal: SqlNode | undefined, tables: readonly ResolvedTable[]): RouteChoice | undefined {
  const found = secondaryVindexColumn(column, tables);
  const value = routeValue(literal);
  if (!found || !value) return undefined;
  const { table, ...vindex } = found;
  const view: ResolvedTable = { ...table, primary: vindex };
  if ("constant" in value && value.constant.kind === "null") return sql.includes("<=>") ? undefined : { variant: "None", table: view, vindex };
  return { variant: "EqualUnique", table: view, values: [value], vindex };
}

/** The text between the parentheses of `col IN (...)`, located from the parser's positions. */
function inListRange(sql: string, column: SqlNode, condition: SqlNode): TextRange | undefined {
  if (!column.loc || !condition.loc) return undefined;
  const open = sql.indexOf("(", column.loc.end.offset);
  // The parser's end offsets sometimes take in trailing spaces.
  let close = condition.loc.end.offset - 1;
  while (close > open && sql[close] !== ")" && /\s/.test(sql[close]!)) close--;
  if (open < 0 || sql[close] !== ")" || open > close) return undefined;
  return { start: open + 1, end: close };
}
