/**
 * Turns configuration text into a validated `Config`: YAML -> `${VAR}` substitution -> section files
 * -> shape validation (valibot) -> cross-reference checks -> normalized camelCase model. Every stage
 * collects all of its problems and throws one `ConfigError` listing them.
 *
 * Runtime-agnostic: the environment and file access come in through `ConfigSource`.
 */
import * as v from "valibot";
import YAML from "yaml";
import { parseBackendUrl, parseHostPort } from "./backend-url.ts";
import { ConfigError, IssueList, ROOT_PATH, type PathSegment } from "./config-error.ts";
import { checkFullCoverage, compareBytes, parseShardName } from "./key-range.ts";
import { ConfigSchema, type RawConfig, type RawKeyspaceVSchema } from "./schema.ts";
import { buildBackendTls, buildListenTls } from "./tls-config.ts";
import { buildKeyspaceVSchema, type KeyspaceVSchema } from "./vschema-checks.ts";
import type {
  Config,
  ConfigFileReader,
  ConfigTree,
  HostPort,
  KeyRange,
  KeyspaceConfig,
  ListenTls,
  ShardConfig,
  UserConfig,
} from "./types.ts";

export interface ConfigSource {
  env: Readonly<Record<string, string | undefined>>;
  /** Reads a section file (`topology: ./topology.yaml`) or a TLS file; the path is already joined to baseDir. */
  readFile(path: string): string;
  /** Directory that relative section file paths are resolved against. */
  baseDir: string;
  /** The config file's name, used in messages. */
  fileName?: string;
}

/** Sections that may be given inline or as the path of a YAML/JSON file holding them. */
const FILE_SECTIONS = ["topology", "vschema"] as const;

/**
 * Names that plain JS objects inherit; valibot's `record` silently drops them, and lookups on
 * normal objects would find `Object.prototype` members, so they are refused outright.
 */
const RESERVED_KEYS = new Set(["__proto__", "constructor", "prototype"]);

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseConfig(text: string, source: ConfigSource): Config {
  return configFromTree(resolveConfigTree(text, source), configFileReader(source));
}

/** Reads files the config names (TLS certificates and keys) relative to the config file's directory. */
export function configFileReader(source: ConfigSource): ConfigFileReader {
  return (path) => source.readFile(resolvePath(source.baseDir, path));
}

const noFiles: ConfigFileReader = () => {
  throw new Error("this configuration was not loaded from a file, so files can't be read");
};

/** YAML text to the config document: `${VAR}`s substituted, section files read in; not yet validated. */
export function resolveConfigTree(text: string, source: ConfigSource): ConfigTree {
  const issues = new IssueList();
  const parsed = parseYaml(text);
  if (!parsed.ok) {
    const where = source.fileName === undefined ? "" : ` in ${source.fileName}`;
    throw new ConfigError(parsed.errors.map((error) => ({ path: ROOT_PATH, message: `invalid YAML${where}: ${error}` })));
  }
  const tree = substituteTree(parsed.value, [], source.env, issues, "");
  // A failed substitution may have mangled a section's file path; report that alone.
  if (isMapping(tree) && issues.empty) {
    for (const section of FILE_SECTIONS) {
      const value = tree[section];
      if (typeof value === "string") tree[section] = loadSectionFile(section, value, source, issues);
    }
  }
  issues.throwIfAny();
  return tree as ConfigTree;
}

/**
 * Validates a config document (as `resolveConfigTree` returns it, or as the admin API edits a copy of
 * the running one) into the normalized model, which keeps the document it came from.
 */
export function configFromTree(tree: ConfigTree, readFile: ConfigFileReader = noFiles): Config {
  const issues = new IssueList();
  const result = v.safeParse(ConfigSchema, tree, { abortEarly: false });
  if (!result.success) {
    for (const issue of result.issues) {
      issues.add((issue.path ?? []).map((item) => item.key as PathSegment), issue.message);
    }
    issues.throwIfAny();
    throw new ConfigError([{ path: ROOT_PATH, message: "invalid configuration" }]);
  }
  const config = buildConfig(result.output, readFile, issues);
  issues.throwIfAny();
  return Object.defineProperties(config, {
    tree: { value: structuredClone(tree), enumerable: false },
    readFile: { value: readFile, enumerable: false },
  }) as Config;
}

type YamlResult = { ok: true; value: unknown } | { ok: false; errors: string[] };

function parseYaml(text: string): YamlResult {
  // stringKeys: map keys keep their source text, so a shard named `-1e20` is not read as a float.
  const doc = YAML.parseDocument(text, { stringKeys: true, uniqueKeys: true, prettyErrors: true, logLevel: "error" });
  if (doc.errors.length > 0) {
    // The pretty message continues with a multi-line source excerpt; keep the "... at line L, column C".
    return { ok: false, errors: doc.errors.map((e) => (e.message.split("\n")[0] ?? e.message).replace(/:$/, "")) };
  }
  try {
    return { ok: true, value: doc.toJS() };
  } catch (error) {
    return { ok: false, errors: [errorMessage(error)] };
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Copies the tree with `${NAME}` replaced in every string scalar (not in keys); `$${` is a literal
 * `${`. Mappings are rebuilt without a prototype so a `__proto__` key stays an ordinary key.
 */
function substituteTree(
  node: unknown,
  path: PathSegment[],
  env: ConfigSource["env"],
  issues: IssueList,
  origin: string,
): unknown {
  if (typeof node === "string") return substituteString(node, path, env, issues, origin);
  if (Array.isArray(node)) return node.map((item, i) => substituteTree(item, [...path, i], env, issues, origin));
  if (isMapping(node) && (Object.getPrototypeOf(node) === Object.prototype || Object.getPrototypeOf(node) === null)) {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [key, value] of Object.entries(node)) {
      if (RESERVED_KEYS.has(key)) issues.add([...path, key], `"${key}" is not allowed as a name${origin}`);
      out[key] = substituteTree(value, [...path, key], env, issues, origin);
    }
    return out;
  }
  return node;
}

function substituteString(
  text: string,
  path: PathSegment[],
  env: ConfigSource["env"],
  issues: IssueList,
  origin: string,
): string {
  if (!text.includes("${")) return text;
  let out = "";
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf("$", i);
    if (dollar < 0) break;
    out += text.slice(i, dollar);
    if (text.startsWith("$${", dollar)) {
      out += "${";
      i = dollar + 3;
    } else if (text.startsWith("${", dollar)) {
      const close = text.indexOf("}", dollar + 2);
      if (close < 0) {
        issues.add(path, `unterminated "\${" (write "$\${" for a literal "\${")${origin}`);
        return text;
      }
      const name = text.slice(dollar + 2, close);
      const value = VARIABLE_NAME.test(name) ? env[name] : undefined;
      if (!VARIABLE_NAME.test(name)) issues.add(path, `invalid environment variable name "${name}"${origin}`);
      else if (value === undefined) issues.add(path, `environment variable ${name} is not set${origin}`);
      out += value ?? "";
      i = close + 1;
    } else {
      out += "$";
      i = dollar + 1;
    }
  }
  return out + text.slice(i);
}

function loadSectionFile(section: string, filePath: string, source: ConfigSource, issues: IssueList): unknown {
  if (filePath === "") {
    issues.add([section], "expected a mapping or the path of a file holding it");
    return undefined;
  }
  let text: string;
  try {
    text = source.readFile(resolvePath(source.baseDir, filePath));
  } catch (error) {
    issues.add([section], `cannot read ${section} file "${filePath}": ${errorMessage(error)}`);
    return undefined;
  }
  const parsed = parseYaml(text);
  if (!parsed.ok) {
    for (const error of parsed.errors) issues.add([section], `invalid YAML in ${section} file "${filePath}": ${error}`);
    return undefined;
  }
  return substituteTree(parsed.value, [section], source.env, issues, ` (in ${section} file "${filePath}")`);
}

/** Joins without `node:path` (core is runtime-agnostic); absolute paths (POSIX or Windows) win. */
function resolvePath(baseDir: string, path: string): string {
  if (baseDir === "" || path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:[\\/]/.test(path)) return path;
  const separator = !baseDir.includes("/") && baseDir.includes("\\") ? "\\" : "/";
  return `${baseDir.replace(/[\\/]+$/, "")}${separator}${path.replace(/^(\.[\\/])+/, "")}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function nullRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function buildConfig(raw: RawConfig, readFile: ConfigFileReader, issues: IssueList): Omit<Config, "tree" | "readFile"> {
  return {
    listen: {
      mysql: hostPort(raw.listen.mysql, ["listen", "mysql"], issues),
      admin: raw.listen.admin === undefined ? undefined : hostPort(raw.listen.admin, ["listen", "admin"], issues),
      ...optionalTls(buildListenTls(raw.listen.tls, readFile, issues)),
    },
    admin: { token: raw.admin.token, protectReads: raw.admin.protect_reads },
    server: {
      version: raw.server.version,
      versionComment: raw.server.version_comment,
      maxConnections: raw.server.max_connections,
      maxAllowedPacket: raw.server.max_allowed_packet,
      maxPreparedStatements: raw.server.max_prepared_statements,
      cachingSha2FullAuth: raw.server.caching_sha2_full_auth,
      localInfile: raw.server.local_infile,
    },
    pool: {
      maxConnections: raw.pool.max_connections,
      idleTimeoutMs: raw.pool.idle_timeout_ms,
      connectTimeoutMs: raw.pool.connect_timeout_ms,
      acquireTimeoutMs: raw.pool.acquire_timeout_ms,
      healthCheckIntervalMs: raw.pool.health_check_interval_ms,
    },
    shutdownTimeoutMs: raw.shutdown_timeout_ms,
    log: { level: raw.log.level },
    users: buildUsers(raw, issues),
    keyspaces: buildKeyspaces(raw, readFile, issues),
  };
}

function optionalTls(tls: ListenTls | undefined): { tls?: ListenTls } {
  return tls === undefined ? {} : { tls };
}

function hostPort(text: string, path: PathSegment[], issues: IssueList): HostPort {
  try {
    return parseHostPort(text);
  } catch (error) {
    issues.add(path, errorMessage(error));
    return { host: "", port: 0 };
  }
}

function buildUsers(raw: RawConfig, issues: IssueList): UserConfig[] {
  const firstIndex = new Map<string, number>();
  return raw.users.map((user, i): UserConfig => {
    const path = ["users", i];
    const previous = firstIndex.get(user.user);
    if (previous === undefined) firstIndex.set(user.user, i);
    else issues.add([...path, "user"], `duplicate user "${user.user}" (also users[${previous}])`);

    if (user.password !== undefined && user.password_hash !== undefined) {
      issues.add(path, "password and password_hash are mutually exclusive");
    } else if (user.password === undefined && user.password_hash === undefined) {
      issues.add(path, "one of password or password_hash is required");
    }
    if (user.auth_plugin === "caching_sha2_password" && user.password === undefined) {
      issues.add([...path, "auth_plugin"], "caching_sha2_password needs password (a password_hash only serves mysql_native_password)");
    }
    user.keyspaces?.forEach((keyspace, j) => {
      if (!Object.hasOwn(raw.topology, keyspace)) {
        issues.add([...path, "keyspaces", j], `unknown keyspace "${keyspace}" (not in topology)`);
      }
    });
    return {
      user: user.user,
      password: user.password,
      // The stored form MySQL prints (`SELECT authentication_string`) is upper-case hex.
      passwordHash: user.password_hash === undefined ? undefined : `*${user.password_hash.slice(1).toUpperCase()}`,
      keyspaces: user.keyspaces === undefined ? undefined : [...user.keyspaces],
      readOnly: user.read_only,
      authPlugin: user.auth_plugin,
    };
  });
}

function buildKeyspaces(raw: RawConfig, readFile: ConfigFileReader, issues: IssueList): Record<string, KeyspaceConfig> {
  const keyspaces = nullRecord<KeyspaceConfig>();
  for (const [name, shardMap] of Object.entries(raw.topology)) {
    const vschema = Object.hasOwn(raw.vschema, name) ? raw.vschema[name] : undefined;
    if (vschema === undefined) issues.add(["topology", name], `keyspace "${name}" has no vschema entry`);
    const shards = buildShards(name, shardMap, vschema, readFile, issues);
    const { vindexes, tables }: KeyspaceVSchema =
      vschema === undefined ? { vindexes: nullRecord(), tables: nullRecord() } : buildKeyspaceVSchema(name, raw.vschema, issues);
    keyspaces[name] = {
      name,
      sharded: vschema?.sharded ?? false,
      shards,
      vindexes,
      tables,
      requireExplicitRouting: vschema?.require_explicit_routing ?? false,
    };
  }
  for (const name of Object.keys(raw.vschema)) {
    if (!Object.hasOwn(raw.topology, name)) issues.add(["vschema", name], `keyspace "${name}" has no topology entry`);
  }
  return keyspaces;
}

function buildShards(
  keyspace: string,
  shardMap: RawConfig["topology"][string],
  vschema: RawKeyspaceVSchema | undefined,
  readFile: ConfigFileReader,
  issues: IssueList,
): ShardConfig[] {
  const shards: ShardConfig[] = [];
  const ranges: { name: string; range: KeyRange }[] = [];
  let allNamesParse = true;
  for (const [shardName, shard] of Object.entries(shardMap)) {
    const path = ["topology", keyspace, shardName];
    let keyRange: KeyRange;
    try {
      keyRange = parseShardName(shardName);
    } catch (error) {
      issues.add(path, errorMessage(error));
      allNamesParse = false;
      continue;
    }
    ranges.push({ name: shardName, range: keyRange });
    try {
      const primary = parseBackendUrl(shard.primary);
      primary.tls = buildBackendTls(primary.options, readFile, [...path, "primary"], issues);
      shards.push({ name: shardName, keyRange, primary, primaryUrl: shard.primary });
    } catch (error) {
      issues.add([...path, "primary"], errorMessage(error));
    }
  }
  const count = Object.keys(shardMap).length;
  if (vschema !== undefined && !vschema.sharded && count > 1) {
    issues.add(["topology", keyspace], `an unsharded keyspace must have exactly one shard, found ${count}`);
  } else if (allNamesParse) {
    // Routing assumes every keyspace id lands on exactly one shard (Vitess serving-graph invariant).
    const problem = checkFullCoverage(ranges);
    if (problem !== undefined) issues.add(["topology", keyspace], problem);
  }
  return shards.sort((a, b) => compareBytes(a.keyRange.start, b.keyRange.start));
}
