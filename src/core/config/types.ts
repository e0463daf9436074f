/**
 * The normalized gateway configuration, as produced by `parseConfig` (camelCase, defaults applied,
 * topology and vschema merged per keyspace). The raw YAML shape lives in `schema.ts`.
 *
 * Every `Record<string, …>` here is a null-prototype object: names come from the config file and,
 * later, from SQL text (`USE constructor`), so a lookup must never hit `Object.prototype`.
 */

export interface HostPort {
  /** Without brackets for IPv6 (`::1`), as socket APIs expect. */
  host: string;
  /** 0 asks the runtime for a free port. */
  port: number;
}

export interface BackendAddress {
  /** Without brackets for IPv6. */
  host: string;
  port: number;
  user: string;
  /** Percent-decoded; empty when the URL has none. */
  password: string;
  database: string | undefined;
  /** The URL's query parameters (last one wins when repeated). */
  options: Record<string, string>;
  /** From `ssl-mode` / `ssl-ca`, filled in at config load (which reads the CA file); absent: no TLS. */
  tls?: BackendTls;
}

/** MySQL client `--ssl-mode` values, with the client's meaning. */
export const SSL_MODES = ["DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"] as const;
export type SslMode = (typeof SSL_MODES)[number];

export interface BackendTls {
  mode: SslMode;
  /** PEM text of `ssl-ca`; undefined: the runtime's default trust store. */
  ca: string | undefined;
}

/** `listen.tls`: the files' PEM text, read at config load. */
export interface ListenTls {
  cert: string;
  key: string;
  ca: string | undefined;
  /** MySQL's require_secure_transport: clients that don't upgrade get ER 3159. */
  require: boolean;
}

/** Reads a file the config names, by the path as written (relative to the config file's directory). */
export type ConfigFileReader = (path: string) => string;

/** A Vitess key range: `[start, end)` compared byte-wise; an empty array is unbounded. */
export interface KeyRange {
  start: Uint8Array;
  end: Uint8Array;
}

export interface ShardConfig {
  /** The shard name as written in the config (`-80`, `80-`, `0`, `-`). */
  name: string;
  keyRange: KeyRange;
  primary: BackendAddress;
  /** The backend URL as written (after `${VAR}` substitution); holds the password. */
  primaryUrl: string;
}

export interface VindexConfig {
  type: string;
  params: Record<string, string>;
  owner: string | undefined;
}

export interface ColumnVindexConfig {
  /** `column` of the VSchema is normalized to a one-element list. */
  columns: string[];
  name: string;
}

export interface TableConfig {
  type: "" | "reference" | "sequence";
  columnVindexes: ColumnVindexConfig[];
  autoIncrement: { column: string; sequence: string } | undefined;
  pinned: string | undefined;
}

export interface KeyspaceConfig {
  name: string;
  sharded: boolean;
  /** Sorted by key range start; together they cover the whole key range exactly once. */
  shards: ShardConfig[];
  vindexes: Record<string, VindexConfig>;
  tables: Record<string, TableConfig>;
  requireExplicitRouting: boolean;
}

export interface UserConfig {
  user: string;
  password: string | undefined;
  /** `*` + 40 hex digits (uppercased), the mysql_native_password stored hash. */
  passwordHash: string | undefined;
  /** Keyspaces the user may use; undefined means all. */
  keyspaces: string[] | undefined;
  readOnly: boolean;
  /** The plugin clients must authenticate with; default caching_sha2_password with a password, native with a hash. */
  authPlugin: "mysql_native_password" | "caching_sha2_password" | undefined;
}

/** A config document after `${VAR}` substitution and section-file loading: plain JSON-like data. */
export type ConfigTree = Record<string, unknown>;

export interface Config {
  /** The validated document this config was built from (not enumerable); the admin API edits copies of it. */
  readonly tree: ConfigTree;
  /** How files named in the config were read (not enumerable); admin API edits read through it too. */
  readonly readFile: ConfigFileReader;
  /** `tls` only when configured. */
  listen: { mysql: HostPort; admin: HostPort | undefined; tls?: ListenTls };
  admin: {
    token: string | undefined;
    /** GET endpoints need the token too (health probes stay open). */
    protectReads: boolean;
  };
  server: {
    version: string;
    versionComment: string;
    maxConnections: number;
    /** Largest command payload accepted from a client (MySQL's max_allowed_packet). */
    maxAllowedPacket: number;
    /** Prepared statements (COM_STMT_PREPARE) one client connection may hold open; more get ER 1461. */
    maxPreparedStatements: number;
    /** Take caching_sha2_password's full path (TLS or RSA) on every login, as a cold MySQL cache would. */
    cachingSha2FullAuth: boolean;
    /**
     * MySQL's local_infile: LOAD DATA LOCAL INFILE into unsharded keyspaces, the client's file relayed
     * to the backend; off, it is refused with ER 3948 before reaching a backend.
     */
    localInfile: boolean;
  };
  pool: {
    maxConnections: number;
    idleTimeoutMs: number;
    connectTimeoutMs: number;
    acquireTimeoutMs: number;
    /** How often each shard's primary is pinged; a shard that fails is refused fast until it answers. */
    healthCheckIntervalMs: number;
  };
  shutdownTimeoutMs: number;
  log: { level: "debug" | "info" | "warn" | "error" };
  users: UserConfig[];
  /** Merged from topology + vschema. */
  keyspaces: Record<string, KeyspaceConfig>;
}
