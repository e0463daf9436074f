import type { ShardPool } from "../backend/shard-pool.ts";
import { Route } from "../engine/route.ts";
import { MySqlError } from "../errors.ts";
import { planStatement } from "../planner/planner.ts";
import { paramLiterals } from "../protocol/binary-params.ts";
import { concatBytes } from "../protocol/bytes.ts";
import { encodeBinaryResultSet } from "../protocol/binary-row.ts";
import type { ExecuteRequest } from "../protocol/stmt-packets.ts";
import type { KeyspaceRoute } from "../routing-snapshot.ts";
import { classifyStatement } from "../sql/classify.ts";
import { Lexer, TK_EOF, TK_ERROR, TK_PARAM } from "../sql/lexer.ts";
import type { ClientConnection } from "./client-connection.ts";
import type { ClientStatement } from "./client-statements.ts";
import { checkKeyspaceAccess } from "./keyspace-access.ts";
import { ANY_SHARD } from "./planned-query.ts";
import type { Session } from "./session.ts";
import { SessionVCursor } from "./session-vcursor.ts";

const lexer = new Lexer();

/**
 * COM_STMT_EXECUTE of a statement on a sharded keyspace. Its values are bound into the statement's
 * plan (cached by the statement's shape, so it is planned once), which routes them: when the plan
 * reaches one shard, the shard runs the client's own prepared statement and its binary rows stream
 * back untouched (`executeOn`); otherwise the gateway merges the shards' answers and writes them as a
 * binary result set itself.
 */
export async function executeSharded(
  client: ClientConnection,
  session: Session,
  statement: ClientStatement,
  request: ExecuteRequest,
  longData: ReadonlyMap<number, Uint8Array[]>,
  executeOn: (pool: ShardPool) => Promise<void>,
): Promise<void> {
  const snapshot = client.context.snapshot();
  checkKeyspaceAccess(snapshot, session, statement.keyspace, client.remoteHost);
  const route = snapshot.keyspace(statement.keyspace)!;
  const types = statement.types;
  if (statement.params > 0 && !types) throw new MySqlError(1210, "HY000", "Incorrect arguments to mysqld_stmt_execute");
  const long = new Map([...longData].map(([param, chunks]) => [param, concatBytes(...chunks)]));
  const literals = paramLiterals(statement.params, request.nullBitmap, types ?? new Uint8Array(0), request.values, long);
  const sql = bindPlaceholders(statement.text, literals);
  const classified = classifyStatement(sql);
  const firstKeyword = classified.kind === "other" ? classified.firstKeyword : "";
  client.trace = { keyspace: route.config.name, plan: "Execute", shards: [] };
  if (ANY_SHARD.has(firstKeyword)) return executeOn(route.pools[0]!);
  const context = {
    snapshot,
    defaultKeyspace: session.keyspace ?? route.config.name,
    checkAccess: (name: string) => checkKeyspaceAccess(snapshot, session, name, client.remoteHost),
  };
  const { plan, bind } = await planStatement(sql, firstKeyword, context, route.config.name);
  client.trace.plan = plan.type;
  const vcursor = new SessionVCursor(session, snapshot, statement.needs);
  if (plan.root instanceof Route) {
    const queries = await plan.root.shardQueries(vcursor, bind);
    if (queries.length === 1) {
      client.trace.shards = [queries[0]!.pool.name];
      return executeOn(queries[0]!.pool);
    }
  }
  try {
    const result = await plan.root.execute(vcursor, bind);
    const reply = 1;
    if (result.fields.length === 0) {
      return client.sendOk(reply, { affectedRows: result.affectedRows, lastInsertId: result.lastInsertId, warnings: result.warnings, info: result.info });
    }
    client.write(
      encodeBinaryResultSet(result.fields, result.rows, {
        sequenceId: reply,
        deprecateEof: client.deprecateEof,
        statusFlags: session.statusFlags,
        warnings: result.warnings,
      }),
    );
  } finally {
    client.trace.shards = vcursor.shards;
  }
}

/** The keyspace a statement prepared in `route` belongs to is sharded: its executes are planned here. */
export function isSharded(route: KeyspaceRoute | undefined): boolean {
  return route?.config.sharded === true;
}

/** The statement with each `?` replaced by its value's literal, in order (the lexer skips strings and comments). */
export function bindPlaceholders(sql: string, literals: readonly string[]): string {
  lexer.reset(sql);
  let out = "";
  let copied = 0;
  let index = 0;
  for (let kind = lexer.next(); kind !== TK_EOF && kind !== TK_ERROR; kind = lexer.next()) {
    if (kind !== TK_PARAM) continue;
    out += sql.slice(copied, lexer.start) + (literals[index++] ?? "NULL");
    copied = lexer.end;
  }
  return out + sql.slice(copied);
}
