import { commandPacket } from "../backend/backend-connection.ts";
import type { PlanDescription } from "../engine/primitive.ts";
import { QueryTemplate } from "../engine/query-template.ts";
import { Route } from "../engine/route.ts";
import { MySqlError } from "../errors.ts";
import type { PlanningContext } from "../planner/planning-context.ts";
import { planStatement, type Plan } from "../planner/planner.ts";
import type { BindValues } from "../engine/primitive.ts";
import { encodeUtf8 } from "../protocol/bytes.ts";
import { Command } from "../protocol/constants.ts";
import { encodeTextResultSet, textColumn } from "../protocol/text-result.ts";
import type { KeyspaceRoute, RoutingSnapshot } from "../routing-snapshot.ts";
import type { OtherStatement } from "../sql/classify-types.ts";
import type { ClientConnection } from "./client-connection.ts";
import { classifyStatement } from "../sql/classify.ts";
import { checkKeyspaceAccess } from "./keyspace-access.ts";
import { runBatch } from "./sharded-batch.ts";
import { handleSqlPrepared } from "./sql-prepared.ts";
import type { Session } from "./session.ts";
import { SessionVCursor } from "./session-vcursor.ts";

const PLANNED = new Set(["SELECT", "INSERT", "REPLACE", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP", "TRUNCATE", "RENAME", "ANALYZE", "OPTIMIZE", "REPAIR"]);
/** Statements about the schema, the same on every shard: any one shard answers. */
export const ANY_SHARD = new Set(["SHOW", "DESCRIBE", "DESC", "EXPLAIN", "HELP", "DO"]);
/** Savepoints mark every shard's part of the transaction, so each shard gets them (and joins the transaction). */
const EVERY_SHARD = new Set(["SAVEPOINT", "RELEASE", "ROLLBACK"]);
const EXPLAIN_PLAN = /^\s*(?:EXPLAIN\s+FORMAT\s*=\s*VITESS|VEXPLAIN(?:\s+PLAN)?)\s+/i;

/**
 * A statement on a sharded keyspace: planned (or its cached plan bound to its values), then run. A plan
 * that reaches one shard streams that shard's answer to the client untouched; otherwise the gateway
 * merges the shards' answers and writes the result itself.
 */
export async function handlePlanned(
  client: ClientConnection,
  session: Session,
  snapshot: RoutingSnapshot,
  route: KeyspaceRoute,
  statement: OtherStatement,
  sql: string,
  payload: Uint8Array,
  reply: number,
): Promise<void> {
  const explain = EXPLAIN_PLAN.exec(sql);
  if (explain) return explainPlan(client, session, snapshot, route, sql.slice(explain[0].length), reply);
  if (statement.statementCount > 1) return runBatch(client, session, snapshot, route, sql, reply);
  if (isSqlPrepared(statement.firstKeyword, sql)) {
    client.trace!.plan = "Prepare";
    const outcome = await handleSqlPrepared(sql, session, snapshot, route);
    if (outcome.kind === "ok") return client.sendOk(reply, { info: outcome.info });
    const bound = classifyStatement(outcome.sql);
    if (bound.kind !== "other") throw MySqlError.of("NOT_SUPPORTED_YET", "shardgate cannot EXECUTE this prepared statement on a sharded keyspace; send it as a query");
    const payload = new Uint8Array([Command.QUERY, ...encodeUtf8(outcome.sql)]);
    return handlePlanned(client, session, snapshot, route, bound, outcome.sql, payload, reply);
  }
  const needs = { pinReasons: statement.sessionPinReasons, usesLastInsertId: statement.usesLastInsertId };
  const trace = client.trace!;
  trace.keyspace = route.config.name;
  if (ANY_SHARD.has(statement.firstKeyword)) {
    const pool = route.pools[0]!;
    trace.plan = "Reference";
    trace.shards = [pool.name];
    const summary = await session.execute(pool, client.framedCommand(payload), "query", client.sink, needs);
    trace.errorCode = summary.error?.code;
    return;
  }
  if (EVERY_SHARD.has(statement.firstKeyword)) {
    trace.plan = "Savepoint";
    const vcursor = new SessionVCursor(session, snapshot, needs);
    const route = new Route({ keyspace: trace.keyspace, sharded: true, variant: "AllShards", query: new QueryTemplate(sql) });
    await route.execute(vcursor, []);
    trace.shards = vcursor.shards;
    return client.sendOk(reply);
  }
  const { plan, bind } = await planFor(client, session, snapshot, route, statement, sql);
  trace.plan = plan.type;
  const vcursor = new SessionVCursor(session, snapshot, needs);
  if (plan.root instanceof Route) {
    const queries = await plan.root.shardQueries(vcursor, bind);
    if (queries.length === 1) {
      const [{ pool, sql: shardSql }] = queries as [(typeof queries)[0]];
      trace.shards = [pool.name];
      const framed = shardSql === sql ? client.framedCommand(payload) : commandPacket(Command.QUERY, encodeUtf8(shardSql));
      const summary = await session.execute(pool, framed, "query", client.sink, needs);
      trace.errorCode = summary.error?.code;
      return;
    }
  }
  try {
    const result = await plan.root.execute(vcursor, bind);
    if (result.fields.length === 0) {
      return client.sendOk(reply, {
        affectedRows: result.affectedRows,
        lastInsertId: result.lastInsertId,
        warnings: result.warnings,
        info: result.info,
      });
    }
    client.write(encodeTextResultSet(result.fields, result.rows, { sequenceId: reply, deprecateEof: client.deprecateEof, statusFlags: session.statusFlags }));
  } finally {
    trace.shards = vcursor.shards;
  }
}

/**
 * The plan of one statement on a sharded keyspace, as a tree even where the single-statement path takes
 * a shortcut (schema statements to one shard, savepoints to every shard): a batch runs them all alike.
 */
export async function planFor(
  client: ClientConnection,
  session: Session,
  snapshot: RoutingSnapshot,
  route: KeyspaceRoute,
  statement: OtherStatement,
  sql: string,
): Promise<{ plan: Plan; bind: BindValues }> {
  const keyspace = route.config.name;
  if (ANY_SHARD.has(statement.firstKeyword)) {
    return { plan: { root: new Route({ keyspace, sharded: true, variant: "Reference", query: new QueryTemplate(sql) }), keyspaces: [keyspace], type: "Reference" }, bind: [] };
  }
  if (EVERY_SHARD.has(statement.firstKeyword)) {
    return { plan: { root: new Route({ keyspace, sharded: true, variant: "AllShards", query: new QueryTemplate(sql) }), keyspaces: [keyspace], type: "Savepoint" }, bind: [] };
  }
  if (!PLANNED.has(statement.firstKeyword)) {
    throw MySqlError.of("NOT_SUPPORTED_YET", `shardgate does not support ${statement.firstKeyword || "this statement"} on sharded keyspace '${keyspace}' yet`);
  }
  return planStatement(sql, statement.firstKeyword, planningContext(client, session, snapshot, route), keyspace);
}

/** `PREPARE x FROM ...`, `EXECUTE x [USING ...]`, `DEALLOCATE PREPARE x`, `DROP PREPARE x`. */
function isSqlPrepared(firstKeyword: string, sql: string): boolean {
  return firstKeyword === "PREPARE" || firstKeyword === "EXECUTE" || firstKeyword === "DEALLOCATE" || (firstKeyword === "DROP" && /^\s*DROP\s+PREPARE\b/i.test(sql));
}

function planningContext(client: ClientConnection, session: Session, snapshot: RoutingSnapshot, route: KeyspaceRoute): PlanningContext {
  return {
    snapshot,
    defaultKeyspace: session.keyspace ?? route.config.name,
    checkAccess: (name) => checkKeyspaceAccess(snapshot, session, name, client.remoteHost),
  };
}

/** `EXPLAIN FORMAT=VITESS <statement>` / `VEXPLAIN PLAN <statement>`: the plan tree as JSON, one row. */
async function explainPlan(
  client: ClientConnection,
  session: Session,
  snapshot: RoutingSnapshot,
  route: KeyspaceRoute,
  inner: string,
  reply: number,
): Promise<void> {
  client.trace!.plan = "Explain";
  const firstKeyword = /^\s*\(?\s*([A-Za-z]+)/.exec(inner)?.[1]?.toUpperCase() ?? "";
  const { plan } = await planStatement(inner, firstKeyword, planningContext(client, session, snapshot, route), route.config.name);
  const description: PlanDescription = plan.root.describe();
  client.write(
    encodeTextResultSet([textColumn("JSON")], [[JSON.stringify(description, null, 2)]], {
      sequenceId: reply,
      deprecateEof: client.deprecateEof,
      statusFlags: session.statusFlags,
    }),
  );
}
