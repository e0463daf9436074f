import { Concatenate, type CollatedColumn } from "../engine/concatenate.ts";
import { Distinct, type DistinctColumn } from "../engine/distinct.ts";
import { Limit } from "../engine/limit.ts";
import { MergeSort } from "../engine/merge-sort.ts";
import type { Primitive } from "../engine/primitive.ts";
import { TrimColumns } from "../engine/projection.ts";
import { QueryTemplate } from "../engine/query-template.ts";
import { Route } from "../engine/route.ts";
import type { OrderKey } from "../engine/row-order.ts";
import { SingleShardUnion } from "../engine/single-shard-union.ts";
import { MySqlError } from "../errors.ts";
import { limitOf, planSelect, unsupported } from "./plan-select.ts";
import type { StatementScope } from "./planning-context.ts";
import { aggregateName, SelectColumns, weightExpression } from "./select-columns.ts";
import { outlineSelect } from "./select-outline.ts";
import { parseLoadedStatement } from "./sql-parser.ts";
import { child, children, columnName, isAggregate, text, type SqlNode } from "./sql-node.ts";
import { splitUnion, type UnionPart, type UnionShape } from "./union-outline.ts";

/** A part ready for planSelect: its own text, and its AST. */
interface PreparedPart {
  sql: string;
  ast: SqlNode;
  columns: SelectColumns;
  itemsEnd: number;
}

/** Aggregates whose value is a number: no collation weight, and WEIGHT_STRING over them would not plan over several shards. */
const NUMERIC_AGGREGATES = new Set(["COUNT", "SUM", "AVG", "BIT_AND", "BIT_OR", "BIT_XOR", "STD", "STDDEV", "STDDEV_POP", "STDDEV_SAMP", "VARIANCE", "VAR_POP", "VAR_SAMP"]);

/**
 * UNION [ALL | DISTINCT] of SELECTs, as Vitess plans it. When every SELECT reads one unsharded keyspace
 * or only reference tables, the union runs whole on one shard; when each reaches one shard by its shard
 * key, it runs whole there if the bound values agree on the shard (SingleShardUnion). Otherwise each
 * SELECT is planned on its own (keeping its own ORDER BY / LIMIT inside parentheses) and the gateway
 * concatenates their rows (in the types the server would give the union's columns: unionColumns),
 * removes duplicates (a DISTINCT union removes them from everything to its left, as MySQL does), then
 * applies the union's ORDER BY and LIMIT. Text is compared by `WEIGHT_STRING` helper columns every
 * SELECT computes at the same positions, with `COLLATION(expr)` beside each to prove the weights of
 * all the SELECTs were taken under one collation.
 */
export function planUnion(first: SqlNode, sql: string, ctx: StatementScope): Primitive {
  const shape = splitUnion(sql);
  const nodes: SqlNode[] = [];
  for (let node: SqlNode | undefined = first; node; node = child(node, "_next")) nodes.push(node);
  if (nodes.length !== shape.parts.length) throw unsupported("this UNION's shape (the parser read its SELECTs differently)");
  nodes.slice(0, -1).forEach((node, i) => {
    const op = text(node, "set_op")?.toLowerCase();
    if (op !== "union" && op !== "union all" && op !== "union distinct") throw unsupported(`${op?.toUpperCase() ?? "this set operation"} over a sharded keyspace`);
    if ((op !== "union all") !== shape.distinct[i]) throw unsupported("this UNION's shape (the parser read its SELECTs differently)");
  });
  const parts = shape.parts.map((part, i) => preparePart(sql, shape, part, nodes[i]!, i === nodes.length - 1));

  const planned = parts.map((part) => planPart(part, ctx));
  const keyspaces = new Set(planned.flatMap((p) => [...p.keyspaces]));
  if (keyspaces.size > 1) throw unsupported(`UNION across keyspaces (${[...keyspaces].join(", ")})`);
  const whole = wholeRoute(planned, sql);
  if (whole) return whole;
  const pointRoutes = samePointCandidates(planned);
  if (!pointRoutes) return planApart({ first, nodes, shape, parts, planned, ctx });
  let apart: Primitive | MySqlError;
  try {
    apart = planApart({ first, nodes, shape, parts, planned, ctx });
  } catch (error) {
    if (!(error instanceof MySqlError)) throw error;
    apart = error;
  }
  return new SingleShardUnion(pointRoutes[0]!.options.keyspace, new QueryTemplate(sql), pointRoutes, apart);
}

interface ApartInput {
  first: SqlNode;
  nodes: readonly SqlNode[];
  shape: UnionShape;
  parts: readonly PreparedPart[];
  planned: readonly PlannedPart[];
  ctx: StatementScope;
}

/** Each SELECT on its own route, and the union done at the gateway. */
function planApart({ first, nodes, shape, parts, planned, ctx }: ApartInput): Primitive {
  if (parts.some((p) => /\bSQL_CALC_FOUND_ROWS\b/i.test(p.sql))) throw unsupported("SQL_CALC_FOUND_ROWS in a UNION over several shards");
  if (shape.trailing) {
    const extra = [...shape.trailing.words].find((w) => w !== "ORDER" && w !== "LIMIT");
    if (extra !== undefined) throw unsupported(`UNION ... ${extra} over several shards`);
  }
  const lastNode = nodes.at(-1)!;
  const lastPart = shape.parts.at(-1)!;
  const orderNodes = children(first, "_orderby").length > 0 ? children(first, "_orderby") : lastPart.parenthesized ? [] : children(lastNode, "orderby");
  const limitNode = child(first, "_limit") ?? (lastPart.parenthesized ? undefined : child(lastNode, "limit"));
  const limit = limitNode ? limitOf({ limit: limitNode }) : undefined;
  const words = shape.trailing?.words ?? new Set<string>();
  if (words.has("ORDER") !== orderNodes.length > 0 || words.has("LIMIT") !== (limit !== undefined)) {
    throw unsupported("this UNION's ORDER BY / LIMIT (the parser read them differently)");
  }

  const width = unionWidth(parts);
  const keys = orderNodes.map((node) => ({ position: orderPosition(node, parts[0]!.columns, width), descending: text(node, "type")?.toUpperCase() === "DESC" }));
  const lastDistinct = shape.distinct.lastIndexOf(true) + 1;
  if (width === undefined && (lastDistinct > 0 || keys.length > 0)) throw unsupported("SELECT * in a UNION that removes duplicates or is ordered, over several shards");
  const compared = lastDistinct > 0 ? [...Array(width).keys()] : [...new Set(keys.map((k) => k.position))];
  const weighted = compared.filter((position) => !parts.some((part) => isNumericAggregate(part.columns, position)));
  const helpers = weighted.length * 2;
  const weightOf = (position: number) => {
    const j = weighted.indexOf(position);
    return j < 0 ? undefined : { weight: width! + 2 * j, collation: width! + 2 * j + 1 };
  };

  const inputs = helpers === 0 ? planned.map((p) => p.plan) : parts.map((part) => planPart(withHelpers(part, weighted), ctx).plan);
  const collated: CollatedColumn[] = weighted.map((column) => ({ column, collation: weightOf(column)!.collation }));
  const materialized = lastDistinct > 0 || keys.length > 0;
  const concatenate = (list: Primitive[]) => new Concatenate(list, { helpers, collated, materialized });
  let plan: Primitive;
  if (lastDistinct > 0) {
    const columns: DistinctColumn[] = compared.map((column) => ({ column, weight: weightOf(column)?.weight }));
    const deduplicated = new Distinct(concatenate(inputs.slice(0, lastDistinct + 1)), columns);
    const rest = inputs.slice(lastDistinct + 1);
    plan = rest.length === 0 ? deduplicated : concatenate([deduplicated, ...rest]);
  } else {
    plan = concatenate(inputs);
  }
  if (keys.length > 0) {
    const orderKeys: OrderKey[] = keys.map((k) => ({ column: k.position, weight: weightOf(k.position)?.weight, descending: k.descending }));
    plan = new MergeSort(plan, orderKeys);
  }
  if (limit) plan = new Limit(plan, limit.count, limit.offset);
  if (helpers > 0) plan = new TrimColumns(plan, helpers);
  return plan;
}

interface PlannedPart {
  plan: Primitive;
  /** The keyspaces of its tables; none for a SELECT of no table, which can run anywhere. */
  keyspaces: Set<string>;
}

/**
 * The routes of a union whose SELECTs each reach one shard of one sharded keyspace (`= value` on the
 * shard key) or could run on any of its shards; which shard is known only once the values are bound.
 */
function samePointCandidates(planned: readonly PlannedPart[]): Route[] | undefined {
  const routes: Route[] = [];
  for (const { plan, keyspaces } of planned) {
    if (!(plan instanceof Route)) return undefined;
    const { variant, sharded } = plan.options;
    if (keyspaces.size === 0) continue;
    if (!sharded || (variant !== "EqualUnique" && variant !== "Reference" && variant !== "None")) return undefined;
    routes.push(plan);
  }
  return routes.some((r) => r.options.variant === "EqualUnique") ? routes : undefined;
}

/** A union whose SELECTs all run on one shard of one keyspace: the whole statement goes there. */
function wholeRoute(planned: readonly PlannedPart[], sql: string): Route | undefined {
  const routes: Route[] = [];
  for (const { plan } of planned) {
    if (!(plan instanceof Route) || (plan.options.variant !== "Unsharded" && plan.options.variant !== "Reference")) return undefined;
    routes.push(plan);
  }
  // SELECTs of no table planned on the session's keyspace; they can run wherever the others do.
  const target = routes.find((_, i) => planned[i]!.keyspaces.size > 0) ?? routes[0]!;
  const { keyspace, sharded, variant } = target.options;
  return new Route({ keyspace, sharded, variant, query: new QueryTemplate(sql) });
}

function planPart(part: PreparedPart, ctx: StatementScope): PlannedPart {
  const keyspaces = new Set<string>();
  const tracking: StatementScope = {
    snapshot: ctx.snapshot,
    defaultKeyspace: ctx.defaultKeyspace,
    checkAccess(name) {
      ctx.checkAccess(name);
      keyspaces.add(name);
    },
    allocateSlot: () => ctx.allocateSlot(),
  };
  return { plan: planSelect(part.ast, part.sql, tracking), keyspaces };
}

/** The union's column count, when no SELECT has a `*` (then only the shards' answers tell). */
function unionWidth(parts: readonly PreparedPart[]): number | undefined {
  if (parts.some((p) => p.columns.hasStar)) return undefined;
  const width = parts[0]!.columns.items.length;
  if (parts.some((p) => p.columns.items.length !== width)) {
    throw new MySqlError(1222, "21000", "The used SELECT statements have a different number of columns");
  }
  return width;
}

function isNumericAggregate(columns: SelectColumns, position: number): boolean {
  const expr = child(columns.items[position]!.node, "expr");
  return expr !== undefined && isAggregate(expr) && NUMERIC_AGGREGATES.has(aggregateName(expr));
}

/** A key of the union's ORDER BY: a column position, or the name the first SELECT gives a column. */
function orderPosition(node: SqlNode, first: SelectColumns, width: number | undefined): number {
  const expr = child(node, "expr");
  if (expr?.type === "number") {
    const position = Number(expr["value"]);
    if (width === undefined) throw unsupported("ORDER BY a position on a UNION with SELECT * over several shards");
    if (!Number.isInteger(position) || position < 1 || position > width) throw unknownColumn(String(expr["value"]));
    return position - 1;
  }
  if (expr?.type !== "column_ref" || expr["collate"]) throw unsupported("ORDER BY an expression on a UNION over several shards");
  const table = text(expr, "table");
  if (table) throw new MySqlError(1250, "42000", `Table '${table}' from one of the SELECTs cannot be used in global ORDER clause`);
  const name = columnName(expr) ?? "";
  const matches = first.items.flatMap((item, i) => (resultName(item.node)?.toLowerCase() === name.toLowerCase() ? [i] : []));
  if (matches.length === 1) return matches[0]!;
  if (first.hasStar || matches.length > 1) throw unsupported(`ORDER BY '${name}' on a UNION with SELECT * or repeated column names over several shards`);
  throw unknownColumn(name);
}

function unknownColumn(name: string): MySqlError {
  return new MySqlError(1054, "42S22", `Unknown column '${name}' in 'order clause'`);
}

/** The name a select item gives its result column, when the planner can tell it: its alias or its column. */
function resultName(item: SqlNode): string | undefined {
  const alias = text(item, "as");
  if (alias) return alias;
  const expr = child(item, "expr");
  return expr?.type === "column_ref" ? columnName(expr) : undefined;
}

/** The part with a weight and a `COLLATION(expr)` appended to its select list for each compared position. */
function withHelpers(part: PreparedPart, positions: readonly number[]): PreparedPart {
  const inserted = positions
    .map((p) => part.columns.items[p]!.expression)
    .map((e) => `, ${weightExpression(e)}, COLLATION(${e})`)
    .join("");
  return prepared(part.sql.slice(0, part.itemsEnd) + inserted + part.sql.slice(part.itemsEnd));
}

/** A part's own text (the union's ORDER BY / LIMIT cut off the last one), parsed on its own. */
function preparePart(sql: string, shape: UnionShape, part: UnionPart, node: SqlNode, last: boolean): PreparedPart {
  const loc = node.loc?.start.offset;
  if (loc !== undefined && (loc < part.range.start || loc > part.select.start)) throw unsupported("this UNION's shape (the parser read its SELECTs differently)");
  const ownsTrailing = last && !part.parenthesized && shape.trailing !== undefined;
  const end = ownsTrailing ? trimEnd(sql, shape.trailing!.range.start) : part.select.end;
  return prepared(sql.slice(part.select.start, end));
}

/** Placeholders keep their numbers in a part's text, so the statement's values bind to every part. */
function prepared(sql: string): PreparedPart {
  const ast = parseLoadedStatement(sql);
  if (ast.type !== "select" || ast["_next"]) throw unsupported("a UNION inside a part of a UNION over several shards");
  const outline = outlineSelect(sql);
  if (!outline || outline.items.length !== children(ast, "columns").length) throw unsupported("this SELECT's shape in a UNION over several shards");
  return { sql, ast, columns: new SelectColumns(ast, sql, outline), itemsEnd: outline.items.at(-1)!.end };
}

function trimEnd(sql: string, end: number): number {
  let p = end;
  while (p > 0 && /\s/.test(sql[p - 1]!)) p--;
  return p;
}
