import type { Primitive } from "../engine/primitive.ts";
import { PulloutSubquery, type SubqueryUse } from "../engine/pullout-subquery.ts";
import type { KeyspaceConfig } from "../config/types.ts";
import { PLACEHOLDER_PREFIX } from "./parameterize.ts";
import { planSelect, unsupported } from "./plan-select.ts";
import type { StatementScope } from "./planning-context.ts";
import { colocatedGroups } from "./route-analysis.ts";
import { child, children, conjuncts, containsSubquery, functionName, isNode, text, type SqlNode } from "./sql-node.ts";
import { parseLoadedStatement } from "./sql-parser.ts";
import { fromTable, resolveTable, type ResolvedTable } from "./tables.ts";

interface FoundSubquery {
  select: SqlNode;
  use: SubqueryUse;
}

export interface SubqueryPlan {
  /** The statement with each pulled-out subquery replaced by its slot's placeholder, padded so no position moves. */
  sql: string;
  wrap(root: Primitive): Primitive;
}

const COMPARISONS = new Set(["=", "<>", "!=", "<", "<=", ">", ">="]);

/**
 * Decides, per subquery, whether it can run inside the outer statement on each shard (its tables are
 * reference tables, or sharded tables tied to the outer row by their shard key, or it is in the same
 * unsharded keyspace), or must run first at the gateway (uncorrelated: its answer becomes literals).
 * A correlated subquery that can't go with the outer row is refused.
 */
export function planSubqueries(ast: SqlNode, sql: string, outerTables: readonly ResolvedTable[], keyspace: KeyspaceConfig, ctx: StatementScope): SubqueryPlan {
  const found: FoundSubquery[] = [];
  for (const part of ["where", "columns", "having"]) findSubqueries(ast[part], undefined, found);
  let rewritten = sql;
  const pullouts: { slot: number; plan: Primitive; use: SubqueryUse }[] = [];
  for (const { select, use } of found) {
    const tables = subqueryTables(select, ctx);
    if (tables && canRunWithOuterRow(select, tables, outerTables, keyspace)) continue;
    if (isCorrelated(select, outerTables)) throw unsupported("a correlated subquery that is not joined to the outer row by the shard key");
    const range = select.loc;
    if (!range) throw unsupported("this subquery");
    const subText = sql.slice(range.start.offset, range.end.offset).trimEnd();
    const slot = ctx.allocateSlot();
    const placeholder = PLACEHOLDER_PREFIX + slot;
    if (placeholder.length > subText.length) throw unsupported("this subquery");
    rewritten = rewritten.slice(0, range.start.offset) + placeholder.padEnd(subText.length) + rewritten.slice(range.start.offset + subText.length);
    pullouts.push({ slot, plan: planSelect(parseLoadedStatement(subText), subText, ctx), use });
  }
  return {
    sql: rewritten,
    wrap: (root) => pullouts.reduceRight<Primitive>((outer, p) => new PulloutSubquery(outer, p.plan, p.slot, p.use), root),
  };
}

/** Subqueries directly under `node` (not those nested in another subquery), with how they are used. */
function findSubqueries(node: unknown, parent: SqlNode | undefined, found: FoundSubquery[]): void {
  if (Array.isArray(node)) {
    for (const item of node) findSubqueries(item, parent, found);
    return;
  }
  if (!isNode(node)) return;
  const select = child(node, "ast");
  if (select && select.type === "select") {
    found.push({ select, use: useOf(node, parent) });
    return;
  }
  for (const key of Object.keys(node)) {
    if (key === "loc") continue;
    const value = node[key];
    if (typeof value === "object" && value !== null) findSubqueries(value, node.type === "expr_list" ? parent : node, found);
  }
}

function useOf(wrapper: SqlNode, parent: SqlNode | undefined): SubqueryUse {
  // A select item, or the whole WHERE.
  if (!parent || parent.type === undefined) return "scalar";
  const operator = text(parent, "operator")?.toUpperCase() ?? "";
  if (parent.type === "binary_expr" && (operator === "IN" || operator === "NOT IN") && child(parent, "right") !== wrapper) return "values";
  if (parent.type === "unary_expr" && (operator === "EXISTS" || operator === "NOT EXISTS")) return "exists";
  if (parent.type === "function" && functionName(parent) === "EXISTS") return "exists";
  if (parent.type === "binary_expr" && COMPARISONS.has(operator)) return "scalar";
  if (parent.type === "binary_expr" && /^[-+*/%]$|^DIV$/.test(operator)) return "scalar";
  return "rows";
}

function subqueryTables(select: SqlNode, ctx: StatementScope): ResolvedTable[] | undefined {
  const tables: ResolvedTable[] = [];
  for (const entry of children(select, "from")) {
    const named = fromTable(entry);
    if (!named) return undefined;
    tables.push(resolveTable(ctx, named.db, named.table, named.alias));
  }
  return tables;
}

function canRunWithOuterRow(select: SqlNode, tables: readonly ResolvedTable[], outerTables: readonly ResolvedTable[], keyspace: KeyspaceConfig): boolean {
  if (tables.some((t) => t.keyspace !== keyspace)) return false;
  if (!keyspace.sharded) return true;
  if (tables.every((t) => t.kind === "reference")) return true;
  if (containsSubquery(select["where"]) || containsSubquery(select["columns"])) return false;
  if (outerTables.every((t) => t.kind !== "sharded")) return false;
  const conditions = [...conjuncts(child(select, "where")), ...children(select, "from").flatMap((e) => conjuncts(child(e, "on")))];
  return colocatedGroups([...outerTables, ...tables], conditions).length === 1;
}

/** The subquery names a table of the outer statement that it does not define itself. */
function isCorrelated(select: SqlNode, outerTables: readonly ResolvedTable[]): boolean {
  const own = new Set(children(select, "from").map((e) => text(e, "as") ?? text(e, "table") ?? ""));
  const outer = new Set(outerTables.map((t) => t.alias));
  let correlated = false;
  const visit = (node: unknown): void => {
    if (correlated || typeof node !== "object" || node === null) return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as SqlNode;
    if (n.type === "column_ref") {
      const table = text(n, "table");
      if (table && !own.has(table) && outer.has(table)) correlated = true;
      return;
    }
    for (const key of Object.keys(n)) if (key !== "loc") visit(n[key]);
  };
  visit(select);
  return correlated;
}
