import type { KeyspaceConfig, TableConfig } from "../config/types.ts";
import { MySqlError } from "../errors.ts";
import type { PlanningContext } from "./planning-context.ts";
import { text, type SqlNode } from "./sql-node.ts";

export type TableKind = "sharded" | "reference" | "unsharded";

/** A table of a statement's FROM, placed in its keyspace and vschema. */
export interface ResolvedTable {
  /** The name the statement refers to it by: its alias, or its own name. */
  alias: string;
  name: string;
  keyspace: KeyspaceConfig;
  kind: TableKind;
  config: TableConfig | undefined;
  /** Sharded tables: the primary vindex (its first column vindex). */
  primary?: { column: string; vindex: string; type: string };
  /**
   * Sharded tables: the column vindexes after the first (Vitess secondary vindexes, typically
   * lookups), each with whether this table owns it (the vindex's `owner`: the table's writes keep
   * its lookup rows in step).
   */
  secondary?: SecondaryVindex[];
}

export interface SecondaryVindex {
  columns: string[];
  vindex: string;
  type: string;
  owned: boolean;
}

/**
 * Finds the keyspace of `db.table` or `table`: a named keyspace; else the session's keyspace; else the
 * one keyspace whose vschema lists the table (as VTGate resolves unqualified names when no keyspace is
 * selected); else the user's unsharded keyspace.
 */
export function resolveTable(ctx: PlanningContext, db: string | undefined, name: string, alias: string | undefined): ResolvedTable {
  const keyspace = keyspaceOf(ctx, db, name);
  ctx.checkAccess(keyspace.name);
  const config = Object.hasOwn(keyspace.tables, name) ? keyspace.tables[name] : undefined;
  const base = { alias: alias ?? name, name, keyspace, config };
  if (!keyspace.sharded) return { ...base, kind: "unsharded" };
  if (config?.type === "reference") return { ...base, kind: "reference" };
  if (config === undefined || config.type === "sequence") {
    // As VTGate: a table its vschema doesn't list does not exist for routing (whatever the shards hold).
    throw new MySqlError(
      1146,
      "42S02",
      `Table '${keyspace.name}.${name}' doesn't exist in the vschema of sharded keyspace '${keyspace.name}' (shardgate routes only the tables listed there)`,
    );
  }
  if (config.pinned !== undefined) throw MySqlError.of("NOT_SUPPORTED_YET", `table '${name}' is pinned to one keyspace id; pinned tables are not supported yet`);
  const [first, ...others] = config.columnVindexes;
  if (first!.columns.length !== 1) throw MySqlError.of("NOT_SUPPORTED_YET", `table '${name}': multi-column vindexes are not supported yet`);
  const secondary = others.map((cv) => {
    const vindex = keyspace.vindexes[cv.name]!;
    return { columns: cv.columns, vindex: cv.name, type: vindex.type, owned: vindex.owner === name };
  });
  return { ...base, kind: "sharded", primary: { column: first!.columns[0]!, vindex: first!.name, type: keyspace.vindexes[first!.name]!.type }, secondary };
}

function keyspaceOf(ctx: PlanningContext, db: string | undefined, name: string): KeyspaceConfig {
  const { snapshot, defaultKeyspace } = ctx;
  if (db !== undefined) {
    const route = snapshot.keyspace(db);
    if (!route) throw MySqlError.of("BAD_DB", `Unknown database '${db}'`);
    return route.config;
  }
  if (defaultKeyspace !== undefined) {
    const route = snapshot.keyspace(defaultKeyspace);
    if (!route) throw MySqlError.of("BAD_DB", `Unknown database '${defaultKeyspace}'`);
    return route.config;
  }
  const listing = snapshot.keyspaceNames.filter((k) => Object.hasOwn(snapshot.keyspace(k)!.config.tables, name));
  if (listing.length === 1) return snapshot.keyspace(listing[0]!)!.config;
  if (listing.length > 1) throw MySqlError.of("NO_DB", `table '${name}' is in several keyspaces (${listing.join(", ")}); qualify it or select a database`);
  const unsharded = snapshot.keyspaceNames.find((k) => !snapshot.keyspace(k)!.config.sharded);
  if (unsharded === undefined) throw MySqlError.of("NO_DB", "No database selected");
  return snapshot.keyspace(unsharded)!.config;
}

/** The plain tables of a FROM list (`{db, table, as}` entries); derived tables and functions are not. */
export function fromTable(entry: SqlNode): { db: string | undefined; table: string; alias: string | undefined } | undefined {
  const table = text(entry, "table");
  if (table === undefined) return undefined;
  const db = text(entry, "db") ?? undefined;
  return { db: db === null ? undefined : db, table, alias: text(entry, "as") ?? undefined };
}
