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
  const place = (condition: SqlNode, inOn: boolean) => {
    const used = sideOf(condition);
    const conditionText = nodeText(sql, condition);
    if (used.size === 2) {
      if (outer && !inOn) throw unsupported("WHERE conditions over both tables of a LEFT JOIN across shards");
      const pair = equalityKey(condition, sql, sideOf);
      if (!pair || key) throw unsupported(`the join condition '${conditionText}' across shards (one equality between the tables is supported)`);
      key = pair;
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

  const plan = (side: Side) => {
    const sideSql = sides[side].sql();
    return planSelect(parseLoadedStatement(sideSql), sideSql, ctx);
  };
  const width = sides[0].columns.length;
  let root: Primitive = new Join({ left: plan(0), right: plan(1), slot, leftKey, rightKey, outer });
  const at = (side: Side, column: number) => (side === 0 ? column : width + column);
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
