import { Insert, ROWS_SLOT } from "../engine/insert.ts";
import type { Primitive } from "../engine/primitive.ts";
import { QueryTemplate } from "../engine/query-template.ts";
import { IN_LIST_SLOT, Route } from "../engine/route.ts";
import type { RouteValue } from "../engine/route-value.ts";
import { MySqlError } from "../errors.ts";
import { Lexer, TK_EOF, TK_ERROR, TK_OP, TK_WORD } from "../sql/lexer.ts";
import { unsupported } from "./plan-select.ts";
import type { PlanningContext } from "./planning-context.ts";
import { chooseRoute, routeValue } from "./route-analysis.ts";
import type { TextRange } from "./select-outline.ts";
import { child, children, containsSubquery, text, type SqlNode } from "./sql-node.ts";
import { fromTable, resolveTable, type ResolvedTable } from "./tables.ts";
import { applyEdits } from "./text-edits.ts";

/** INSERT / REPLACE: to the one shard of an unsharded table, to every shard for a reference table, else split by vindex. */
export function planInsert(ast: SqlNode, sql: string, ctx: PlanningContext): Primitive {
  const target = children(ast, "table")[0];
  const named = target && fromTable(target);
  if (!named) throw unsupported("this INSERT form");
  const table = resolveTable(ctx, named.db, named.table, undefined);
  const whole = new QueryTemplate(sql);
  if (table.kind === "unsharded") return new Route({ keyspace: table.keyspace.name, sharded: false, variant: "Unsharded", query: whole });
  if (table.kind === "reference") return new Route({ keyspace: table.keyspace.name, sharded: true, variant: "AllShards", query: whole, table: table.name });
  const primary = table.primary!;
  const values = child(ast, "values");
  if (!values || values.type !== "values") throw unsupported(`INSERT ... SELECT into sharded table '${table.name}'`);
  const columns = (ast["columns"] as unknown[] | null) ?? [];
  const names = columns.map((c) => (typeof c === "string" ? c : isNamed(c) ? c.value : "").toLowerCase());
  if (names.length === 0) throw unsupported(`INSERT into sharded table '${table.name}' without a column list (name the columns, so the gateway finds '${primary.column}')`);
  const position = names.indexOf(primary.column.toLowerCase());
  if (position < 0) {
    throw MySqlError.of("NOT_SUPPORTED_YET", `INSERT into sharded table '${table.name}' must give a value for its primary vindex column '${primary.column}'`);
  }
  checkVindexUnchanged(table, setColumns(child(ast, "on_duplicate_update") ?? {}), "INSERT ... ON DUPLICATE KEY UPDATE");
  const rows = children(values, "values");
  const keys: RouteValue[] = rows.map((row, i) => {
    const value = routeValue(children(row, "value")[position]);
    if (!value) {
      throw MySqlError.of("NOT_SUPPORTED_YET", `row ${i + 1} of the INSERT gives '${primary.column}' as an expression; shardgate routes rows by literal values only`);
    }
    return value;
  });
  const ranges = valuesRowRanges(sql);
  if (!ranges || ranges.length !== rows.length) throw unsupported("this INSERT's VALUES list");
  const query = applyEdits(sql, [{ start: ranges[0]!.start, end: ranges.at(-1)!.end, text: ROWS_SLOT }]);
  return new Insert({
    keyspace: table.keyspace.name,
    table: table.name,
    vindex: { name: primary.vindex, column: primary.column },
    query: new QueryTemplate(query),
    rows: ranges.map((r) => new QueryTemplate(sql.slice(r.start, r.end))),
    keys,
  });
}

/** UPDATE / DELETE: routed by the WHERE as a SELECT is; all shards of a reference table. */
export function planUpdateOrDelete(ast: SqlNode, sql: string, ctx: PlanningContext): Primitive {
  const verb = ast.type === "update" ? "UPDATE" : "DELETE";
  const entries = ast.type === "update" ? children(ast, "table") : children(ast, "from");
  const tables: ResolvedTable[] = entries.map((entry) => {
    const named = fromTable(entry);
    if (!named) throw unsupported(`this ${verb} form`);
    return resolveTable(ctx, named.db, named.table, named.alias);
  });
  const whole = new QueryTemplate(sql);
  const keyspaces = new Set(tables.map((t) => t.keyspace));
  if (keyspaces.size !== 1) throw unsupported(`${verb} across keyspaces`);
  const table = tables[0]!;
  if (!table.keyspace.sharded) return new Route({ keyspace: table.keyspace.name, sharded: false, variant: "Unsharded", query: whole });
  if (tables.length > 1) throw unsupported(`multi-table ${verb} on a sharded keyspace`);
  if (table.kind === "reference") return new Route({ keyspace: table.keyspace.name, sharded: true, variant: "AllShards", query: whole, table: table.name });
  if (ast.type === "update") checkVindexUnchanged(table, setColumns(ast), "UPDATE");
  const where = child(ast, "where");
  const choice = chooseRoute(sql, where, tables);
  if (containsSubquery(where) && choice.variant !== "EqualUnique") throw unsupported(`${verb} with a subquery over several shards`);
  const primary = table.primary!;
  const vindex = { vindex: { name: primary.vindex, column: primary.column }, values: choice.values };
  if (choice.variant === "EqualUnique" || choice.variant === "None") {
    return new Route({ keyspace: table.keyspace.name, sharded: true, variant: choice.variant, query: whole, ...vindex, table: table.name });
  }
  if (child(ast, "limit")) throw unsupported(`${verb} with LIMIT over several shards (the rows it limits to are not defined across shards)`);
  const query = choice.inValues ? applyEdits(sql, [{ ...choice.inValues, text: IN_LIST_SLOT }]) : sql;
  return new Route({
    keyspace: table.keyspace.name,
    sharded: true,
    variant: choice.variant,
    query: new QueryTemplate(query),
    ...(choice.variant === "IN" ? vindex : {}),
    table: table.name,
  });
}

function isNamed(value: unknown): value is { value: string } {
  return typeof value === "object" && value !== null && typeof (value as { value?: unknown }).value === "string";
}

function setColumns(node: SqlNode): string[] {
  return children(node, "set").map((s) => (text(s, "column") ?? "").toLowerCase());
}

/** Vitess refuses to change a row's primary vindex column: the row would have to move to another shard. */
function checkVindexUnchanged(table: ResolvedTable, assigned: readonly string[], verb: string): void {
  const column = table.primary!.column;
  if (assigned.includes(column.toLowerCase())) {
    throw MySqlError.of(
      "NOT_SUPPORTED_YET",
      `${verb} cannot change column '${column}' of sharded table '${table.name}': it is the primary vindex column, and changing it would move the row to another shard`,
    );
  }
}

const lexer = new Lexer();

/** Each `( ... )` row after VALUES, at depth 0, up to ON DUPLICATE KEY UPDATE or a row alias. */
function valuesRowRanges(sql: string): TextRange[] | undefined {
  lexer.reset(sql);
  let depth = 0;
  let seenValues = false;
  let rowStart = -1;
  const rows: TextRange[] = [];
  for (let kind = lexer.next(); kind !== TK_EOF; kind = lexer.next()) {
    if (kind === TK_ERROR) return undefined;
    const token = sql.slice(lexer.start, lexer.end);
    if (!seenValues) {
      if (depth === 0 && kind === TK_WORD && /^VALUES?$/i.test(token)) seenValues = true;
      if (kind === TK_OP && token === "(") depth++;
      if (kind === TK_OP && token === ")") depth--;
      continue;
    }
    if (kind === TK_OP && token === "(") {
      if (depth === 0) rowStart = lexer.start;
      depth++;
    } else if (kind === TK_OP && token === ")") {
      depth--;
      if (depth === 0) rows.push({ start: rowStart, end: lexer.end });
    } else if (depth === 0 && kind === TK_WORD) {
      break;
    }
  }
  return rows;
}
