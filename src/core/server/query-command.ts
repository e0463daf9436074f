import { localFilesDisabled } from "../backend/backend-connection.ts";
import type { ShardPool } from "../backend/shard-pool.ts";
import { MySqlError } from "../errors.ts";
import { decodeUtf8 } from "../protocol/bytes.ts";
import { Capability } from "../protocol/constants.ts";
import type { KeyspaceRoute, RoutingSnapshot } from "../routing-snapshot.ts";
import { classifyStatement } from "../sql/classify.ts";
import type { OtherStatement } from "../sql/classify-types.ts";
import type { ClientConnection } from "./client-connection.ts";
import { answerSelectGateway, answerShowDatabases } from "./gateway-answers.ts";
import { withGatewayValues } from "./gateway-values.ts";
import { checkKeyspaceAccess, mayUseKeyspace } from "./keyspace-access.ts";
import { handleKill } from "./kill-command.ts";
import { findLoadData } from "./load-data.ts";
import { handlePlanned } from "./planned-query.ts";
import { handleSet } from "./set-command.ts";
import type { Session } from "./session.ts";

/**
 * COM_QUERY. A light classifier (no full parse) picks out what the gateway answers or tracks itself
 * (USE, SET, transaction control, connect-time SELECTs, SHOW DATABASES); every other statement is sent
 * as the client's own bytes to the shard that owns it, except that values only the gateway knows
 * (`@@version`, `CONNECTION_ID()`, `USER()`, ...) are written in first (gateway-values.ts).
 */
export async function handleQuery(client: ClientConnection, session: Session, payload: Uint8Array, reply: number): Promise<void> {
  const sql = decodeUtf8(payload.subarray(1));
  client.currentStatement = sql;
  const statement = classifyStatement(sql);
  const snapshot = client.context.snapshot();
  switch (statement.kind) {
    case "empty":
      throw MySqlError.of("EMPTY_QUERY", "Query was empty");
    case "use":
      startTrace(client, session, "Use");
      checkKeyspaceAccess(snapshot, session, statement.database, client.remoteHost);
      session.keyspace = statement.database;
      return client.sendOk(reply);
    case "begin":
      startTrace(client, session, "Transaction");
      // Like mysqld, BEGIN inside a transaction commits it first. The new one reaches a shard lazily,
      // with the first statement that needs one.
      if (session.inTransaction) await session.endTransaction("COMMIT");
      session.pendingBegin = statement.text;
      return client.sendOk(reply);
    case "commit":
    case "rollback":
      startTrace(client, session, "Transaction");
      await session.endTransaction(statement.kind === "commit" ? "COMMIT" : "ROLLBACK");
      return client.sendOk(reply);
    case "show-databases":
      startTrace(client, session, "Gateway");
      return answerShowDatabases(client, session, snapshot, statement.like, reply);
    case "select-gateway":
      startTrace(client, session, "Gateway");
      return answerSelectGateway(client, session, snapshot, statement, reply);
    case "set":
      startTrace(client, session, "Set");
      return handleSet(client, session, snapshot, statement, payload, reply);
    case "other": {
      startTrace(client, session, "Passthrough");
      // `SELECT @@version, 1`, `WHERE id = CONNECTION_ID()`: the gateway's values, not the backend's.
      const own = statement.gatewayValues ? withGatewayValues(client, session, snapshot, sql, payload) : undefined;
      return forward(client, session, snapshot, statement, own?.sql ?? sql, own?.payload ?? payload, reply);
    }
  }
}

/** What the command loop reports once the statement finishes (metrics, plan statistics). */
function startTrace(client: ClientConnection, session: Session, plan: string): void {
  client.trace = { keyspace: session.keyspace ?? "", plan, shards: [] };
}

async function forward(
  client: ClientConnection,
  session: Session,
  snapshot: RoutingSnapshot,
  statement: OtherStatement,
  sql: string,
  payload: Uint8Array,
  reply: number,
): Promise<void> {
  if (statement.firstKeyword === "KILL") {
    client.trace!.plan = "Kill";
    return handleKill(client, session, sql, reply);
  }
  const loadInto = statement.firstKeyword === "LOAD" || statement.statementCount > 1 ? loadDataKeyspace(client, session, snapshot, statement, sql) : undefined;
  checkForwardable(session, statement);
  const sharded = loadInto ? undefined : shardedKeyspace(session, snapshot, statement.qualifiers);
  if (sharded || isExplainPlan(sql)) {
    const route = sharded ?? targetKeyspace(client, session, snapshot, statement.qualifiers);
    return handlePlanned(client, session, snapshot, route, statement, sql, payload, reply);
  }
  const route = loadInto ?? targetKeyspace(client, session, snapshot, statement.qualifiers);
  const pool = unshardedPool(route);
  Object.assign(client.trace!, { keyspace: route.config.name, shards: [pool.name] });
  const summary = await session.execute(pool, client.framedCommand(payload), "query", client.sink, {
    pinReasons: statement.sessionPinReasons,
    usesLastInsertId: statement.usesLastInsertId,
  });
  client.trace!.errorCode = summary.error?.code;
}

/**
 * LOAD DATA runs on unsharded keyspaces only, as the client's statement (the server reads its own disk,
 * or asks the client for the file with LOCAL): in the keyspace `INTO TABLE ks.t` names, else the
 * session's; a sharded one is refused (1235). LOCAL needs `server.local_infile` and a client that set
 * CLIENT_LOCAL_FILES (the session keeps the flag only when both held at connect): else ER 3948, as
 * mysqld answers with local_infile off, before any backend sees the statement. Returns the keyspace a
 * lone LOAD DATA statement names, to run it there.
 */
function loadDataKeyspace(
  client: ClientConnection,
  session: Session,
  snapshot: RoutingSnapshot,
  statement: OtherStatement,
  sql: string,
): KeyspaceRoute | undefined {
  const loads = findLoadData(sql);
  if (loads.length === 0) return undefined;
  const localFiles = snapshot.config.server.localInfile && (session.clientCapabilities & Capability.LOCAL_FILES) !== 0;
  if (!localFiles && loads.some((load) => load.local)) throw localFilesDisabled();
  for (const load of loads) {
    const named = load.keyspace === undefined ? undefined : snapshot.keyspace(load.keyspace);
    const into = named ?? (session.keyspace === undefined ? undefined : snapshot.keyspace(session.keyspace));
    if (into?.config.sharded) {
      throw MySqlError.of(
        "NOT_SUPPORTED_YET",
        `LOAD DATA into sharded keyspace '${into.config.name}' is not supported: the gateway does not split a file's rows by vindex; use INSERT statements`,
      );
    }
  }
  const keyspace = loads[0]!.keyspace;
  if (statement.statementCount > 1 || keyspace === undefined || !snapshot.keyspace(keyspace)) return undefined;
  checkKeyspaceAccess(snapshot, session, keyspace, client.remoteHost);
  return snapshot.keyspace(keyspace);
}

/** Refuses what a statement sent as is to a shard must not do: write as a read-only user, change database. */
export function checkForwardable(session: Session, statement: OtherStatement): void {
  if (session.user.config.readOnly && !statement.isReadOnly && !statement.lexError) {
    throw MySqlError.of(
      "OPTION_PREVENTS_STATEMENT",
      `user '${session.user.config.user}' is read-only in shardgate, so it cannot execute this statement`,
    );
  }
  if (statement.sessionPinReasons.includes("database change")) {
    throw MySqlError.of("NOT_SUPPORTED_YET", "USE inside a multi-statement batch is not supported; send USE as a statement of its own");
  }
}

/** The one shard of an unsharded keyspace; a sharded one is refused where the planner does not run. */
export function unshardedPool(route: KeyspaceRoute): ShardPool {
  if (route.config.sharded) {
    throw MySqlError.of(
      "NOT_SUPPORTED_YET",
      `keyspace '${route.config.name}' is sharded, and this command is not supported on sharded keyspaces yet`,
    );
  }
  return route.pools[0]!;
}

/** The sharded keyspace the statement runs in (the session's, or one its qualified names point at), if any. */
function shardedKeyspace(session: Session, snapshot: RoutingSnapshot, qualifiers: readonly string[]): KeyspaceRoute | undefined {
  if (session.keyspace !== undefined) {
    const own = snapshot.keyspace(session.keyspace);
    if (own?.config.sharded) return own;
  }
  for (const qualifier of qualifiers) {
    const named = snapshot.keyspace(qualifier);
    if (named?.config.sharded) return named;
  }
  return undefined;
}

function isExplainPlan(sql: string): boolean {
  return /^\s*(?:EXPLAIN\s+FORMAT\s*=\s*VITESS|VEXPLAIN)\b/i.test(sql);
}

/**
 * The keyspace a statement runs in: the session's, or the one its qualified names (`ks.table`) point at.
 * Without either, the user's first unsharded keyspace (as VTGate resolves unqualified names globally).
 */
export function targetKeyspace(
  client: ClientConnection,
  session: Session,
  snapshot: RoutingSnapshot,
  qualifiers: readonly string[],
): KeyspaceRoute {
  // The common case, checked without allocating: no keyspace named, the session's own keyspace.
  if (qualifiers.length === 0 && session.keyspace !== undefined) return sessionKeyspace(snapshot, session.keyspace);
  const named = new Set<string>();
  for (const qualifier of qualifiers) {
    if (!snapshot.keyspace(qualifier)) continue;
    checkKeyspaceAccess(snapshot, session, qualifier, client.remoteHost);
    named.add(qualifier);
  }
  if (session.keyspace !== undefined) named.add(session.keyspace);
  if (named.size > 1) {
    throw MySqlError.of(
      "NOT_SUPPORTED_YET",
      `statement spans keyspaces ${[...named].map((k) => `'${k}'`).join(" and ")}; cross-keyspace statements are not supported yet`,
    );
  }
  const [name] = named;
  if (name !== undefined) return sessionKeyspace(snapshot, name);
  const fallback = snapshot.keyspaceNames.find((k) => mayUseKeyspace(session, k) && !snapshot.keyspace(k)!.config.sharded);
  if (fallback === undefined) throw MySqlError.of("NO_DB", "No database selected");
  return snapshot.keyspace(fallback)!;
}

/** A keyspace the session selected may have left the topology in a reload since: then it is unknown. */
function sessionKeyspace(snapshot: RoutingSnapshot, name: string): KeyspaceRoute {
  const route = snapshot.keyspace(name);
  if (!route) throw MySqlError.of("BAD_DB", `Unknown database '${name}'`);
  return route;
}
