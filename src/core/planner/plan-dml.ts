import { DeleteWithLookup } from "../engine/delete-with-lookup.ts";
import { Insert, ROWS_SLOT, SEQUENCE_SLOT, type InsertValue, type InsertVindexColumn } from "../engine/insert.ts";
import type { Primitive } from "../engine/primitive.ts";
import { QueryTemplate } from "../engine/query-template.ts";
import { IN_LIST_SLOT, Route, type RouteOptions } from "../engine/route.ts";
import { quoteIdentifier, type SequenceRef } from "../engine/sequence.ts";
import { MySqlError } from "../errors.ts";
import { SQL_NULL } from "../vindexes/sql-value.ts";
import { deleteFromClause, valuesLayout } from "./dml-text.ts";
import { unsupported } from "./plan-select.ts";
import type { PlanningContext } from "./planning-context.ts";
import { chooseRoute, routeValue, type RouteChoice } from "./route-analysis.ts";
import { child, children, containsSubquery, text, type SqlNode } from "./sql-node.ts";
import { fromTable, resolveTable, type ResolvedTable, type SecondaryVindex } from "./tables.ts";
import { applyEdits, type TextEdit } from "./text-edits.ts";

const NULL_VALUE: InsertValue = { constant: SQL_NULL, source: "NULL" };

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
  const autoIncrement = table.config?.autoIncrement;
  const sequenceColumn = autoIncrement?.column.toLowerCase();
  if (names.indexOf(primary.column.toLowerCase()) < 0 && primary.column.toLowerCase() !== sequenceColumn) {
    throw MySqlError.of("NOT_SUPPORTED_YET", `INSERT into sharded table '${table.name}' must give a value for its primary vindex column '${primary.column}'`);
  }
  const onDuplicate = child(ast, "on_duplicate_update");
  checkVindexesUnchanged(table, setColumns(onDuplicate ?? {}), "INSERT ... ON DUPLICATE KEY UPDATE");
  const ignore = /^ignore\b/i.test(text(ast, "prefix") ?? "");
  const lookups = (table.secondary ?? []).filter((s) => s.type.startsWith("lookup"));
  const owned = lookups.filter((s) => s.owned);
  if (owned.length > 0 && (ignore || onDuplicate || ast.type === "replace")) {
    const form = ast.type === "replace" ? "REPLACE" : ignore ? "INSERT IGNORE" : "INSERT ... ON DUPLICATE KEY UPDATE";
    throw unsupported(`${form} into table '${table.name}', which owns lookup vindex '${owned[0]!.vindex}' (its lookup rows could disagree with the rows kept)`);
  }
  const rows = children(values, "values");
  const layout = valuesLayout(sql);
  if (!layout || layout.rows.length !== rows.length || layout.rows.some((r, i) => r.values.length !== names.length || children(rows[i]!, "value").length !== names.length)) {
    throw unsupported("this INSERT's VALUES list");
  }
  const columnValues = (column: string): InsertValue[] => {
    const position = names.indexOf(column.toLowerCase());
    const isSequence = column.toLowerCase() === sequenceColumn;
    return rows.map((row, i) => {
      if (position < 0) return isSequence ? "next" : NULL_VALUE;
      const node = children(row, "value")[position];
      if (isSequence && node?.type === "null") return "next";
      const value = routeValue(node);
      if (!value) throw MySqlError.of("NOT_SUPPORTED_YET", `row ${i + 1} of the INSERT gives '${column}' as an expression; shardgate routes rows by literal values only`);
      return value;
    });
  };
  const vindexColumn = (vindex: SecondaryVindex): InsertVindexColumn => {
    if (vindex.columns.length !== 1) throw unsupported(`INSERT into table '${table.name}' with multi-column lookup vindex '${vindex.vindex}'`);
    return { name: vindex.vindex, column: vindex.columns[0]!, values: columnValues(vindex.columns[0]!) };
  };
  const sequencePosition = sequenceColumn === undefined ? -1 : names.indexOf(sequenceColumn);
  const edits: TextEdit[] = [{ start: layout.rows[0]!.start, end: layout.rows.at(-1)!.end, text: ROWS_SLOT }];
  if (autoIncrement && sequencePosition < 0) {
    // Vitess adds the column and gives every row its next id.
    if (layout.columnsClose === undefined) throw unsupported("this INSERT's column list");
    edits.push({ start: layout.columnsClose, end: layout.columnsClose, text: `, ${quoteIdentifier(autoIncrement.column)}` });
  }
  const rowTexts = layout.rows.map((row) => {
    if (!autoIncrement) return sql.slice(row.start, row.end);
    if (sequencePosition < 0) return `${sql.slice(row.start, row.end - 1)}, ${SEQUENCE_SLOT})`;
    const value = row.values[sequencePosition]!;
    return sql.slice(row.start, value.start) + SEQUENCE_SLOT + sql.slice(value.end, row.end);
  });
  return new Insert({
    keyspace: table.keyspace.name,
    table: table.name,
    vindex: { name: primary.vindex, column: primary.column, values: columnValues(primary.column) },
    query: new QueryTemplate(applyEdits(sql, edits)),
    rows: rowTexts.map((t) => new QueryTemplate(t)),
    sequence: autoIncrement && { ...sequenceOf(ctx, autoIncrement.sequence), column: autoIncrement.column, values: columnValues(autoIncrement.column) },
    owned: owned.map(vindexColumn),
    verified: lookups.filter((s) => !s.owned).map(vindexColumn),
    ignore,
    onDuplicate: ast.type === "replace" ? "replace" : onDuplicate ? "update" : undefined,
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
  if (ast.type === "update") checkVindexesUnchanged(table, setColumns(ast), "UPDATE");
  const where = child(ast, "where");
  const choice = chooseRoute(sql, where, tables);
  if (containsSubquery(where) && choice.variant !== "EqualUnique") throw unsupported(`${verb} with a subquery over several shards`);
  if (choice.variant !== "EqualUnique" && choice.variant !== "None" && child(ast, "limit")) {
    throw unsupported(`${verb} with LIMIT over several shards (the rows it limits to are not defined across shards)`);
  }
  const route = (query: string, inValuesShift = 0): Route => new Route(routeOptions(table, choice, query, inValuesShift));
  const owned = (table.secondary ?? []).filter((s) => s.owned && s.type.startsWith("lookup"));
  if (ast.type !== "delete" || owned.length === 0 || choice.variant === "None") return route(sql);
  if (owned.some((s) => s.columns.length !== 1)) throw unsupported(`DELETE from table '${table.name}' with a multi-column lookup vindex`);
  // Vitess (engine/delete.go): the owned lookup columns of the rows about to go, read under a row lock.
  const body = deleteFromClause(sql);
  if (!body) throw unsupported("this DELETE form");
  const columns = [table.primary!.column, ...owned.map((s) => s.columns[0]!)].map(quoteIdentifier).join(", ");
  const prefix = `SELECT ${columns} `;
  const select = `${prefix}${sql.slice(body.start, body.end)}\nFOR UPDATE`;
  return new DeleteWithLookup({
    keyspace: table.keyspace.name,
    table: table.name,
    primaryVindex: table.primary!.vindex,
    owned: owned.map((s) => ({ name: s.vindex, column: s.columns[0]! })),
    select: route(select, prefix.length - body.start),
    delete: route(sql),
  });
}

function routeOptions(table: ResolvedTable, choice: RouteChoice, sql: string, inValuesShift: number): RouteOptions {
  const base = { keyspace: table.keyspace.name, sharded: true, table: table.name };
  const used = choice.vindex ?? table.primary!;
  const vindex = { vindex: { name: used.vindex, column: used.column }, values: choice.values };
  if (choice.variant === "EqualUnique" || choice.variant === "None") {
    return { ...base, variant: choice.variant, query: new QueryTemplate(sql), ...vindex };
  }
  const inValues = choice.inValues && { start: choice.inValues.start + inValuesShift, end: choice.inValues.end + inValuesShift };
  const query = inValues ? applyEdits(sql, [{ ...inValues, text: IN_LIST_SLOT }]) : sql;
  return { ...base, variant: choice.variant, query: new QueryTemplate(query), ...(choice.variant === "IN" ? vindex : {}) };
}

/** `keyspace.table` or a table name the vschema lists once (checked at config load) as a sequence. */
function sequenceOf(ctx: PlanningContext, name: string): SequenceRef {
  const dot = name.indexOf(".");
  if (dot >= 0) return { keyspace: name.slice(0, dot), table: name.slice(dot + 1) };
  const keyspace = ctx.snapshot.keyspaceNames.find((k) => ctx.snapshot.keyspace(k)!.config.tables[name]?.type === "sequence");
  if (keyspace === undefined) throw MySqlError.of("UNKNOWN", `sequence table '${name}' is in no keyspace's vschema`);
  return { keyspace, table: name };
}

function isNamed(value: unknown): value is { value: string } {
  return typeof value === "object" && value !== null && typeof (value as { value?: unknown }).value === "string";
}

function setColumns(node: SqlNode): string[] {
  return children(node, "set").map((s) => (text(s, "column") ?? "").toLowerCase());
}

/**
 * Vitess refuses to change a row's primary vindex column: the row would have to move to another shard.
 * A lookup vindex column can't change either: its lookup row would then point at the wrong value.
 */
function checkVindexesUnchanged(table: ResolvedTable, assigned: readonly string[], verb: string): void {
  const column = table.primary!.column;
  if (assigned.includes(column.toLowerCase())) {
    throw MySqlError.of(
      "NOT_SUPPORTED_YET",
      `${verb} cannot change column '${column}' of sharded table '${table.name}': it is the primary vindex column, and changing it would move the row to another shard`,
    );
  }
  for (const secondary of table.secondary ?? []) {
    const changed = secondary.columns.find((c) => assigned.includes(c.toLowerCase()));
    if (changed === undefined || !secondary.type.startsWith("lookup")) continue;
    const role = secondary.owned ? "owned lookup vindex" : "lookup vindex";
    throw MySqlError.of(
      "NOT_SUPPORTED_YET",
      `shardgate does not support ${verb} changing column '${changed}' of sharded table '${table.name}' yet: it is the column of ${role} '${secondary.vindex}', whose lookup row would have to change with it`,
    );
  }
}
