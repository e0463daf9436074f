import { Aggregate, type AggregateColumn, type AggregateOp } from "../engine/aggregate.ts";
import { Limit } from "../engine/limit.ts";
import { MergeSort } from "../engine/merge-sort.ts";
import type { Primitive } from "../engine/primitive.ts";
import { TrimColumns } from "../engine/projection.ts";
import type { Route } from "../engine/route.ts";
import type { RouteValue } from "../engine/route-value.ts";
import { limitOf, unsupported } from "./plan-select.ts";
import { aggregateName, slice, weightExpression, type ColumnRef, type PendingKey, type SelectColumns } from "./select-columns.ts";
import { clauseEnd, type SelectOutline, type SelectClause } from "./select-outline.ts";
import { child, children, containsAggregate, isAggregate, text, type SqlNode } from "./sql-node.ts";
import { clauseBodyStart, splitClauseItems, type TextEdit } from "./text-edits.ts";

export interface AggregationInput {
  ast: SqlNode;
  sql: string;
  outline: SelectOutline;
  columns: SelectColumns;
  edits: TextEdit[];
  routeOf: (shardLimit?: { count: RouteValue; offset: RouteValue | undefined }) => Route;
}

interface PendingAggregate {
  column: ColumnRef;
  op: AggregateOp;
  weight?: ColumnRef;
  sum?: ColumnRef;
  count?: ColumnRef;
}

/**
 * GROUP BY, aggregates and DISTINCT over several shards, as Vitess plans them: each shard groups its own
 * rows (by the client's keys, plus the argument of a COUNT(DISTINCT x)), the gateway merges the groups
 * and combines the partial aggregates, then applies ORDER BY and LIMIT, which the shards did not.
 */
export function planAggregation(input: AggregationInput): Primitive {
  const { ast, sql, outline, columns, edits } = input;
  if (columns.hasStar) throw unsupported("SELECT * with GROUP BY or DISTINCT over several shards");
  if (ast["having"]) throw unsupported("HAVING over several shards unless grouping by the shard key");
  if (/\bWITH\s+ROLLUP\b/i.test(sql)) throw unsupported("GROUP BY ... WITH ROLLUP over several shards");
  const aggregates: PendingAggregate[] = [];
  let distinctArgument: string | undefined;
  columns.items.forEach((item, index) => {
    const expr = child(item.node, "expr");
    if (!expr || !containsAggregate(expr)) return;
    if (!isAggregate(expr)) throw unsupported(`expressions over aggregate functions (${item.expression}) over several shards`);
    const pending = aggregateOf(expr, { item: index }, item.expression, columns, (argument) => {
      if (distinctArgument !== undefined && distinctArgument.toLowerCase() !== argument.toLowerCase()) {
        throw unsupported("aggregates over DISTINCT values of two different expressions over several shards");
      }
      distinctArgument = argument;
    });
    aggregates.push(pending);
  });

  const groupBy = children(child(ast, "groupby") ?? {}, "columns");
  const keys: PendingKey[] = [];
  if (groupBy.length > 0) {
    const items = splitClauseItems(sql, clauseBodyStart(sql, outline.clauses.GROUP!), clauseEnd(outline, "GROUP"));
    if (items.length !== groupBy.length) throw unsupported("this GROUP BY clause over several shards");
    items.forEach((range, i) => keys.push(columns.keyFor(groupBy[i], slice(sql, range.expression), "group statement", false)));
  } else if (ast["distinct"] === "DISTINCT") {
    if (aggregates.length > 0) throw unsupported("SELECT DISTINCT with aggregate functions over several shards");
    columns.items.forEach((_, item) => keys.push({ column: { item }, weight: columns.weightOf({ item }), descending: false }));
  }

  let argumentKey: PendingKey | undefined;
  if (distinctArgument !== undefined) {
    const column = columns.helper(distinctArgument);
    argumentKey = { column, weight: columns.weightOf(column), descending: false };
    const groupStart = outline.clauses.GROUP;
    if (groupStart !== undefined) {
      const end = clauseEnd(outline, "GROUP");
      edits.push({ start: trimEnd(sql, end), end: trimEnd(sql, end), text: `, ${distinctArgument}` });
    } else {
      const at = firstClauseAfterWhere(outline);
      edits.push({ start: at, end: at, text: ` GROUP BY ${distinctArgument} ` });
    }
  }

  const orderKeys = orderKeysAfterAggregation(input, aggregates);
  // ORDER BY stays on the shards (harmless, and MariaDB's result metadata can differ with it); LIMIT must go.
  removeClause(outline, "LIMIT", edits);
  const limit = limitOf(ast);

  let plan: Primitive = input.routeOf();
  const resolveColumn = (ref: ColumnRef | undefined) => (ref === undefined ? undefined : columns.index(ref));
  const combined: AggregateColumn[] = aggregates.map((a) => ({
    column: columns.index(a.column),
    op: a.op,
    weight: resolveColumn(a.weight),
    sumColumn: resolveColumn(a.sum),
    countColumn: resolveColumn(a.count),
    argument: argumentKey && columns.resolve([argumentKey])[0],
  }));
  const variant = groupBy.length > 0 ? "GroupBy" : keys.length > 0 ? "Distinct" : "Scalar";
  plan = new Aggregate(plan, columns.resolve(keys), combined, groupBy.length > 0, variant);
  if (orderKeys.length > 0) plan = new MergeSort(plan, columns.resolve(orderKeys));
  if (limit) plan = new Limit(plan, limit.count, limit.offset);
  if (columns.helperCount > 0) plan = new TrimColumns(plan, columns.helperCount);
  return plan;
}

function aggregateOf(
  expr: SqlNode,
  column: ColumnRef,
  expression: string,
  columns: SelectColumns,
  onDistinct: (argument: string) => void,
): PendingAggregate {
  // Read from the text: the parser is given `SUM(DISTINCT x)` as `SUM(x)` (see sql-parser.ts).
  const name = /^\s*(\w+)\s*\(/.exec(expression)?.[1]?.toUpperCase() ?? aggregateName(expr);
  const distinct = /^\s*\w+\s*\(\s*DISTINCT\b/i.test(expression);
  const argument = argumentText(expression);
  if (distinct && child(child(expr, "args") ?? {}, "expr")?.type === "expr_list") {
    throw unsupported(`${name}(DISTINCT ...) of several expressions over several shards`);
  }
  switch (name) {
    case "COUNT":
    case "SUM":
      if (distinct) {
        onDistinct(argument);
        return { column, op: name === "COUNT" ? "countDistinct" : "sumDistinct" };
      }
      return { column, op: name === "COUNT" ? "count" : "sum" };
    case "MIN":
    case "MAX":
      return { column, op: name === "MIN" ? "min" : "max", weight: columns.helper(weightExpression(expression)) };
    case "AVG":
      if (distinct) throw unsupported("AVG(DISTINCT ...) over several shards");
      return { column, op: "avg", sum: columns.helper(`SUM(${argument})`), count: columns.helper(`COUNT(${argument})`) };
    default:
      throw unsupported(`the aggregate function ${name} over several shards`);
  }
}

/** `COUNT( DISTINCT x )` → `x`: the text between the outer parentheses, without DISTINCT/ALL. */
function argumentText(expression: string): string {
  const inner = expression.slice(expression.indexOf("(") + 1, expression.lastIndexOf(")")).trim();
  return inner.replace(/^(DISTINCT|ALL)\s+/i, "");
}

/** ORDER BY after aggregation: by items, or by aggregates the select list lacks (added as helper aggregates). */
function orderKeysAfterAggregation(input: AggregationInput, aggregates: PendingAggregate[]): PendingKey[] {
  const { ast, sql, outline, columns } = input;
  const start = outline.clauses.ORDER;
  if (start === undefined) return [];
  const nodes = children(ast, "orderby");
  const items = splitClauseItems(sql, clauseBodyStart(sql, start), clauseEnd(outline, "ORDER"));
  if (items.length !== nodes.length) throw unsupported("this ORDER BY clause over several shards");
  return items.map((range, i) => {
    const node = child(nodes[i]!, "expr");
    const expression = slice(sql, range.expression);
    const descending = text(nodes[i]!, "type")?.toUpperCase() === "DESC";
    const item = columns.itemFor(node, expression, "order clause");
    if (item !== undefined || !node || !isAggregate(node)) return columns.keyFor(node, expression, "order clause", descending);
    const column = columns.helper(expression);
    const pending = aggregateOf(node, column, expression, columns, () => {
      throw unsupported("ORDER BY an aggregate over DISTINCT values over several shards");
    });
    aggregates.push(pending);
    return { column, weight: pending.weight ?? (pending.op === "min" || pending.op === "max" ? undefined : undefined), descending };
  });
}

function removeClause(outline: SelectOutline, clause: SelectClause, edits: TextEdit[]): void {
  const start = outline.clauses[clause];
  if (start !== undefined) edits.push({ start, end: clauseEnd(outline, clause), text: " " });
}

function firstClauseAfterWhere(outline: SelectOutline): number {
  const after = (["GROUP", "HAVING", "WINDOW", "ORDER", "LIMIT", "TAIL"] as const).map((c) => outline.clauses[c]).filter((p) => p !== undefined);
  return after.length > 0 ? Math.min(...after) : outline.end;
}

function trimEnd(sql: string, end: number): number {
  let p = end;
  while (p > 0 && /\s/.test(sql[p - 1]!)) p--;
  return p;
}
