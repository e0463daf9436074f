import type { BackendConnection } from "../backend/backend-connection.ts";
import type { ShardPool } from "../backend/shard-pool.ts";
import type { BackendStatement } from "../backend/statement-cache.ts";
import { MySqlError } from "../errors.ts";
import { concatBytes, decodeUtf8 } from "../protocol/bytes.ts";
import { Command, ServerStatus } from "../protocol/constants.ts";
import { framePacket } from "../protocol/packet-writer.ts";
import {
  CursorType,
  decodeExecute,
  decodeFetch,
  decodeSendLongData,
  encodeExecute,
  encodeSendLongData,
  encodeStatementCommand,
  type ExecuteRequest,
  STATEMENT_ID_OFFSET,
  statementIdOf,
  writeStatementId,
} from "../protocol/stmt-packets.ts";
import { classifyStatement } from "../sql/classify.ts";
import type { ClientConnection } from "./client-connection.ts";
import { checkRoom, statementKey, type ClientStatement, type OpenCursor } from "./client-statements.ts";
import { checkKeyspaceAccess } from "./keyspace-access.ts";
import type { KeyspaceRoute } from "../routing-snapshot.ts";
import { checkForwardable, targetKeyspace, unshardedPool } from "./query-command.ts";
import { executeSharded } from "./sharded-statements.ts";
import { idleSummary, NO_NEEDS, type Session } from "./session.ts";

/**
 * The binary protocol's statement commands (COM_STMT_*). On a sharded keyspace an execute is planned
 * and routed by its values (sharded-statements.ts); otherwise it goes to the keyspace's shard. A client's statements
 * live in its session under ids the gateway gives (1, 2, 3, ... per connection); each backend connection
 * keeps its own prepared copies (BackendConnection.statements), made when a statement first runs there,
 * since a session's statements run on whichever pooled connection it borrows.
 *
 * Server-side cursors (an execute with CURSOR_TYPE_READ_ONLY, then COM_STMT_FETCH) live in one backend
 * session: while one is open the session holds that connection between commands (its other statements
 * on the shard run there too), and lets it go when the last cursor on it ends: fetched to the last row,
 * reset, closed, executed again, or the client left. A cursor runs on a copy of the statement of its own
 * (see cursorKey), so another statement, or another prepare of the same SQL, can't close it.
 */
export async function handleStatementCommand(client: ClientConnection, session: Session, payload: Uint8Array, reply: number): Promise<void> {
  switch (payload[0]) {
    case Command.STMT_PREPARE:
      return prepare(client, session, payload, reply);
    case Command.STMT_EXECUTE:
      return execute(client, session, payload);
    case Command.STMT_SEND_LONG_DATA:
      return sendLongData(client, session, payload);
    case Command.STMT_CLOSE: {
      // No response, even for an unknown id. Backend copies stay in their connections' caches until evicted.
      const id = statementIdOf(payload);
      const statement = session.statements.get(id);
      session.statements.delete(id);
      if (statement?.id === id) await closeCursor(session, statement);
      return;
    }
    case Command.STMT_RESET: {
      const statement = find(session, statementIdOf(payload), "mysqld_stmt_reset");
      // Long data only reaches a backend right before an execute, which consumes it: nothing to reset there.
      clearLongData(statement);
      await closeCursor(session, statement);
      return client.sendOk(reply);
    }
    case Command.STMT_FETCH:
      return fetch(client, session, payload);
  }
}

async function prepare(client: ClientConnection, session: Session, payload: Uint8Array, reply: number): Promise<void> {
  const sql = payload.slice(1);
  const text = decodeUtf8(sql);
  client.currentStatement = text;
  const snapshot = client.context.snapshot();
  const limit = snapshot.config.server.maxPreparedStatements;
  checkRoom(session.statements.size, limit);
  const statement = classifyStatement(text);
  if (statement.kind === "empty") throw MySqlError.of("EMPTY_QUERY", "Query was empty");
  if (statement.kind !== "other" || statement.firstKeyword === "KILL") {
    // The gateway answers or tracks these itself (USE, SET, transaction control, KILL, @@version...).
    throw MySqlError.of("NOT_SUPPORTED_YET", "shardgate cannot prepare this statement (COM_STMT_PREPARE); send it as a plain query (COM_QUERY)");
  }
  checkForwardable(session, statement);
  const route = targetKeyspace(client, session, snapshot, statement.qualifiers);
  // A sharded keyspace's statement is prepared on one shard for its definitions; executes route by their values.
  const pool = route.config.sharded ? route.pools[0]! : unshardedPool(route);
  client.trace = { keyspace: route.config.name, plan: "Prepare", shards: [pool.name] };
  const chunks: Uint8Array[] = [];
  let params = 0;
  await session.withConnection(pool, NO_NEEDS, async (connection) => {
    const prepared = await connection.prepare(backendKey(connection, statementKey(sql)), sql, {
      fresh: true,
      sink: (chunk) => {
        chunks.push(chunk.slice());
        return true;
      },
    });
    params = prepared.params;
    return idleSummary(connection);
  });
  const registered = session.statements.add(
    {
      sql,
      text,
      keyspace: route.config.name,
      params,
      needs: { pinReasons: statement.sessionPinReasons, usesLastInsertId: statement.usesLastInsertId },
    },
    limit,
  );
  // The backend's response as it sent it (definitions and all), under the client's statement id.
  const response = concatBytes(...chunks);
  writeStatementId(response, 4 + STATEMENT_ID_OFFSET, registered.id);
  client.write(response);
}

async function execute(client: ClientConnection, session: Session, payload: Uint8Array): Promise<void> {
  const statement = find(session, statementIdOf(payload), "mysqld_stmt_execute");
  client.currentStatement = statement.text;
  const request = decodeExecute(payload, statement.params);
  // As mysqld: READ_ONLY opens a cursor; FOR_UPDATE and SCROLLABLE alone are ignored.
  const opensCursor = (request.flags & CursorType.READ_ONLY) !== 0;
  if (request.types) statement.types = request.types.slice();
  const longData = takeLongData(statement);
  const route = currentRoute(client, session, statement, opensCursor);
  // An execute ends the statement's cursor, as in mysqld.
  await closeCursor(session, statement);
  if (route.config.sharded) {
    return executeSharded(client, session, statement, request, longData, (pool) => executeOn(client, session, statement, request, longData, pool, false));
  }
  return executeOn(client, session, statement, request, longData, unshardedPool(route), opensCursor);
}

/** Runs the client's statement as prepared on `pool`'s shard, streaming the backend's answer. */
async function executeOn(
  client: ClientConnection,
  session: Session,
  statement: ClientStatement,
  request: ExecuteRequest,
  longData: Map<number, Uint8Array[]>,
  pool: ShardPool,
  opensCursor: boolean,
): Promise<void> {
  client.trace = { keyspace: statement.keyspace, plan: "Passthrough", shards: [pool.name] };
  const summary = await session.withConnection(pool, statement.needs, async (connection) => {
    const key = opensCursor ? cursorKey(connection, statement) : backendKey(connection, statement.key);
    const prepared = await connection.prepare(key, statement.sql);
    if (prepared.params !== statement.params) {
      throw MySqlError.of("UNKNOWN", `statement has ${prepared.params} parameters on ${pool.name} but ${statement.params} when prepared`);
    }
    for (const [param, chunks] of longData) {
      for (const data of chunks) connection.post(framePacket(encodeSendLongData({ statementId: prepared.id, param, data }), 0));
    }
    // The backend keeps the types of its statement's last execute; send them when it has other ones or none.
    const types = request.types ? statement.types : statement.types && !sameBytes(prepared.types, statement.types) ? statement.types : undefined;
    if (types) prepared.types = types;
    const forwarded = encodeExecute({ ...request, statementId: prepared.id, types }, statement.params);
    const result = await connection.send(framePacket(forwarded, 0), opensCursor ? "cursor" : "query", client.sink);
    if (result.error) await afterFailedExecute(connection, prepared, longData.size > 0);
    else if (opensCursor && result.statusFlags & ServerStatus.CURSOR_EXISTS) {
      // The rows wait on this connection for COM_STMT_FETCH: it stays with the session until they are read.
      statement.cursor = { pool, connection, backend: prepared, key };
      session.holdForCursors(pool.name, connection, (held) => closeCursorsOn(session, held));
    }
    return result;
  });
  client.trace.errorCode = summary.error?.code;
}

/**
 * COM_STMT_FETCH: up to the asked number of rows from the statement's cursor, on the connection it
 * lives on, streamed back as the backend sent them (binary rows, then EOF with CURSOR_EXISTS, or with
 * LAST_ROW_SENT once the rows are all sent, which closes the cursor).
 */
async function fetch(client: ClientConnection, session: Session, payload: Uint8Array): Promise<void> {
  const request = decodeFetch(payload);
  const statement = find(session, request.statementId, "mysqld_stmt_fetch");
  client.currentStatement = statement.text;
  const cursor = statement.cursor;
  if (!cursor || cursor.connection.isClosed) {
    if (cursor) forgetCursor(session, statement, cursor);
    throw noOpenCursor(statement);
  }
  checkKeyspaceAccess(client.context.snapshot(), session, statement.keyspace, client.remoteHost);
  await session.withConnection(cursor.pool, NO_NEEDS, async (connection) => {
    // The backend copy is gone if the connection was reset or its cache closed it (past 256 statements).
    if (connection !== cursor.connection || connection.statements.get(cursor.key) !== cursor.backend) {
      forgetCursor(session, statement, cursor);
      throw noOpenCursor(statement);
    }
    const command = framePacket(encodeStatementCommand(Command.STMT_FETCH, cursor.backend.id, request.rows), 0);
    const result = await connection.send(command, "fetch", client.sink);
    if (result.error) {
      // A failed fetch closes the cursor in mysqld; make sure of it before the connection can go back.
      await resetBackendStatement(connection, cursor.backend);
      forgetCursor(session, statement, cursor);
    } else if (!(result.statusFlags & ServerStatus.CURSOR_EXISTS)) {
      // LAST_ROW_SENT: the server closed the cursor.
      forgetCursor(session, statement, cursor);
    }
    return result;
  });
}

function noOpenCursor(statement: ClientStatement): MySqlError {
  return MySqlError.of("STMT_HAS_NO_OPEN_CURSOR", `The statement (${statement.id}) has no open cursor`);
}

/** Ends the statement's cursor, if it has one, on the backend (COM_STMT_RESET there); never fails. */
async function closeCursor(session: Session, statement: ClientStatement): Promise<void> {
  const cursor = statement.cursor;
  if (!cursor) return;
  if (cursor.connection.isClosed) return forgetCursor(session, statement, cursor);
  try {
    await session.withConnection(cursor.pool, NO_NEEDS, async (connection) => {
      if (connection === cursor.connection) await resetBackendStatement(connection, cursor.backend);
      return idleSummary(connection);
    });
  } catch {
    // The connection failed on the way: the cursor went with it.
  }
  forgetCursor(session, statement, cursor);
}

/** The session lets go of `connection` (the client left or reset): every cursor on it ends there. */
async function closeCursorsOn(session: Session, connection: BackendConnection): Promise<void> {
  for (const statement of session.statements.values()) {
    const cursor = statement.cursor;
    if (cursor?.connection !== connection) continue;
    statement.cursor = undefined;
    await resetBackendStatement(connection, cursor.backend);
  }
}

/** The statement's cursor is over; its connection goes back once no other cursor of the session is on it. */
function forgetCursor(session: Session, statement: ClientStatement, cursor: OpenCursor): void {
  if (statement.cursor === cursor) statement.cursor = undefined;
  for (const other of session.statements.values()) if (other.cursor?.connection === cursor.connection) return;
  session.endCursorHold(cursor.pool.name);
}

/** COM_STMT_RESET on the backend copy: closes its cursor (an unknown statement has none to close). */
async function resetBackendStatement(connection: BackendConnection, prepared: BackendStatement): Promise<void> {
  try {
    await connection.simpleCommand(Command.STMT_RESET, encodeStatementCommand(0, prepared.id).subarray(1));
  } catch (error) {
    if (connection.isClosed) throw error;
  }
}

/** A failed execute may leave the backend statement without types, or holding long data: start it over. */
async function afterFailedExecute(connection: BackendConnection, prepared: BackendStatement, hadLongData: boolean): Promise<void> {
  prepared.types = undefined;
  if (!hadLongData) return;
  try {
    await connection.simpleCommand(Command.STMT_RESET, encodeStatementCommand(0, prepared.id).subarray(1));
  } catch {
    // Unknown to the backend any more: nothing held there.
  }
}

function sendLongData(client: ClientConnection, session: Session, payload: Uint8Array): void {
  const chunk = decodeSendLongData(payload);
  // No response either way: an unknown statement is ignored, a problem is reported by the next execute.
  const statement = session.statements.get(chunk.statementId);
  if (!statement || statement.longDataError) return;
  const limit = client.context.snapshot().config.server.maxAllowedPacket;
  if (statement.longDataBytes + chunk.data.length > limit) {
    clearLongData(statement);
    statement.longDataError = MySqlError.of(
      "NET_PACKET_TOO_LARGE",
      "Parameter of prepared statement which is set through mysql_send_long_data() is longer than 'max_allowed_packet' bytes",
    );
    return;
  }
  const chunks = statement.longData.get(chunk.param);
  if (chunks) chunks.push(chunk.data.slice());
  else statement.longData.set(chunk.param, [chunk.data.slice()]);
  statement.longDataBytes += chunk.data.length;
}

function find(session: Session, id: number, command: string): ClientStatement {
  const statement = session.statements.get(id);
  if (!statement) throw MySqlError.of("UNKNOWN_STMT_HANDLER", `Unknown prepared statement handler (${id}) given to ${command}`);
  return statement;
}

/** The statement's keyspace as it is now (a reload may have changed its shard, or made it sharded). */
function currentRoute(client: ClientConnection, session: Session, statement: ClientStatement, opensCursor: boolean): KeyspaceRoute {
  const snapshot = client.context.snapshot();
  checkKeyspaceAccess(snapshot, session, statement.keyspace, client.remoteHost);
  const route = snapshot.keyspace(statement.keyspace)!;
  if (opensCursor && route.config.sharded) {
    throw MySqlError.of(
      "NOT_SUPPORTED_YET",
      `keyspace '${route.config.name}' is sharded: a cursor (CURSOR_TYPE_READ_ONLY) lives on one backend connection, ` +
        "and a statement over a sharded keyspace may run on several; execute without a cursor type",
    );
  }
  return route;
}

/** An execute consumes the long data sent before it, as in mysqld, whatever its outcome. */
function takeLongData(statement: ClientStatement): Map<number, Uint8Array[]> {
  const error = statement.longDataError;
  const longData = statement.longData;
  statement.longData = new Map();
  statement.longDataBytes = 0;
  statement.longDataError = undefined;
  if (error) throw error;
  return longData;
}

function clearLongData(statement: ClientStatement): void {
  statement.longData = new Map();
  statement.longDataBytes = 0;
  statement.longDataError = undefined;
}

/** Prepared statements parse under the session state (sql_mode, character set): one copy per state. */
function backendKey(connection: BackendConnection, statementKey: string): string {
  return `${connection.appliedState}\u0000${statementKey}`;
}

/**
 * The backend copy a client statement's cursor runs on: its own, apart from the copy plain executes
 * share, since executing a backend statement (or preparing it again) closes the cursor it has open.
 */
function cursorKey(connection: BackendConnection, statement: ClientStatement): string {
  return `${backendKey(connection, statement.key)}\u0000cursor ${statement.id}`;
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
