import type { QueryResult } from "../engine/query-result.ts";
import { MySqlError } from "../errors.ts";
import { Capability, ServerStatus } from "../protocol/constants.ts";
import { encodeErr } from "../protocol/err-packet.ts";
import { encodeOk } from "../protocol/ok-packet.ts";
import { framePacket } from "../protocol/packet-writer.ts";
import { encodeTextResultSet } from "../protocol/text-result.ts";
import type { KeyspaceRoute, RoutingSnapshot } from "../routing-snapshot.ts";
import { classifyStatement } from "../sql/classify.ts";
import { Lexer, TK_EOF, TK_ERROR, TK_OP, TK_WORD } from "../sql/lexer.ts";
import type { ClientConnection } from "./client-connection.ts";
import { planFor } from "./planned-query.ts";
import { checkForwardable } from "./query-command.ts";
import type { Session } from "./session.ts";
import { SessionVCursor } from "./session-vcursor.ts";

const lexer = new Lexer();

/**
 * A multi-statement batch (`a; b; c`, CLIENT_MULTI_STATEMENTS) on a sharded keyspace. Each statement is
 * planned and run in turn, and its answer written with SERVER_MORE_RESULTS_EXISTS while more follow, as
 * mysqld answers a batch; an error answers that statement and ends the batch (the rest never run).
 */
export async function runBatch(
  client: ClientConnection,
  session: Session,
  snapshot: RoutingSnapshot,
  route: KeyspaceRoute,
  sql: string,
  reply: number,
): Promise<void> {
  if ((session.clientCapabilities & Capability.MULTI_STATEMENTS) === 0) {
    throw MySqlError.of("PARSE", "You have an error in your SQL syntax; the client did not enable multi-statements (CLIENT_MULTI_STATEMENTS)");
  }
  const statements = splitStatements(sql);
  const trace = client.trace!;
  trace.keyspace = route.config.name;
  trace.plan = "Batch";
  const shards = new Set<string>();
  let sequenceId = reply;
  for (const [index, text] of statements.entries()) {
    const last = index === statements.length - 1;
    let result: QueryResult;
    try {
      const statement = classifyStatement(text);
      if (statement.kind !== "other") {
        throw MySqlError.of("NOT_SUPPORTED_YET", "shardgate does not support USE, SET or transaction statements inside a batch on a sharded keyspace yet; send them on their own");
      }
      checkForwardable(session, statement);
      const { plan, bind } = await planFor(client, session, snapshot, route, statement, text);
      const vcursor = new SessionVCursor(session, snapshot, { pinReasons: statement.sessionPinReasons, usesLastInsertId: statement.usesLastInsertId });
      try {
        result = await plan.root.execute(vcursor, bind);
      } finally {
        for (const shard of vcursor.shards) shards.add(shard);
      }
    } catch (error) {
      trace.shards = [...shards];
      if (!(error instanceof MySqlError)) throw error;
      trace.errorCode = error.code;
      client.write(framePacket(encodeErr(error), sequenceId));
      return;
    }
    const statusFlags = session.statusFlags | (last ? 0 : ServerStatus.MORE_RESULTS_EXISTS);
    const framed =
      result.fields.length === 0
        ? framePacket(encodeOk({ affectedRows: result.affectedRows, lastInsertId: result.lastInsertId, warnings: result.warnings, info: result.info, statusFlags }), sequenceId)
        : encodeTextResultSet(result.fields, result.rows, { sequenceId, deprecateEof: client.deprecateEof, statusFlags });
    client.write(framed);
    sequenceId = nextSequenceId(framed);
  }
  trace.shards = [...shards];
}

/** The statements of a batch, split at `;` outside strings, comments and parentheses. */
export function splitStatements(sql: string): string[] {
  lexer.reset(sql);
  const statements: string[] = [];
  let start = 0;
  let depth = 0;
  let first = "";
  for (let kind = lexer.next(); kind !== TK_EOF; kind = lexer.next()) {
    if (kind === TK_ERROR) break;
    const token = sql.slice(lexer.start, lexer.end);
    if (first === "" && kind === TK_WORD) first = token.toUpperCase();
    if (kind === TK_OP && token === "(") depth++;
    else if (kind === TK_OP && token === ")") depth--;
    else if (kind === TK_OP && token === ";" && depth === 0) {
      if (first === "CREATE" && /\b(PROCEDURE|FUNCTION|TRIGGER|EVENT)\b/i.test(sql.slice(start, lexer.start))) {
        throw MySqlError.of("NOT_SUPPORTED_YET", "shardgate does not support stored programs inside a batch on a sharded keyspace; send CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT on its own");
      }
      const text = sql.slice(start, lexer.start).trim();
      if (text !== "") statements.push(text);
      start = lexer.end;
      first = "";
    }
  }
  const rest = sql.slice(start).trim();
  if (rest !== "") statements.push(rest);
  return statements;
}

/** The sequence id after the last packet of a framed response. */
function nextSequenceId(framed: Uint8Array): number {
  let at = 0;
  let last = 0;
  while (at + 4 <= framed.length) {
    const length = framed[at]! | (framed[at + 1]! << 8) | (framed[at + 2]! << 16);
    last = framed[at + 3]!;
    at += 4 + length;
  }
  return (last + 1) & 0xff;
}
