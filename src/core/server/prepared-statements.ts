import type { BackendConnection } from "../backend/backend-connection.ts";
import type { ShardPool } from "../backend/shard-pool.ts";
import type { BackendStatement } from "../backend/statement-cache.ts";
import { MySqlError } from "../errors.ts";
import { decodeUtf8 } from "../protocol/bytes.ts";
import { Command } from "../protocol/constants.ts";
import { framePacket } from "../protocol/packet-writer.ts";
import {
  CursorType,
  decodeExecute,
  decodeSendLongData,
  encodeExecute,
  encodeSendLongData,
  encodeStatementCommand,
  STATEMENT_ID_OFFSET,
  statementIdOf,
  writeStatementId,
} from "../protocol/stmt-packets.ts";
import { classifyStatement } from "../sql/classify.ts";
import type { ClientConnection } from "./client-connection.ts";
import { checkRoom, statementKey, type ClientStatement } from "./client-statements.ts";
import { checkKeyspaceAccess } from "./keyspace-access.ts";
import { checkForwardable, targetKeyspace, unshardedPool } from "./query-command.ts";
import { idleSummary, NO_NEEDS, type Session } from "./session.ts";

/**
 * The binary protocol's statement commands (COM_STMT_*), for unsharded keyspaces. A client's statements
 * live in its session under ids the gateway gives (1, 2, 3, ... per connection); each backend connection
 * keeps its own prepared copies (BackendConnection.statements), made when a statement first runs there,
 * since a session's statements run on whichever pooled connection it borrows. Server-side cursors are
 * refused: they would pin a backend connection between commands.
 */
export async function handleStatementCommand(client: ClientConnection, session: Session, payload: Uint8Array, reply: number): Promise<void> {
  switch (payload[0]) {
    case Command.STMT_PREPARE:
      return prepare(client, session, payload, reply);
    case Command.STMT_EXECUTE:
      return execute(client, session, payload);
    case Command.STMT_SEND_LONG_DATA:
      return sendLongData(client, session, payload);
    case Command.STMT_CLOSE:
      // No response, even for an unknown id. Backend copies stay in their connections' caches until evicted.
      session.statements.delete(statementIdOf(payload));
      return;
    case Command.STMT_RESET: {
      const statement = find(session, statementIdOf(payload), "mysqld_stmt_reset");
      // Long data only reaches a backend right before an execute, which consumes it: nothing to reset there.
      clearLongData(statement);
      return client.sendOk(reply);
    }
    case Command.STMT_FETCH: {
      const statement = find(session, statementIdOf(payload), "mysqld_stmt_fetch");
      throw MySqlError.of("STMT_HAS_NO_OPEN_CURSOR", `The statement (${statement.id}) has no open cursor.`);
    }
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
  const pool = unshardedPool(route);
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
  const response = concat(chunks);
  writeStatementId(response, 4 + STATEMENT_ID_OFFSET, registered.id);
  client.write(response);
}

async function execute(client: ClientConnection, session: Session, payload: Uint8Array): Promise<void> {
  const statement = find(session, statementIdOf(payload), "mysqld_stmt_execute");
  client.currentStatement = statement.text;
  const request = decodeExecute(payload, statement.params);
  if (request.flags & (CursorType.READ_ONLY | CursorType.FOR_UPDATE | CursorType.SCROLLABLE)) {
    throw MySqlError.of("NOT_SUPPORTED_YET", "shardgate does not support cursors on prepared statements yet; execute without a cursor type");
  }
  if (request.types) statement.types = request.types.slice();
  const longData = takeLongData(statement);
  const pool = routeOf(client, session, statement);
  client.trace = { keyspace: statement.keyspace, plan: "Passthrough", shards: [pool.name] };
  const summary = await session.withConnection(pool, statement.needs, async (connection) => {
    const prepared = await connection.prepare(backendKey(connection, statement.key), statement.sql);
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
    const result = await connection.send(framePacket(forwarded, 0), "query", client.sink);
    if (result.error) await afterFailedExecute(connection, prepared, longData.size > 0);
    return result;
  });
  client.trace.errorCode = summary.error?.code;
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
function routeOf(client: ClientConnection, session: Session, statement: ClientStatement): ShardPool {
  const snapshot = client.context.snapshot();
  checkKeyspaceAccess(snapshot, session, statement.keyspace, client.remoteHost);
  return unshardedPool(snapshot.keyspace(statement.keyspace)!);
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

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
