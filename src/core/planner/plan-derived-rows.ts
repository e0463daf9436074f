import { compileExpression } from "../engine/evaluate.ts";
import { Filter } from "../engine/filter.ts";
import { Limit } from "../engine/limit.ts";
import { MergeSort } from "../engine/merge-sort.ts";
import type { Primitive } from "../engine/primitive.ts";
import { ProjectColumns } from "../engine/project-columns.ts";
import type { OrderKey } from "../engine/row-order.ts";
import { MySqlError } from "../errors.ts";
import { limitOf, unsupported } from "./plan-select.ts";
import { child, children, columnName, containsAggregate, containsSubquery, text, type SqlNode } from "./sql-node.ts";

/**
 * An outer SELECT over a derived table whose rows the gateway had to merge (grouped, sorted or limited
 * across shards): the outer query runs here, on those rows. It may pick and rename the derived table's
 * columns, filter them with a WHERE the gateway evaluates exactly (numbers; see evaluate.ts), order by
 * them and LIMIT; anything that would need the server to compute new columns is refused.
 */
export function planOverDerivedRows(ast: SqlNode, sql: string, inner: SqlNode, innerPlan: Primitive, alias: string): Primitive {
  if (ast["distinct"] || children(child(ast, "groupby") ?? {}, "columns").length > 0 || ast["having"] || containsAggregate(ast["columns"])) {
    throw unsupported("GROUP BY, DISTINCT or aggregates over a derived table whose rows are merged at the gateway");
  }
  if (containsSubquery(ast["where"]) || containsSubquery(ast["columns"])) throw unsupported("subqueries over a derived table merged at the gateway");
  const names = innerColumnNames(inner);
  const columnOf = (node: SqlNode): number => {
    const qualifier = text(node, "table");
    const name = columnName(node)?.toLowerCase() ?? "";
    const index = qualifier && qualifier !== alias ? -1 : names.indexOf(name);
    if (index < 0) throw new MySqlError(1054, "42S22", `Unknown column '${qualifier ? `${qualifier}.` : ""}${name}' in 'field list'`);
    return index;
  };

  const picked: number[] = [];
  const renamed: (string | undefined)[] = [];
  for (const item of children(ast, "columns")) {
    const expr = child(item, "expr");
    if (expr?.type === "column_ref" && columnName(expr) === "*") {
      names.forEach((_, i) => {
        picked.push(i);
        renamed.push(undefined);
      });
      continue;
    }
    if (expr?.type !== "column_ref") throw unsupported("computed columns over a derived table whose rows are merged at the gateway (select its columns as they are)");
    picked.push(columnOf(expr));
    renamed.push(text(item, "as") ?? undefined);
  }

  let plan = innerPlan;
  const where = child(ast, "where");
  if (where && where.loc) {
    const predicate = compileExpression(where, sql, (node) => {
      if (node.type !== "column_ref") throw unsupported("aggregates in a WHERE over a derived table");
      return { op: "column", column: columnOf(node) };
    });
    plan = new Filter(plan, predicate, sql.slice(where.loc.start.offset, where.loc.end.offset).trim());
  }
  const keys: OrderKey[] = children(ast, "orderby").map((entry) => {
    const node = child(entry, "expr");
    const descending = text(entry, "type")?.toUpperCase() === "DESC";
    if (node?.type === "number") {
      const column = picked[Number(node["value"]) - 1];
      if (column === undefined) throw new MySqlError(1054, "42S22", `Unknown column '${String(node["value"])}' in 'order clause'`);
      return { column, descending };
    }
    if (node?.type !== "column_ref") throw unsupported("ORDER BY an expression over a derived table merged at the gateway");
    const byAlias = renamed.findIndex((name) => name?.toLowerCase() === columnName(node)?.toLowerCase());
    return { column: byAlias >= 0 ? picked[byAlias]! : columnOf(node), descending };
  });
  if (keys.length > 0) plan = new MergeSort(plan, keys);
  const limit = limitOf(ast);
  if (limit) plan = new Limit(plan, limit.count, limit.offset);
  return new ProjectColumns(plan, picked, renamed);
}

/** The derived table's column names, as MySQL names them: each select item's alias, column name or text. */
function innerColumnNames(inner: SqlNode): string[] {
  return children(inner, "columns").map((item) => {
    const alias = text(item, "as");
    if (alias) return alias.toLowerCase();
    const expr = child(item, "expr");
    const name = expr?.type === "column_ref" ? columnName(expr) : undefined;
    if (!name || name === "*") throw unsupported("a derived table merged at the gateway without a name for each of its columns (give expressions an alias)");
    return name.toLowerCase();
  });
}
