/**
 * The parts of node-sql-parser's AST the planner reads. The library's own typings are loose (`any`),
 * so the planner sees every node through this one narrow type and the accessors below.
 */
export interface SqlNode {
  readonly type?: string;
  readonly loc?: { start: { offset: number }; end: { offset: number } };
  readonly [field: string]: unknown;
}

export function isNode(value: unknown): value is SqlNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function child(node: SqlNode, field: string): SqlNode | undefined {
  const value = node[field];
  return isNode(value) ? value : undefined;
}

export function children(node: SqlNode, field: string): SqlNode[] {
  const value = node[field];
  return Array.isArray(value) ? value.filter(isNode) : [];
}

export function text(node: SqlNode, field: string): string | undefined {
  const value = node[field];
  return typeof value === "string" ? value : undefined;
}

/** A column reference's column name (node-sql-parser wraps some in `{expr: {value}}`). */
export function columnName(node: SqlNode): string | undefined {
  if (node.type !== "column_ref") return undefined;
  const column = node["column"];
  if (typeof column === "string") return column;
  if (isNode(column)) {
    const expr = child(column, "expr");
    const value = expr?.["value"];
    if (typeof value === "string") return value;
  }
  return undefined;
}

/** Every node below `node` (itself included), depth first; stops descending where `enter` says no. */
export function walk(node: unknown, visit: (node: SqlNode) => boolean | void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (!isNode(node)) return;
  if (visit(node) === false) return;
  for (const key of Object.keys(node)) {
    if (key === "loc") continue;
    const value = node[key];
    if (typeof value === "object" && value !== null) walk(value, visit);
  }
}

/** The conjuncts of a WHERE: `a AND (b AND c)` is [a, b, c]. */
export function conjuncts(where: SqlNode | undefined): SqlNode[] {
  if (!where) return [];
  if (where.type === "binary_expr" && text(where, "operator")?.toUpperCase() === "AND") {
    return [...conjuncts(child(where, "left")), ...conjuncts(child(where, "right"))];
  }
  return [where];
}

const AGGREGATES = new Set(["COUNT", "SUM", "MIN", "MAX", "AVG", "GROUP_CONCAT", "BIT_AND", "BIT_OR", "BIT_XOR", "STD", "STDDEV", "STDDEV_POP", "STDDEV_SAMP", "VARIANCE", "VAR_POP", "VAR_SAMP", "JSON_ARRAYAGG", "JSON_OBJECTAGG"]);

export function isAggregate(node: SqlNode): boolean {
  return node.type === "aggr_func" || (node.type === "function" && AGGREGATES.has(functionName(node)));
}

export function functionName(node: SqlNode): string {
  const name = node["name"];
  if (typeof name === "string") return name.toUpperCase();
  if (isNode(name)) {
    const parts = children(name, "name");
    const last = parts.at(-1)?.["value"];
    if (typeof last === "string") return last.toUpperCase();
  }
  return "";
}

export function containsAggregate(node: unknown): boolean {
  let found = false;
  walk(node, (n) => {
    if (found) return false;
    if (n.type === "select") return false;
    if (isAggregate(n)) found = true;
    return !found;
  });
  return found;
}

export function containsSubquery(node: unknown): boolean {
  let found = false;
  walk(node, (n) => {
    if (n["ast"] !== undefined || n.type === "select") found = true;
    return !found;
  });
  return found;
}
