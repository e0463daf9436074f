/**
 * Builds one keyspace's vindexes and tables from its raw VSchema and checks them the way Vitess's
 * `vindexes.BuildVSchema` does, so a VSchema Vitess would refuse is refused at load, each fault with
 * its path. Cross-keyspace references (auto_increment sequences, lookup tables) are resolved
 * against every keyspace's VSchema.
 */
import type { IssueList, PathSegment } from "./config-error.ts";
import type { RawConfig, RawKeyspaceVSchema, RawTable } from "./schema.ts";
import type { TableConfig, VindexConfig } from "./types.ts";
import { LookupUniqueVindex } from "../vindexes/lookup-unique.ts";
import { createVindex, VINDEX_TYPES } from "../vindexes/registry.ts";
import type { LookupBackend, SingleColumnVindex } from "../vindexes/vindex.ts";

type RawVSchemas = RawConfig["vschema"];

export interface KeyspaceVSchema {
  vindexes: Record<string, VindexConfig>;
  tables: Record<string, TableConfig>;
}

const refuseLookup = (): never => {
  throw new Error("a vindex built to validate the configuration must never query its lookup table");
};

/** Lets the registry build lookup vindexes, and so validate their params, with no database at hand. */
const VALIDATION_LOOKUP_BACKEND: LookupBackend = { select: refuseLookup, insert: refuseLookup, delete: refuseLookup };

/**
 * Checks and normalizes `vschemas[keyspace]`. Every problem is added to `issues`; the result is
 * complete either way, so later checks can still run.
 */
export function buildKeyspaceVSchema(keyspace: string, vschemas: RawVSchemas, issues: IssueList): KeyspaceVSchema {
  const vschema = vschemas[keyspace]!;
  const path: PathSegment[] = ["vschema", keyspace];
  const vindexes = nullRecord<VindexConfig>();
  const instances = new Map<string, SingleColumnVindex>();
  for (const [name, vindex] of Object.entries(vschema.vindexes)) {
    const vindexPath = [...path, "vindexes", name];
    const instance = createCheckedVindex(vindexPath, vindex.type, vindex.params, vschemas, issues);
    if (instance !== undefined) instances.set(name, instance);
    if (vindex.owner !== undefined) checkOwner([...vindexPath, "owner"], name, vindex.owner, keyspace, vschema, issues);
    const params = nullRecord<string>();
    for (const [key, value] of Object.entries(vindex.params)) params[key] = value;
    vindexes[name] = { type: vindex.type, params, owner: vindex.owner };
  }
  const tables = nullRecord<TableConfig>();
  for (const [name, table] of Object.entries(vschema.tables)) {
    const tablePath = [...path, "tables", name];
    tables[name] = buildTable(tablePath, table, vschema, issues);
    checkTablePlacement(tablePath, name, keyspace, table, vschema.sharded, issues);
    if (vschema.sharded) checkPrimaryVindex(tablePath, name, table, instances, issues);
    if (table.auto_increment !== undefined) {
      const problem = sequenceProblem(table.auto_increment.sequence, vschemas);
      if (problem !== undefined) issues.add([...tablePath, "auto_increment", "sequence"], problem);
    }
  }
  return { vindexes, tables };
}

/** The vindex the registry builds from the entry; a failure is reported at `.type` or `.params`. */
function createCheckedVindex(
  path: PathSegment[],
  type: string,
  params: Readonly<Record<string, string>>,
  vschemas: RawVSchemas,
  issues: IssueList,
): SingleColumnVindex | undefined {
  let vindex: SingleColumnVindex;
  try {
    vindex = createVindex(type, params, { lookupBackend: VALIDATION_LOOKUP_BACKEND });
  } catch (error) {
    issues.add([...path, VINDEX_TYPES.includes(type) ? "params" : "type"], errorMessage(error));
    return undefined;
  }
  if (vindex instanceof LookupUniqueVindex) {
    const problem = lookupTableProblem(vindex.settings.table, vschemas);
    if (problem !== undefined) issues.add([...path, "params", "table"], problem);
  }
  return vindex;
}

function lookupTableProblem(table: string, vschemas: RawVSchemas): string | undefined {
  const name = parseQualifiedName(table);
  if (name === undefined) return `invalid lookup table "${table}": expected "table" or "keyspace.table"`;
  if (name.keyspace !== undefined && !Object.hasOwn(vschemas, name.keyspace)) {
    return `lookup table "${table}" names unknown keyspace "${name.keyspace}"`;
  }
  return undefined;
}

/** Vitess: an owned vindex is kept in step with its owner's rows, so the owner must use it. */
function checkOwner(
  path: PathSegment[],
  vindex: string,
  owner: string,
  keyspace: string,
  vschema: RawKeyspaceVSchema,
  issues: IssueList,
): void {
  const table = Object.hasOwn(vschema.tables, owner) ? vschema.tables[owner] : undefined;
  if (table === undefined) {
    issues.add(path, `owner "${owner}" is not a table of keyspace "${keyspace}"`);
  } else if (!table.column_vindexes.some((cv) => cv.name === vindex)) {
    issues.add(path, `owner "${owner}" does not use vindex "${vindex}" in its column_vindexes`);
  }
}

/** Which kinds of table a keyspace may hold, and which of them may list column_vindexes. */
function checkTablePlacement(
  path: PathSegment[],
  name: string,
  keyspace: string,
  table: RawTable,
  sharded: boolean,
  issues: IssueList,
): void {
  const hasColumnVindexes = table.column_vindexes.length > 0;
  if (!sharded) {
    if (hasColumnVindexes) {
      const message = `table "${name}" of unsharded keyspace "${keyspace}" cannot have column_vindexes (an unsharded keyspace routes without vindexes)`;
      issues.add([...path, "column_vindexes"], message);
    }
    return;
  }
  if (table.type === "sequence") {
    // Stricter than Vitess, which also takes a pinned sequence table here: the ids come from one
    // row, and an unsharded keyspace gives that row its one obvious home.
    issues.add([...path, "type"], `sequence table "${name}" must be in an unsharded keyspace, and "${keyspace}" is sharded`);
  } else if (table.type === "reference" && hasColumnVindexes) {
    issues.add([...path, "column_vindexes"], `reference table "${name}" cannot have column_vindexes (its rows are on every shard)`);
  } else if (table.type === "" && table.pinned === undefined && !hasColumnVindexes) {
    // A pinned table lives in the shard of its fixed keyspace id, so it needs no vindex (as in Vitess).
    const message = `table "${name}" of sharded keyspace "${keyspace}" has no primary vindex (column_vindexes is empty)`;
    issues.add([...path, "column_vindexes"], message);
  }
}

/**
 * The first column vindex places each row; it must give one keyspace id from the row's own values,
 * so it must be unique and must not need a lookup (an owned lookup is only written after the row's
 * keyspace id is known; Vitess refuses it as primary too).
 */
function checkPrimaryVindex(
  path: PathSegment[],
  name: string,
  table: RawTable,
  instances: ReadonlyMap<string, SingleColumnVindex>,
  issues: IssueList,
): void {
  const primary = table.column_vindexes[0];
  const vindex = primary === undefined ? undefined : instances.get(primary.name);
  if (primary === undefined || vindex === undefined) return;
  const primaryPath = [...path, "column_vindexes", 0, "name"];
  if (!vindex.unique) {
    issues.add(primaryPath, `primary vindex "${primary.name}" of table "${name}" is not unique (type ${vindex.type})`);
  } else if (vindex.needsLookup) {
    const message = `primary vindex "${primary.name}" of table "${name}" is a lookup vindex (type ${vindex.type}); the primary vindex must compute a row's keyspace id from its own values (e.g. hash)`;
    issues.add(primaryPath, message);
  }
}

/** Vitess resolves `keyspace.table` in that keyspace and a bare name across all keyspaces. */
function sequenceProblem(sequence: string, vschemas: RawVSchemas): string | undefined {
  const name = parseQualifiedName(sequence);
  if (name === undefined) return `invalid sequence "${sequence}": expected "table" or "keyspace.table"`;
  let found: { keyspace: string; table: RawTable };
  if (name.keyspace !== undefined) {
    if (!Object.hasOwn(vschemas, name.keyspace)) return `sequence "${sequence}" names unknown keyspace "${name.keyspace}"`;
    const tables = vschemas[name.keyspace]!.tables;
    const table = Object.hasOwn(tables, name.table) ? tables[name.table] : undefined;
    if (table === undefined) return `sequence table "${name.table}" not found in keyspace "${name.keyspace}"`;
    found = { keyspace: name.keyspace, table };
  } else {
    const holders = Object.entries(vschemas).filter(([, vschema]) => Object.hasOwn(vschema.tables, name.table));
    if (holders.length === 0) return `sequence table "${name.table}" not found in any keyspace`;
    if (holders.length > 1) {
      const keyspaces = holders.map(([keyspace]) => `"${keyspace}"`).join(", ");
      return `sequence "${sequence}" is ambiguous: keyspaces ${keyspaces} all have a table of that name; write "keyspace.${name.table}"`;
    }
    const [keyspace, vschema] = holders[0]!;
    found = { keyspace, table: vschema.tables[name.table]! };
  }
  if (found.table.type !== "sequence") {
    return `"${found.keyspace}.${name.table}" is not a sequence table (it needs type: sequence)`;
  }
  return undefined;
}

/** `table` or `keyspace.table`; undefined for anything else (Vitess allows no dots inside either name). */
function parseQualifiedName(text: string): { keyspace: string | undefined; table: string } | undefined {
  const parts = text.split(".");
  if (parts.some((part) => part === "")) return undefined;
  if (parts.length === 1) return { keyspace: undefined, table: parts[0]! };
  if (parts.length === 2) return { keyspace: parts[0]!, table: parts[1]! };
  return undefined;
}

function buildTable(path: PathSegment[], table: RawTable, vschema: RawKeyspaceVSchema, issues: IssueList): TableConfig {
  const columnVindexes = table.column_vindexes.map((cv, i) => {
    const cvPath = [...path, "column_vindexes", i];
    if (!Object.hasOwn(vschema.vindexes, cv.name)) {
      issues.add([...cvPath, "name"], `unknown vindex "${cv.name}" (not defined in this keyspace's vindexes)`);
    }
    // Vitess (vindexes.BuildKeyspaceSchema) refuses both spellings at once and neither.
    if (cv.column !== undefined && cv.columns !== undefined) {
      issues.add(cvPath, "column and columns are mutually exclusive");
    } else if (cv.column === undefined && (cv.columns === undefined || cv.columns.length === 0)) {
      issues.add(cvPath, "one of column or columns is required");
    }
    return { columns: cv.column !== undefined ? [cv.column] : [...(cv.columns ?? [])], name: cv.name };
  });
  return {
    type: table.type,
    columnVindexes,
    autoIncrement: table.auto_increment === undefined ? undefined : { ...table.auto_increment },
    pinned: table.pinned,
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function nullRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
