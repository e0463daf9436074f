import { Limit } from "../engine/limit.ts";
import { MergeSort } from "../engine/merge-sort.ts";
import type { Primitive } from "../engine/primitive.ts";
import { TrimColumns } from "../engine/projection.ts";
import { QueryTemplate } from "../engine/query-template.ts";
import { IN_LIST_SLOT, LIMIT_SLOT, Route } from "../engine/route.ts";
import type { RouteValue } from "../engine/route-value.ts";
import { checkLogicalGrouping } from "../engine/evaluate.ts";
import { MySqlError } from "../errors.ts";
import { planAggregation } from "./plan-aggregation.ts";
import type { KeyspaceConfig } from "../config/types.ts";
import { parseLoadedStatement } from "./sql-parser.ts";
import { planOverDerivedRows } from "./plan-derived-rows.ts";
import { planJoin } from "./plan-join.ts";
import { planSubqueries } from "./plan-subqueries.ts";
import { planUnion } from "./plan-union.ts";
import type { PlanningContext, StatementScope } from "./planning-context.ts";
import { chooseRoute, colocatedGroups, routeValue, type RouteChoice } from "./route-analysis.ts";
import { SelectColumns } from "./select-columns.ts";
import { clauseEnd, outlineSelect, type SelectOutline, type TextRange } from "./select-outline.ts";
import { child, children, columnName, conjuncts, containsAggregate, containsSubquery, text, walk, type SqlNode } from "./sql-node.ts";
import { fromTable, resolveTable, type ResolvedTable } from "./tables.ts";
import { applyEdits, type TextEdit } from "./text-edits.ts";

export function unsupported(reason: string): MySqlError {
  return MySqlError.of("NOT_SUPPORTED_YET", `shardgate does not support ${reason} yet`);
}

/** Plans a SELECT: where it runs, and what the gateway does with the shards' answers. */
export function planSelect(ast: SqlNode, sql: string, ctx: StatementScope): Primitive {
  // node-sql-parser reads `SELECT ... UNION (SELECT ...)` as a join named "UNION": the union planner works from the text.
  if (ast["_next"] || children(ast, "from").some((e) => /^union/i.test(String(e["join"])))) return planUnion(ast, sql, ctx);
  const from = children(ast, "from");
  const derived = from.length === 1 ? child(child(from[0]!, "expr") ?? {}, "ast") : undefined;
  if (derived) return planDerivedTable(ast, sql, derived, text(from[0]!, "as") ?? "", ctx);
  const common = children(ast, "with");
  if (common.length > 0) return planDerivedTable(ast, sql, commonTableExpression(common, from), text(from[0]!, "as") ?? text(from[0]!, "table") ?? "", ctx);
  const tables: ResolvedTable[] = [];
  for (const entry of from) {
    const named = fromTable(entry);
    if (!named) throw unsupported("derived tables and table functions in a FROM over a sharded keyspace");
    tables.push(resolveTable(ctx, named.db, named.table, named.alias));
  }
  const keyspaces = [...new Set(tables.map((t) => t.keyspace))];
  for (const entry of from) {
    const on = child(entry, "on");
    if (on) checkLogicalGrouping(on, sql);
  }
  const where = child(ast, "where");
  if (where) checkLogicalGrouping(where, sql);
  const conditions = [...conjuncts(where), ...from.flatMap((entry) => conjuncts(child(entry, "on")))];
  if (keyspaces.length > 1 || colocatedGroups(tables, conditions).length > 1) return planJoin(ast, sql, tables, ctx);
  const keyspace = keyspaces[0] ?? defaultKeyspace(ctx);
  if (containsSubquery(ast["where"]) || containsSubquery(ast["columns"]) || containsSubquery(ast["having"])) {
    const subqueries = planSubqueries(ast, sql, tables, keyspace, ctx);
    return subqueries.wrap(planTables(ast, subqueries.sql, tables, keyspace));
  }
  return planTables(ast, sql, tables, keyspace);
}

/** A SELECT whose tables are resolved and whose remaining subqueries all run on the shards. */
function planTables(ast: SqlNode, sql: string, tables: readonly ResolvedTable[], keyspace: KeyspaceConfig): Primitive {
  const whole = new QueryTemplate(sql);
  if (!keyspace.sharded) return new Route({ keyspace: keyspace.name, sharded: false, variant: "Unsharded", query: whole });
  const sharded = tables.filter((t) => t.kind === "sharded");
  if (sharded.length === 0) return new Route({ keyspace: keyspace.name, sharded: true, variant: "Reference", query: whole });
  const where = child(ast, "where");
  const choice = chooseRoute(sql, where, sharded);
  if (choice.variant === "EqualUnique" || choice.variant === "None") {
    return new Route({ keyspace: keyspace.name, sharded: true, variant: choice.variant, query: whole, ...vindexOf(choice), table: sharded[0]!.name });
  }
  return planScatter(ast, sql, { keyspace: keyspace.name, variant: choice.variant, ...vindexOf(choice), inValues: choice.inValues, table: sharded[0]!.name }, sharded.map((t) => t.primary!.column));
}

/**
 * `SELECT ... FROM (SELECT ...) t`: when the inner SELECT needs no merging at the gateway (one shard, or
 * rows that are final per shard), the whole statement runs where the inner one would, and is planned like
 * a SELECT over a table on that route. Otherwise the outer query runs at the gateway on the merged rows.
 */
function planDerivedTable(ast: SqlNode, sql: string, inner: SqlNode, alias: string, ctx: StatementScope): Primitive {
  if (!inner.loc || containsSubquery(ast["where"]) || containsSubquery(ast["columns"])) throw unsupported("this derived table");
  const offset = inner.loc.start.offset;
  const innerText = sql.slice(offset, inner.loc.end.offset).trimEnd();
  const innerAst = parseLoadedStatement(innerText);
  const innerPlan = planSelect(innerAst, innerText, ctx);
  if (!(innerPlan instanceof Route)) return planOverDerivedRows(ast, sql, innerAst, innerPlan, alias);
  const route = innerPlan.options;
  if (route.variant !== "IN" && route.variant !== "Scatter") return new Route({ ...route, query: new QueryTemplate(sql), shardLimit: undefined });
  const inValues = route.variant === "IN" ? shiftedInList(innerText, route.query.text, offset) : undefined;
  return planScatter(ast, sql, { keyspace: route.keyspace, variant: route.variant, vindex: route.vindex, values: route.values ? [...route.values] : undefined, inValues, table: route.table }, []);
}

/** `WITH t AS (SELECT ...) SELECT ... FROM t` is a derived table by another name; other WITH forms are refused. */
function commonTableExpression(common: readonly SqlNode[], from: readonly SqlNode[]): SqlNode {
  const name = text(child(common[0]!, "name") ?? {}, "value");
  const inner = child(child(common[0]!, "stmt") ?? {}, "ast");
  if (common.length !== 1 || from.length !== 1 || !name || text(from[0]!, "table") !== name || !inner || inner.type !== "select") {
    throw unsupported("WITH (common table expressions) over a sharded keyspace other than one CTE read as the only table");
  }
  return inner;
}

/** Where the inner SELECT's IN list sits in the outer text (the inner route's query marks it with IN_LIST_SLOT). */
function shiftedInList(innerText: string, routeText: string, offset: number): TextRange {
  const start = routeText.indexOf(IN_LIST_SLOT);
  const after = routeText.slice(start + IN_LIST_SLOT.length);
  const end = innerText.length - after.length;
  if (start < 0 || routeText.slice(0, start) !== innerText.slice(0, start) || innerText.slice(end) !== after) throw unsupported("this derived table");
  return { start: offset + start, end: offset + end };
}

/** Where a multi-shard SELECT goes: the route's variant and vindex values, and where an IN list sits in the text. */
interface ScatterTarget {
  keyspace: string;
  variant: "IN" | "Scatter";
  vindex?: { name: string; column: string };
  values?: RouteValue[];
  inValues?: TextRange;
  table?: string;
}

/**
 * A SELECT that reaches several shards: the shards run it (with helper columns and LIMIT m+n), and the
 * gateway merges: sorted merge and LIMIT, or group merging when rows of one group can sit on several shards.
 * `vindexColumns` are the columns whose equal values live on one shard.
 */
function planScatter(ast: SqlNode, sql: string, target: ScatterTarget, vindexColumns: readonly string[]): Primitive {
  const outline = outlineSelect(sql);
  if (!outline || outline.items.length !== children(ast, "columns").length) throw unsupported("this SELECT's shape over several shards");
  if (ast["into"] && child(ast, "into")?.["position"]) throw unsupported("SELECT ... INTO over several shards");
  if (/\bSQL_CALC_FOUND_ROWS\b/i.test(sql.slice(0, outline.itemsStart))) throw unsupported("SQL_CALC_FOUND_ROWS over several shards");
  if (hasWindowFunction(ast)) throw unsupported("window functions (OVER) over several shards");
  const needsAggregation =
    children(ast, "columns").some((c) => containsAggregate(c)) ||
    containsAggregate(ast["having"]) ||
    ast["distinct"] === "DISTINCT" ||
    children(child(ast, "groupby") ?? {}, "columns").length > 0;
  const columns = new SelectColumns(ast, sql, outline);
  const edits: TextEdit[] = [];
  if (target.inValues) edits.push({ ...target.inValues, text: IN_LIST_SLOT });
  const routeOf = (shardLimit?: { count: RouteValue; offset: RouteValue | undefined }) => {
    edits.push(...columns.helperEdits());
    return new Route({
      keyspace: target.keyspace,
      sharded: true,
      variant: target.variant,
      query: new QueryTemplate(applyEdits(sql, edits)),
      vindex: target.vindex,
      values: target.values,
      shardLimit,
      table: target.table,
    });
  };
  if (needsAggregation && !groupsOnOneShard(ast, vindexColumns)) {
    return planAggregation({ ast, sql, outline, columns, edits, routeOf });
  }
  return planMergedRows(ast, outline, columns, edits, routeOf);
}

/** Rows that need no merging beyond order and LIMIT: each shard's rows are final. */
function planMergedRows(
  ast: SqlNode,
  outline: SelectOutline,
  columns: SelectColumns,
  edits: TextEdit[],
  routeOf: (shardLimit?: { count: RouteValue; offset: RouteValue | undefined }) => Route,
): Primitive {
  const keys = columns.orderKeys(ast, outline);
  const limit = limitOf(ast);
  if (limit && outline.clauses.LIMIT !== undefined) {
    edits.push({ start: outline.clauses.LIMIT, end: clauseEnd(outline, "LIMIT"), text: `LIMIT ${LIMIT_SLOT} ` });
  }
  let plan: Primitive = routeOf(limit);
  if (keys.length > 0) plan = new MergeSort(plan, columns.resolve(keys));
  if (limit) plan = new Limit(plan, limit.count, limit.offset);
  if (columns.helperCount > 0) plan = new TrimColumns(plan, columns.helperCount);
  return plan;
}

/** `LIMIT n`, `LIMIT m, n`, `LIMIT n OFFSET m`, as route values. */
export function limitOf(ast: SqlNode): { count: RouteValue; offset: RouteValue | undefined } | undefined {
  const limit = child(ast, "limit");
  const values = children(limit ?? {}, "value").map(routeValue);
  if (!limit || values.length === 0) return undefined;
  if (values.some((v) => v === undefined)) throw unsupported("LIMIT with anything but numbers over several shards");
  const separator = text(limit, "seperator");
  if (values.length === 1) return { count: values[0]!, offset: undefined };
  return separator === "," ? { count: values[1]!, offset: values[0]! } : { count: values[0]!, offset: values[1]! };
}

/** GROUP BY (or DISTINCT over) a sharded table's primary vindex column: every group lives on one shard. */
function groupsOnOneShard(ast: SqlNode, columns: readonly string[]): boolean {
  const vindexColumns = new Set(columns.map((c) => c.toLowerCase()));
  const isVindexColumn = (node: SqlNode | undefined) => node?.type === "column_ref" && vindexColumns.has(columnName(node)?.toLowerCase() ?? "");
  const groupBy = children(child(ast, "groupby") ?? {}, "columns");
  if (groupBy.length > 0) return groupBy.some(isVindexColumn);
  if (ast["distinct"] === "DISTINCT" && !children(ast, "columns").some((c) => containsAggregate(c))) {
    return children(ast, "columns").some((c) => isVindexColumn(child(c, "expr")));
  }
  return false;
}

function vindexOf(choice: RouteChoice): { vindex?: { name: string; column: string }; values?: RouteValue[] } {
  if (!choice.table?.primary || !choice.values) return {};
  return { vindex: { name: choice.table.primary.vindex, column: choice.table.primary.column }, values: choice.values };
}

function defaultKeyspace(ctx: PlanningContext): KeyspaceConfig {
  const name = ctx.defaultKeyspace ?? ctx.snapshot.keyspaceNames.find((k) => !ctx.snapshot.keyspace(k)!.config.sharded);
  if (name === undefined) throw MySqlError.of("NO_DB", "No database selected");
  const route = ctx.snapshot.keyspace(name);
  if (!route) throw MySqlError.of("BAD_DB", `Unknown database '${name}'`);
  return route.config;
}

function hasWindowFunction(ast: SqlNode): boolean {
  let found = false;
  walk([ast["columns"], ast["orderby"]], (node) => {
    if (node["over"]) found = true;
    return !found;
  });
  return found;
}
