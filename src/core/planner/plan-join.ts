import { compileExpression, type Expr } from "../engine/evaluate.ts";
import { Filter } from "../engine/filter.ts";
import { Join } from "../engine/join.ts";
import { Limit } from "../engine/limit.ts";
import { MergeSort } from "../engine/merge-sort.ts";
import type { Primitive } from "../engine/primitive.ts";
import { ProjectColumns } from "../engine/project-columns.ts";
import type { OrderKey } from "../engine/row-order.ts";
import { PLACEHOLDER_PREFIX } from "./parameterize.ts";
import { limitOf, planSelect, unsupported } from "./plan-select.ts";
import type { StatementScope } from "./planning-context.ts";
import { slice, weightExpression } from "./select-columns.ts";
import { clauseEnd, outlineSelect } from "./select-outline.ts";
import { child, children, columnName, conjuncts, containsAggregate, text, walk, type SqlNode } from "./sql-node.ts";
import { parseLoadedStatement } from "./sql-parser.ts";
import type { ResolvedTable } from "./tables.ts";
import { clauseBodyStart, splitClauseItems, withoutAlias } from "./text-edits.ts";

type Side = 0 | 1;

/** The SELECT one side of the join runs: its items, then the join key, its weight, and sort helpers. */
class SideQuery {
  readonly columns: string[] = [];
  readonly conditions: string[] = [];

  constructor(readonly from: string) {}

  add(expression: string): number {
    const existing = this.columns.indexOf(expression);
    if (existing >= 0) return existing;
    this.columns.push(expression);
    return this.columns.length - 1;
  }

  sql(): string {
    const where = this.conditions.length > 0 ? ` WHERE ${this.conditions.map((c) => `(${c})`).join(" AND ")}` : "";
    return `SELECT ${this.columns.join(", ")} FROM ${this.from}${where}`;
  }
}

/**
 * Two tables on different shards or keyspaces, joined at the gateway on one equality between them. Each
 * side's conditions, items and sort keys go to that side's own query; what needs both sides is refused.
 */
export function planJoin(ast: SqlNode, sql: string, tables: readonly ResolvedTable[], ctx: StatementScope): Primitive {
  const from = children(ast, "from");
  if (from.length !== 2) throw unsupported("joins of more than two tables when they are not all on one shard");
  const joinType = text(from[1]!, "join")?.toUpperCase();
  if (joinType !== undefined && joinType !== "INNER JOIN" && joinType !== "JOIN" && joinType !== "LEFT JOIN" && joinType !== "CROSS JOIN") {
    throw unsupported(`${joinType} across shards or keyspaces`);
  }
  const outer = joinType === "LEFT JOIN";
  if (
    children(ast, "columns").some((c) => containsAggregate(c)) ||
    ast["distinct"] === "DISTINCT" ||
    children(child(ast, "groupby") ?? {}, "columns").length > 0 ||
    ast["having"]
  ) {
    throw unsupported("GROUP BY, DISTINCT or aggregates over a join across shards or keyspaces");
  }
  const outline = outlineSelect(sql);
  if (!outline || outline.items.length !== children(ast, "columns").length) throw unsupported("this join's SELECT shape");
  const using = children(from[1]!, "using").map((u) => String(u["value"]).toLowerCase());
  const sides = [new SideQuery(sideText(sql, from[0]!)), new SideQuery(sideText(sql, from[1]!))] as const;
  const sideOf = (node: unknown): Set<Side> => sidesOf(node, tables, using);

  let key: [string, string] | undefined;
  /** Conditions over both tables besides the join key: evaluated at the gateway on the joined rows. */
  const crossConditions: SqlNode[] = [];
  const place = (condition: SqlNode, inOn: boolean) => {
    const used = sideOf(condition);
    const conditionText = nodeText(sql, condition);
    if (used.size === 2) {
      if (outer) throw unsupported(`the condition '${conditionText}' over both tables of a LEFT JOIN across shards (only its one equality)`);
      const pair = key ? undefined : equalityKey(condition, sql, sideOf);
      if (pair) key = pair;
      else crossConditions.push(condition);
      return;
    }
    const side: Side = used.has(1) ? 1 : 0;
    if (outer && side === 1 && !inOn) throw unsupported("WHERE conditions on the right table of a LEFT JOIN across shards");
    if (outer && side === 0 && inOn) throw unsupported("ON conditions on the left table of a LEFT JOIN across shards");
    sides[used.size === 0 && inOn ? 1 : side].conditions.push(conditionText);
  };
  for (const column of using) {
    if (key) throw unsupported("USING more than one column across shards");
    key = [`${tables[0]!.alias}.${column}`, `${tables[1]!.alias}.${column}`];
  }
  for (const condition of conjuncts(child(from[1]!, "on"))) place(condition, true);
  for (const condition of conjuncts(child(ast, "where"))) place(condition, false);
  if (!key) throw unsupported("a join across shards or keyspaces without an equality between the two tables");

  const items = outline.items.map((range, i) => {
    const node = children(ast, "columns")[i]!;
    const expr = child(node, "expr");
    if (expr?.type === "column_ref" && columnName(expr) === "*") throw unsupported("SELECT * over a join across shards or keyspaces (name the columns)");
    const used = sideOf(expr);
    if (used.size === 2) throw unsupported(`the select expression '${slice(sql, range)}' over both tables of a join across shards`);
    const side: Side = used.has(1) ? 1 : 0;
    const alias = text(node, "as") ?? undefined;
    return { side, column: sides[side].add(slice(sql, range)), expression: slice(sql, withoutAlias(sql, range, alias !== undefined)), alias };
  });
  const leftKey = { column: sides[0].add(key[0]), weight: sides[0].add(weightExpression(key[0])) };
  const rightKey = { column: sides[1].add(key[1]), weight: sides[1].add(weightExpression(key[1])) };
  const slot = ctx.allocateSlot();
  sides[1].conditions.unshift(`${key[1]} IN (${PLACEHOLDER_PREFIX}${slot})`);

  const orderKeys: { side: Side; column: number; weight: number; descending: boolean }[] = [];
  if (outline.clauses.ORDER !== undefined) {
    const nodes = children(ast, "orderby");
    const ranges = splitClauseItems(sql, clauseBodyStart(sql, outline.clauses.ORDER), clauseEnd(outline, "ORDER"));
    ranges.forEach((range, i) => {
      const node = child(nodes[i]!, "expr");
      let expression = slice(sql, range.expression);
      let side: Side;
      if (node?.type === "number") {
        const item = items[Number(node["value"]) - 1];
        if (!item) throw unsupported(`ORDER BY position ${String(node["value"])}`);
        ({ side, expression } = item);
      } else {
        const byAlias = node?.type === "column_ref" && !text(node, "table") ? items.find((it) => it.alias?.toLowerCase() === columnName(node)?.toLowerCase()) : undefined;
        if (byAlias) ({ side, expression } = byAlias);
        else {
          const used = sideOf(node);
          if (used.size === 2) throw unsupported(`ORDER BY '${expression}' over both tables of a join across shards`);
          side = used.has(1) ? 1 : 0;
        }
      }
      orderKeys.push({ side, column: sides[side].add(expression), weight: sides[side].add(weightExpression(expression)), descending: range.descending });
    });
  }

  // Each column a cross condition reads comes from its side's query; the condition runs on the joined row.
  const crossColumns: { side: Side; column: number }[] = [];
  const predicates = crossConditions.map((condition) =>
    compileExpression(condition, sql, (node) => {
      if (node.type !== "column_ref") throw unsupported(`'${nodeText(sql, condition)}' across shards`);
      const side: Side = sideOf(node).has(1) ? 1 : 0;
      const entry = { side, column: sides[side].add(nodeText(sql, node)) };
      crossColumns.push(entry);
      return { op: "column", column: -1 - (crossColumns.length - 1) };
    }),
  );
  const plan = (side: Side) => {
    const sideSql = sides[side].sql();
    return planSelect(parseLoadedStatement(sideSql), sideSql, ctx);
  };
  const width = sides[0].columns.length;
  let root: Primitive = new Join({ left: plan(0), right: plan(1), slot, leftKey, rightKey, outer });
  const at = (side: Side, column: number) => (side === 0 ? column : width + column);
  for (const [i, predicate] of predicates.entries()) {
    const located = relocate(predicate, (placeholder) => {
      const entry = crossColumns[-1 - placeholder]!;
      return at(entry.side, entry.column);
    });
    root = new Filter(root, located, nodeText(sql, crossConditions[i]!));
  }
  if (orderKeys.length > 0) {
    const keys: OrderKey[] = orderKeys.map((k) => ({ column: at(k.side, k.column), weight: at(k.side, k.weight), descending: k.descending }));
    root = new MergeSort(root, keys);
  }
  const limit = limitOf(ast);
  if (limit) root = new Limit(root, limit.count, limit.offset);
  return new ProjectColumns(root, items.map((item) => at(item.side, item.column)));
}

/** The FROM entry's text as written (`commerce.product AS p`), without a join keyword or ON clause. */
function sideText(sql: string, entry: SqlNode): string {
  if (!entry.loc) throw unsupported("this join");
  return sql.slice(entry.loc.start.offset, entry.loc.end.offset).trim();
}

function nodeText(sql: string, node: SqlNode): string {
  if (!node.loc) throw unsupported("this join condition");
  return sql.slice(node.loc.start.offset, node.loc.end.offset).trim();
}

/** `l_expr = r_expr` with each side over one table only: the two texts, left table's first. */
function equalityKey(condition: SqlNode, sql: string, sideOf: (node: unknown) => Set<Side>): [string, string] | undefined {
  if (condition.type !== "binary_expr" || text(condition, "operator") !== "=") return undefined;
  const left = child(condition, "left");
  const right = child(condition, "right");
  if (!left || !right) return undefined;
  const a = sideOf(left);
  const b = sideOf(right);
  if (a.size !== 1 || b.size !== 1 || a.has(1) === b.has(1)) return undefined;
  const pair: [string, string] = [nodeText(sql, left), nodeText(sql, right)];
  return a.has(0) ? pair : [pair[1], pair[0]];
}

/** Which tables an expression reads: by qualifier; an unqualified column only when it is a USING column. */
function sidesOf(node: unknown, tables: readonly ResolvedTable[], using: readonly string[]): Set<Side> {
  const sides = new Set<Side>();
  walk(node, (n) => {
    if (n["ast"] !== undefined) throw unsupported("subqueries in a join across shards or keyspaces");
    if (n.type !== "column_ref") return;
    const qualifier = text(n, "table");
    const name = columnName(n)?.toLowerCase() ?? "";
    if (!qualifier) {
      if (using.includes(name)) sides.add(0);
      else throw unsupported(`the unqualified column '${name}' in a join across shards or keyspaces (qualify it with its table)`);
      return;
    }
    const index = tables.findIndex((t) => t.alias === qualifier || t.name === qualifier);
    if (index < 0) throw unsupported(`the column '${qualifier}.${name}' in a join across shards or keyspaces`);
    sides.add(index as Side);
  });
  return sides;
}

/** The expression with its column placeholders (negative, in the order the resolver met them) made joined-row positions. */
function relocate(expr: Expr, position: (placeholder: number) => number): Expr {
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (value === null || typeof value !== "object" || value instanceof Uint8Array) return value;
    const node = value as Record<string, unknown>;
    if (node["op"] === "column" && typeof node["column"] === "number" && node["column"] < 0) return { op: "column", column: position(node["column"]) };
    if (node["op"] === "literal") return value;
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, visit(v)]));
  };
  return visit(expr) as Expr;
}
