/**
 * Valibot schemas for the raw configuration document, keys spelled as in YAML (snake_case). Shape
 * only: cross-references are checked in `load-config.ts` (users' keyspaces, shard coverage) and
 * `vschema-checks.ts` (vindex types and names, primary vindexes, sequences, owners). Messages are
 * written to read as `path: message` lines, e.g. `users[1].password: expected a string`.
 */
import * as v from "valibot";

function isMapping(input: unknown): input is Record<string, unknown> {
  return typeof input === "object" && input !== null && !Array.isArray(input);
}

/** Valibot accepts arrays as objects; a YAML list where a mapping belongs is a mistake. */
const mapping = v.custom<Record<string, unknown>>(isMapping, "expected a mapping");

function objectMessage(issue: v.StrictObjectIssue): string {
  if (issue.expected === "never") return "unknown key";
  if (issue.expected === "Object") return "expected a mapping";
  return "required";
}

function obj<const TEntries extends v.ObjectEntries>(entries: TEntries) {
  return v.pipe(mapping, v.strictObject(entries, objectMessage));
}

function recordOf<const TValue extends v.GenericSchema>(value: TValue) {
  return v.pipe(mapping, v.record(v.string("expected a string key"), value, "expected a mapping"));
}

function listOf<const TItem extends v.GenericSchema>(item: TItem) {
  return v.array(item, "expected a list");
}

const str = () => v.string("expected a string");
const nonEmpty = () => v.pipe(str(), v.nonEmpty("must not be empty"));
const bool = () => v.boolean("expected a boolean");

/**
 * An integer >= min. A string of digits is accepted too, so `max_connections: ${POOL_SIZE}` works:
 * substitution only ever produces strings.
 */
function int(min: number) {
  return v.pipe(
    v.union([v.number(), v.string()], "expected a number"),
    v.transform((input: number | string) => (typeof input === "string" && /^\s*\d+\s*$/.test(input) ? Number(input) : input)),
    v.number("expected a number"),
    v.integer("expected an integer"),
    v.minValue(min, `expected a number >= ${min}`),
  );
}

export const AUTH_PLUGINS = ["mysql_native_password", "caching_sha2_password"] as const;

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/** mysql_native_password's stored form: `*` + upper-case hex of SHA1(SHA1(password)). */
export const PASSWORD_HASH_PATTERN = /^\*[0-9A-Fa-f]{40}$/;

const ListenTlsSchema = obj({
  cert: nonEmpty(),
  key: nonEmpty(),
  ca: v.optional(nonEmpty()),
  require: v.optional(bool(), false),
});

const ListenSchema = obj({
  mysql: str(),
  admin: v.optional(str()),
  tls: v.nullish(ListenTlsSchema),
});

const AdminSchema = obj({
  token: v.optional(nonEmpty()),
  protect_reads: v.optional(bool(), false),
});

const ServerSchema = obj({
  version: v.optional(nonEmpty(), "8.0.40-shardgate"),
  version_comment: v.optional(str(), "shardgate"),
  max_connections: v.optional(int(1), 1000),
  max_allowed_packet: v.optional(int(1024), 64 * 1024 * 1024),
  max_prepared_statements: v.optional(int(0), 1000),
  caching_sha2_full_auth: v.optional(bool(), false),
  local_infile: v.optional(bool(), false),
});

const PoolSchema = obj({
  max_connections: v.optional(int(1), 32),
  idle_timeout_ms: v.optional(int(0), 60000),
  connect_timeout_ms: v.optional(int(1), 5000),
  acquire_timeout_ms: v.optional(int(1), 10000),
  health_check_interval_ms: v.optional(int(100), 1000),
});

const LogSchema = obj({
  level: v.optional(v.picklist(LOG_LEVELS, `expected one of ${LOG_LEVELS.join(", ")}`), "info"),
});

const UserSchema = obj({
  user: nonEmpty(),
  password: v.optional(str()),
  password_hash: v.optional(
    v.pipe(str(), v.regex(PASSWORD_HASH_PATTERN, 'expected "*" followed by 40 hex digits (a mysql_native_password hash)')),
  ),
  keyspaces: v.optional(listOf(nonEmpty())),
  read_only: v.optional(bool(), false),
  auth_plugin: v.optional(v.picklist(AUTH_PLUGINS, `expected one of ${AUTH_PLUGINS.join(", ")}`)),
});

const ShardSchema = obj({
  primary: nonEmpty(),
});

/** keyspace -> shard name -> backend. */
export const TopologySchema = recordOf(recordOf(ShardSchema));

const VindexSchema = obj({
  type: nonEmpty(),
  params: v.optional(recordOf(str()), {}),
  owner: v.optional(str()),
});

const ColumnVindexSchema = obj({
  column: v.optional(nonEmpty()),
  columns: v.optional(listOf(nonEmpty())),
  name: nonEmpty(),
});

const TableSchema = obj({
  type: v.optional(v.picklist(["", "reference", "sequence"], 'expected "", "reference" or "sequence"'), ""),
  column_vindexes: v.optional(listOf(ColumnVindexSchema), []),
  auto_increment: v.optional(obj({ column: nonEmpty(), sequence: nonEmpty() })),
  columns: v.optional(listOf(obj({ name: nonEmpty(), type: v.optional(str()) }))),
  column_list_authoritative: v.optional(bool()),
  pinned: v.optional(str()),
  source: v.optional(str()),
});

/** One keyspace's VSchema, as Vitess's keyspace VSchema JSON spells it. */
const KeyspaceVSchemaSchema = obj({
  sharded: v.optional(bool(), false),
  // A table written as `name:` (null) or `name: {}` is a table with defaults, as in Vitess JSON.
  vindexes: v.optional(recordOf(VindexSchema), {}),
  tables: v.optional(recordOf(v.nullish(TableSchema, {})), {}),
  require_explicit_routing: v.optional(bool(), false),
  foreign_key_mode: v.optional(str()),
});

/** keyspace -> VSchema. */
export const VSchemaSchema = recordOf(KeyspaceVSchemaSchema);

/**
 * The whole document. Optional sections accept null too: a section whose settings are all
 * commented out (`admin:`) is null in YAML.
 */
export const ConfigSchema = obj({
  listen: ListenSchema,
  admin: v.nullish(AdminSchema, {}),
  server: v.nullish(ServerSchema, {}),
  pool: v.nullish(PoolSchema, {}),
  shutdown_timeout_ms: v.optional(int(0), 10000),
  log: v.nullish(LogSchema, {}),
  users: v.pipe(listOf(UserSchema), v.minLength(1, "at least one user is required")),
  topology: TopologySchema,
  vschema: VSchemaSchema,
});

export type RawConfig = v.InferOutput<typeof ConfigSchema>;
export type RawKeyspaceVSchema = v.InferOutput<typeof KeyspaceVSchemaSchema>;
export type RawTable = v.InferOutput<typeof TableSchema>;
export type RawUser = v.InferOutput<typeof UserSchema>;
