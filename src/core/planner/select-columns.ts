import { MySqlError } from "../errors.ts";
import type { OrderKey } from "../engine/row-order.ts";
import { clauseEnd, type SelectOutline, type TextRange } from "./select-outline.ts";
import { child, children, columnName, functionName, isAggregate, text, type SqlNode } from "./sql-node.ts";
import { clauseBodyStart, sameExpression, splitClauseItems, withoutAlias, type TextEdit } from "./text-edits.ts";

/** A result column: one of the client's select items, or a helper the planner added after them. */
export type ColumnRef = { item: number } | { helper: number };

export interface PendingKey {
  column: ColumnRef;
  weight: ColumnRef | undefined;
  descending: boolean;
}

interface Item {
  node: SqlNode;
  expression: string;
  alias: string | undefined;
  star: boolean;
}

/** Aggregates whose result is a number, so they need no collation weight to be ordered. */
const NUMERIC_AGGREGATES = new Set(["COUNT", "SUM", "AVG", "BIT_AND", "BIT_OR", "BIT_XOR", "STD", "STDDEV", "VARIANCE"]);

/**
 * The select list a scattered SELECT sends to each shard: the client's items as written, then helper
 * columns the gateway needs (weights to order text by its collation, partial aggregates, hidden sort
 * keys), which it drops before answering.
 */
export class SelectColumns {
  readonly items: Item[];
  readonly hasStar: boolean;
  private readonly helpers: string[] = [];
  private readonly lastItemEnd: number;

  constructor(
    ast: SqlNode,
    private readonly sql: string,
    outline: SelectOutline,
  ) {
    const nodes = children(ast, "columns");
    this.items = outline.items.map((range, i) => {
      const node = nodes[i]!;
      const alias = text(node, "as") ?? undefined;
      const expression = slice(sql, withoutAlias(sql, range, alias !== undefined));
      const expr = child(node, "expr");
      const star = expr?.type === "column_ref" && columnName(expr) === "*";
      return { node, expression, alias, star };
    });
    this.hasStar = this.items.some((i) => i.star);
    this.lastItemEnd = outline.items.at(-1)!.end;
  }

  get helperCount(): number {
    return this.helpers.length;
  }

  /** A hidden column computing `expression` on the shards. */
  helper(expression: string): ColumnRef {
    const existing = this.helpers.findIndex((h) => h === expression);
    if (existing >= 0) return { helper: existing };
    this.helpers.push(expression);
    return { helper: this.helpers.length - 1 };
  }

  expressionOf(ref: ColumnRef): string {
    return "item" in ref ? this.items[ref.item]!.expression : this.helpers[ref.helper]!;
  }

  /** The WEIGHT_STRING helper that orders a column by its collation, unless the column is evidently a number. */
  weightOf(ref: ColumnRef): ColumnRef | undefined {
    if ("item" in ref) {
      const expr = child(this.items[ref.item]!.node, "expr");
      if (expr && (expr.type === "number" || (isAggregate(expr) && NUMERIC_AGGREGATES.has(aggregateName(expr))))) return undefined;
    }
    return this.helper(weightExpression(this.expressionOf(ref)));
  }

  /** The select item an ORDER BY / GROUP BY expression names: by position, alias or the same expression. */
  itemFor(node: SqlNode | undefined, expression: string, clause: string): number | undefined {
    if (node?.type === "number") {
      const position = Number(node["value"]);
      if (this.hasStar) throw MySqlError.of("NOT_SUPPORTED_YET", `shardgate does not support ${clause} by position with SELECT * over several shards yet`);
      if (!Number.isInteger(position) || position < 1 || position > this.items.length) {
        throw new MySqlError(1054, "42S22", `Unknown column '${node["value"]}' in '${clause}'`);
      }
      return position - 1;
    }
    if (node?.type === "column_ref" && !text(node, "table")) {
      const name = columnName(node)?.toLowerCase();
      const byAlias = this.items.findIndex((i) => i.alias?.toLowerCase() === name);
      if (byAlias >= 0) return byAlias;
    }
    const same = this.items.findIndex((i) => sameExpression(i.expression, expression));
    if (same >= 0) return same;
    if (node?.type === "column_ref" && !node["collate"]) {
      const name = columnName(node)?.toLowerCase();
      const byName = this.items.findIndex((i) => {
        const expr = child(i.node, "expr");
        return expr?.type === "column_ref" && columnName(expr)?.toLowerCase() === name && i.alias === undefined;
      });
      if (byName >= 0) return byName;
    }
    return undefined;
  }

  /** A column for `expression` (an existing item, or a new helper) with its weight. */
  keyFor(node: SqlNode | undefined, expression: string, clause: string, descending: boolean): PendingKey {
    const item = this.itemFor(node, expression, clause);
    const column: ColumnRef = item === undefined ? this.helper(expression) : { item };
    return { column, weight: this.weightOf(column), descending };
  }

  /** The ORDER BY keys, as columns of the shards' answer. */
  orderKeys(ast: SqlNode, outline: SelectOutline): PendingKey[] {
    const start = outline.clauses.ORDER;
    if (start === undefined) return [];
    const nodes = children(ast, "orderby");
    const items = splitClauseItems(this.sql, clauseBodyStart(this.sql, start), clauseEnd(outline, "ORDER"));
    if (items.length !== nodes.length) throw MySqlError.of("NOT_SUPPORTED_YET", "shardgate could not read this ORDER BY clause");
    return items.map((item, i) =>
      this.keyFor(child(nodes[i]!, "expr"), slice(this.sql, item.expression), "order clause", text(nodes[i]!, "type")?.toUpperCase() === "DESC"),
    );
  }

  /** Final column positions: items first, then helpers (from the end when `*` makes the width unknown). */
  index(ref: ColumnRef): number {
    if ("item" in ref) return ref.item;
    return this.hasStar ? -(this.helpers.length - ref.helper) : this.items.length + ref.helper;
  }

  resolve(keys: readonly PendingKey[]): OrderKey[] {
    return keys.map((k) => ({
      column: this.index(k.column),
      weight: k.weight === undefined ? undefined : this.index(k.weight),
      descending: k.descending,
    }));
  }

  /** The edit that appends the helpers to the shards' select list. */
  helperEdits(): TextEdit[] {
    if (this.helpers.length === 0) return [];
    return [{ start: this.lastItemEnd, end: this.lastItemEnd, text: `, ${this.helpers.join(", ")}` }];
  }
}

/**
 * The shard computes the collation weight; RTRIM because the PAD SPACE collations (MariaDB's defaults)
 * compare without trailing spaces, while WEIGHT_STRING keeps their weights.
 */
export function weightExpression(expression: string): string {
  return `WEIGHT_STRING(RTRIM(${expression}))`;
}

export function slice(sql: string, range: TextRange): string {
  return sql.slice(range.start, range.end);
}

export function aggregateName(node: SqlNode): string {
  return node.type === "aggr_func" ? (text(node, "name") ?? "").toUpperCase() : functionName(node);
}
