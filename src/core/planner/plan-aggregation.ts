import { Aggregate, type AggregateColumn, type AggregateOp } from "../engine/aggregate.ts";
import { ComputeColumns, type ComputedColumn } from "../engine/compute-columns.ts";
import { checkLogicalGrouping, compileExpression, type Expr } from "../engine/evaluate.ts";
import { Filter } from "../engine/filter.ts";
import { Limit } from "../engine/limit.ts";
import { MergeSort } from "../engine/merge-sort.ts";
import type { Primitive } from "../engine/primitive.ts";
import { TrimColumns } from "../engine/projection.ts";
import type { Route } from "../engine/route.ts";
import type { RouteValue } from "../engine/route-value.ts";
import { limitOf, unsupported } from "./plan-select.ts";
import { aggregateName, slice, weightExpression, type ColumnRef, type PendingKey, type SelectColumns } from "./select-columns.ts";
import { clauseEnd, type SelectOutline, type SelectClause } from "./select-outline.ts";
import { child, children, columnName, conjuncts, containsAggregate, isAggregate, text, type SqlNode } from "./sql-node.ts";
import { clauseBodyStart, splitClauseItems, type TextEdit } from "./text-edits.ts";
import { Lexer, TK_EOF, TK_ERROR, TK_OP, TK_QUOTED_IDENT, TK_WORD } from "../sql/lexer.ts";

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
  /** The argument of COUNT/SUM/AVG(DISTINCT x): the shards group by it too, the gateway counts its values. */
  distinct?: string;
  weight?: ColumnRef;
  sum?: ColumnRef;
  count?: ColumnRef;
}

/**
 * GROUP BY, aggregates and DISTINCT over several shards, as Vitess plans them: each shard groups its own
 * rows (by the client's keys, plus the argument of a COUNT(DISTINCT x)), the gateway merges the groups
 * and combines the partial aggregates, computes the select items over aggregates, applies HAVING, then
 * ORDER BY and LIMIT, none of which the shards could do on their partial groups.
 */
export function planAggregation(input: AggregationInput): Primitive {
  const { ast, sql, outline, columns, edits } = input;
  if (columns.hasStar) throw unsupported("SELECT * with GROUP BY or DISTINCT over several shards");
  if (/\bWITH\s+ROLLUP\b/i.test(sql)) throw unsupported("GROUP BY ... WITH ROLLUP over several shards");
  const aggregates: PendingAggregate[] = [];
  const distinctArguments: string[] = [];
  const gateway = new GatewayColumns(sql, columns, aggregates, (argument) => {
    if (!distinctArguments.some((a) => a.toLowerCase() === argument.toLowerCase())) distinctArguments.push(argument);
  });
  const expressionItems: number[] = [];
  columns.items.forEach((item, index) => {
    const expr = child(item.node, "expr");
    if (!expr || !containsAggregate(expr)) return;
    if (isAggregate(expr)) gateway.aggregateItem(expr, index);
    else expressionItems.push(index);
  });
  // After the plain aggregates, so that an expression reuses the items it contains.
  for (const index of expressionItems) gateway.expressionItem(index);
  const groupBy = children(child(ast, "groupby") ?? {}, "columns");
  const having = child(ast, "having");
  const groupsRows = groupBy.length > 0 || aggregates.length > 0 || containsAggregate(having);
  let predicate: { expr: Expr; text: string } | undefined;
  if (having && groupsRows) {
    // The shards hold parts of each group: HAVING is for the gateway, over the merged groups, but for
    // conditions on GROUP BY columns alone, true or false alike in every part of a group. (Without
    // grouping, as under a plain DISTINCT, HAVING filters rows, which the shards can do.)
    checkLogicalGrouping(having, sql);
    const onShards: string[] = [];
    const atGateway: { expr: Expr; text: string }[] = [];
    for (const condition of conjuncts(having)) {
      const shardText = onGroupColumns(condition, groupBy, columns) ? conditionText(sql, condition) : undefined;
      if (shardText !== undefined) onShards.push(shardText);
      else atGateway.push({ expr: compileExpression(condition, sql, (node) => gateway.havingReference(node)), text: excerpt(sql, condition) });
    }
    if (atGateway.length > 0) {
      const expr = atGateway.map((c) => c.expr).reduce((left, right) => ({ op: "logic", operator: "AND", left, right }));
      predicate = { expr, text: atGateway.map((c) => c.text).join(" AND ") };
    }
    const start = outline.clauses.HAVING!;
    edits.push({ start, end: clauseEnd(outline, "HAVING"), text: onShards.length > 0 ? `HAVING ${onShards.join(" AND ")} ` : " " });
  }

  const keys: PendingKey[] = [];
  if (groupBy.length > 0) {
    const items = splitClauseItems(sql, clauseBodyStart(sql, outline.clauses.GROUP!), clauseEnd(outline, "GROUP"));
    if (items.length !== groupBy.length) throw unsupported("this GROUP BY clause over several shards");
    items.forEach((range, i) => keys.push(columns.keyFor(groupBy[i], slice(sql, range.expression), "group statement", false)));
  } else if (ast["distinct"] === "DISTINCT") {
    if (aggregates.length > 0) throw unsupported("SELECT DISTINCT with aggregate functions over several shards");
    columns.items.forEach((_, item) => keys.push({ column: { item }, weight: columns.weightOf({ item }), descending: false }));
  }

  // Each shard groups by every DISTINCT argument too, so a group's values of each argument can be collected
  // from its sub-groups: COUNT(DISTINCT a) and COUNT(DISTINCT b) both stay exact.
  const argumentKeys = new Map<string, PendingKey>();
  for (const argument of distinctArguments) {
    const column = columns.helper(argument);
    argumentKeys.set(argument.toLowerCase(), { column, weight: columns.weightOf(column), descending: false });
  }
  if (distinctArguments.length > 0) {
    const list = distinctArguments.join(", ");
    const groupStart = outline.clauses.GROUP;
    if (groupStart !== undefined) {
      const end = clauseEnd(outline, "GROUP");
      edits.push({ start: trimEnd(sql, end), end: trimEnd(sql, end), text: `, ${list}` });
    } else {
      const at = firstClauseAfterWhere(outline);
      edits.push({ start: at, end: at, text: ` GROUP BY ${list} ` });
    }
  }

  // DISTINCT over grouped rows dedupes the groups' select items (the GROUP BY keys may not be among them).
  const distinctItems: PendingKey[] = [];
  if (groupBy.length > 0 && ast["distinct"] === "DISTINCT") {
    columns.items.forEach((_, item) => {
      const weight = gateway.computed.some((c) => c.column === item) ? undefined : columns.weightOf({ item });
      distinctItems.push({ column: { item }, weight, descending: false });
    });
  }
  const orderKeys = orderKeysAfterAggregation(input, gateway);
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
    argument: a.distinct === undefined ? undefined : columns.resolve([argumentKeys.get(a.distinct.toLowerCase())!])[0],
  }));
  const variant = groupBy.length > 0 ? "GroupBy" : keys.length > 0 ? "Distinct" : "Scalar";
  plan = new Aggregate(plan, columns.resolve(keys), combined, groupBy.length > 0, variant);
  if (gateway.computed.length > 0) plan = new ComputeColumns(plan, gateway.computed);
  if (predicate) plan = new Filter(plan, predicate.expr, predicate.text);
  if (distinctItems.length > 0) plan = new Aggregate(plan, columns.resolve(distinctItems), [], false, "Distinct");
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
        return { column, op: name === "COUNT" ? "countDistinct" : "sumDistinct", distinct: argument };
      }
      return { column, op: name === "COUNT" ? "count" : "sum" };
    case "MIN":
    case "MAX":
      return { column, op: name === "MIN" ? "min" : "max", weight: columns.helper(weightExpression(expression)) };
    case "AVG":
      if (distinct) {
        onDistinct(argument);
        return { column, op: "avgDistinct", distinct: argument };
      }
      return { column, op: "avg", sum: columns.helper(`SUM(${argument})`), count: columns.helper(`COUNT(${argument})`) };
    case "BIT_AND":
    case "BIT_OR":
    case "BIT_XOR":
      return { column, op: name === "BIT_AND" ? "bitAnd" : name === "BIT_OR" ? "bitOr" : "bitXor" };
    default:
      throw unsupported(`the aggregate function ${name} over several shards`);
  }
}

/** `COUNT( DISTINCT x )` → `x`: the text between the outer parentheses, without DISTINCT/ALL. */
function argumentText(expression: string): string {
  const inner = expression.slice(expression.indexOf("(") + 1, expression.lastIndexOf(")")).trim();
  return inner.replace(/^(DISTINCT|ALL)\s+/i, "");
}

/**
 * ORDER BY after aggregation: by items, or by aggregates the select list lacks (added as helper
 * aggregates), or by expressions over aggregates (helper columns the gateway computes).
 */
function orderKeysAfterAggregation(input: AggregationInput, gateway: GatewayColumns): PendingKey[] {
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
    if (item !== undefined || !node || !containsAggregate(node)) return columns.keyFor(node, expression, "order clause", descending);
    if (isAggregate(node) && !isAverage(expression)) {
      if (isDistinct(expression)) throw unsupported("ORDER BY an aggregate over DISTINCT values over several shards");
      const { column, weight } = gateway.combined(node, expression);
      return { column, weight, descending };
    }
    return { column: gateway.computedHelper(node, expression), weight: undefined, descending };
  });
}

/**
 * A HAVING condition the shards can apply: comparisons of GROUP BY columns (not select aliases, which
 * HAVING would read first) with literals. Its truth is the same for every row of a group, even rows
 * that differ in case or trailing spaces, since the comparison uses the collation the grouping did.
 */
function onGroupColumns(node: SqlNode, groupBy: readonly SqlNode[], columns: SelectColumns): boolean {
  const name = (n: SqlNode) => columnName(n)?.toLowerCase();
  const grouped = new Set(groupBy.filter((g) => g.type === "column_ref" && !g["collate"]).map(name));
  const aliases = new Set(columns.items.map((i) => i.alias?.toLowerCase()));
  const pushable = (n: SqlNode): boolean => {
    if (n.type === "column_ref") return !n["collate"] && grouped.has(name(n)) && !aliases.has(name(n));
    if (["param", "number", "null", "bool", "single_quote_string", "string"].includes(n.type ?? "")) return true;
    if (n.type === "expr_list") return children(n, "value").every(pushable);
    if (n.type === "unary_expr") return text(n, "operator")?.toUpperCase() === "NOT" && pushable(child(n, "expr")!);
    const operator = text(n, "operator")?.toUpperCase() ?? "";
    const allowed = ["=", "<>", "!=", "<", "<=", ">", ">=", "IN", "NOT IN", "BETWEEN", "NOT BETWEEN", "IS", "IS NOT", "AND", "OR", "XOR"];
    return n.type === "binary_expr" && allowed.includes(operator) && pushable(child(n, "left")!) && pushable(child(n, "right")!);
  };
  return pushable(node);
}

/** A condition's text in parentheses, or undefined when the parser's positions do not give it whole. */
function conditionText(sql: string, node: SqlNode): string | undefined {
  if (!node.loc) return undefined;
  const body = sql.slice(node.loc.start.offset, node.loc.end.offset).trim();
  let depth = 0;
  lexer.reset(body);
  for (let kind = lexer.next(); kind !== TK_EOF; kind = lexer.next()) {
    if (kind === TK_ERROR) return undefined;
    const token = body.slice(lexer.start, lexer.end);
    if (kind === TK_OP && token === "(") depth++;
    if (kind === TK_OP && token === ")" && --depth < 0) return undefined;
  }
  return depth === 0 ? `(${body})` : undefined;
}

function excerpt(sql: string, node: SqlNode): string {
  return node.loc ? sql.slice(node.loc.start.offset, node.loc.end.offset).trim() : "";
}

const isAverage = (expression: string) => /^\s*AVG\s*\(/i.test(expression);
const isDistinct = (expression: string) => /^\s*\w+\s*\(\s*DISTINCT\b/i.test(expression);

/**
 * The columns the gateway combines or computes after the shards grouped: aggregates (each combined
 * once, however often the statement names it), select items over aggregates, and the values HAVING
 * and ORDER BY read, which become helper columns when the select list lacks them.
 */
class GatewayColumns {
  /** Result columns already combined by the Aggregate, with how. */
  private readonly combinedAs = new Map<number, AggregateOp>();
  /** How HAVING reads each select item (a computed item by its expression, at the server's precision). */
  private readonly itemValues = new Map<number, Expr>();
  readonly computed: ComputedColumn[] = [];

  constructor(
    private readonly sql: string,
    private readonly columns: SelectColumns,
    private readonly aggregates: PendingAggregate[],
    private readonly onDistinct: (argument: string) => void,
  ) {}

  aggregateItem(expr: SqlNode, item: number): void {
    if (expr["over"]) throw unsupported("window functions over several shards");
    const pending = aggregateOf(expr, { item }, this.columns.items[item]!.expression, this.columns, this.onDistinct);
    const value: Expr = pending.op === "avg" ? this.average(pending.sum!, pending.count!) : { op: "column", column: item };
    if (!this.register(pending)) this.computed.push({ column: item, expr: value, text: this.columns.items[item]!.expression });
    this.itemValues.set(item, value);
  }

  expressionItem(item: number): void {
    const { node, expression } = this.columns.items[item]!;
    const value = compileExpression(child(node, "expr")!, this.sql, (n) => this.selectReference(n));
    this.computed.push({ column: item, expr: value, text: expression });
    this.itemValues.set(item, value);
  }

  /** A hidden column the shards compute over their partial groups (for its definition) and the gateway recomputes. */
  computedHelper(node: SqlNode, expression: string): ColumnRef {
    const column = this.columns.helper(expression);
    const index = this.columns.index(column);
    if (!this.computed.some((c) => c.column === index)) {
      this.computed.push({ column: index, expr: compileExpression(node, this.sql, (n) => this.selectReference(n)), text: expression });
    }
    return column;
  }

  /** In HAVING, a name is a select item's alias (or the item itself) before it is a column of the table. */
  havingReference(node: SqlNode): Expr {
    const expression = this.textOf(node);
    const item = this.columns.itemFor(node, expression, "having clause");
    if (item !== undefined) return this.itemValues.get(item) ?? { op: "column", column: item };
    return this.selectReference(node);
  }

  private selectReference(node: SqlNode): Expr {
    const expression = this.textOf(node);
    if (!isAggregate(node)) return { op: "column", column: this.columns.index(this.columns.helper(expression)) };
    const item = this.columns.itemFor(node, expression, "field list");
    if (item !== undefined && this.itemValues.has(item)) return this.itemValues.get(item)!;
    if (!isAverage(expression)) return { op: "column", column: this.columns.index(this.combined(node, expression).column) };
    if (isDistinct(expression)) throw unsupported("AVG(DISTINCT ...) over several shards");
    const argument = argumentText(expression);
    const sum = this.columns.helper(`SUM(${argument})`);
    const count = this.columns.helper(`COUNT(${argument})`);
    this.register({ column: sum, op: "sum" });
    this.register({ column: count, op: "count" });
    return this.average(sum, count);
  }

  /** An aggregate the select list lacks, as a helper column the Aggregate combines. */
  combined(node: SqlNode, expression: string): { column: ColumnRef; weight: ColumnRef | undefined } {
    if (node["over"]) throw unsupported("window functions over several shards");
    const column = this.columns.helper(expression);
    const pending = aggregateOf(node, column, expression, this.columns, this.onDistinct);
    this.register(pending);
    return { column, weight: pending.weight };
  }

  /**
   * Adds an aggregate unless its columns are combined already: the same helper named twice, or a SUM /
   * COUNT helper an AVG also reads (combining a column twice would add its partial values twice).
   * Returns false for an AVG whose helpers are taken: the caller computes it from them instead.
   */
  private register(pending: PendingAggregate): boolean {
    const at = (ref: ColumnRef | undefined) => (ref === undefined ? undefined : this.columns.index(ref));
    if (pending.op === "avg" && (this.combinedAs.has(at(pending.sum)!) || this.combinedAs.has(at(pending.count)!))) return false;
    if (this.combinedAs.has(at(pending.column)!)) return true;
    this.aggregates.push(pending);
    this.combinedAs.set(at(pending.column)!, pending.op);
    if (pending.sum) this.combinedAs.set(at(pending.sum)!, "sum");
    if (pending.count) this.combinedAs.set(at(pending.count)!, "count");
    return true;
  }

  private average(sum: ColumnRef, count: ColumnRef): Expr {
    return { op: "avg", sum: this.columns.index(sum), count: this.columns.index(count) };
  }

  private textOf(node: SqlNode): string {
    if (!node.loc) throw unsupported("this expression over several shards");
    return referenceText(this.sql, node.loc.start.offset);
  }
}

const lexer = new Lexer();

/**
 * The text of the column reference or function call starting at `start`: `t.col`, `COUNT( DISTINCT x )`.
 * Read with the lexer, because the parser's end offsets can run past it (into a `<=>` it was shown as `=`).
 */
function referenceText(sql: string, start: number): string {
  let depth = 0;
  let end = start;
  let expectName = true;
  lexer.reset(sql);
  for (let kind = lexer.next(); kind !== TK_EOF && kind !== TK_ERROR; kind = lexer.next()) {
    if (lexer.start < start) continue;
    const token = sql.slice(lexer.start, lexer.end);
    if (kind === TK_OP && token === "(") {
      depth++;
    } else if (kind === TK_OP && token === ")") {
      if (--depth <= 0) {
        end = lexer.end;
        break;
      }
    } else if (depth === 0) {
      if ((kind === TK_WORD || kind === TK_QUOTED_IDENT) && expectName) end = lexer.end;
      else if (!(kind === TK_OP && token === "." && !expectName)) break;
      expectName = !expectName;
    }
  }
  return sql.slice(start, end);
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
