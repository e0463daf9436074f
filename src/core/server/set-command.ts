import type { BackendConnection } from "../backend/backend-connection.ts";
import { MySqlError } from "../errors.ts";
import { ColumnType } from "../protocol/constants.ts";
import type { RoutingSnapshot } from "../routing-snapshot.ts";
import type { SetAssignment, SetStatement } from "../sql/classify-types.ts";
import type { ClientConnection } from "./client-connection.ts";
import type { SessionAssignment } from "./session-variables.ts";
import type { Session } from "./session.ts";
import { targetKeyspace } from "./query-command.ts";

/** Variables that act once (on the next statement) rather than on the session: they can't be replayed. */
const ONE_SHOT_VARIABLES = new Set(["insert_id", "rand_seed1", "rand_seed2"]);
const READ_ONLY_GUARDS = new Set(["transaction_read_only", "tx_read_only"]);
const NUMERIC_TYPES = new Set<number>([
  ColumnType.DECIMAL, ColumnType.TINY, ColumnType.SHORT, ColumnType.LONG, ColumnType.FLOAT,
  ColumnType.DOUBLE, ColumnType.LONGLONG, ColumnType.INT24, ColumnType.NEWDECIMAL,
]);

/**
 * SET runs on a backend first, so the server validates it and reports its own errors; when it succeeds
 * the gateway records the assignments, so every backend connection the session uses later gets them.
 * A value that is an expression is read back from that connection and recorded as the literal it became.
 */
export async function handleSet(
  client: ClientConnection,
  session: Session,
  snapshot: RoutingSnapshot,
  statement: SetStatement,
  payload: Uint8Array,
  reply: number,
): Promise<void> {
  let oneShot = false;
  for (const assignment of statement.assignments) {
    refuseUnsafe(session, assignment);
    if ((assignment.type === "transaction" && assignment.scope === "next") || (assignment.type === "system" && ONE_SHOT_VARIABLES.has(assignment.name))) {
      oneShot = true;
    }
  }
  const route = targetKeyspace(client, session, snapshot, []);
  Object.assign(client.trace!, { keyspace: route.config.name, shards: [route.pools[0]!.name] });
  // The OK is held back until the state is recorded, so a failed read-back still reaches the client as ERR.
  const held: Uint8Array[] = [];
  await session.execute(
    route.pools[0]!,
    client.framedCommand(payload),
    "query",
    (chunk) => {
      held.push(chunk.slice());
      return true;
    },
    { pinReasons: oneShot ? ["session variable"] : [], usesLastInsertId: false },
    async (connection) => {
      for (const assignment of statement.assignments) await record(session, connection, assignment);
      connection.appliedState = session.variables.signature;
    },
  );
  for (const chunk of held) client.write(chunk);
}

function refuseUnsafe(session: Session, assignment: SetAssignment): void {
  if ((assignment.type === "system" || assignment.type === "transaction") && assignment.scope !== "session" && assignment.scope !== "next") {
    throw MySqlError.of(
      "SPECIFIC_ACCESS_DENIED",
      `SET ${assignment.scope.toUpperCase()} is not allowed through shardgate; change the backend servers' configuration instead`,
    );
  }
  if (!session.user.config.readOnly) return;
  const unlocks =
    (assignment.type === "transaction" && /READ\s+WRITE/i.test(assignment.text)) ||
    (assignment.type === "system" && READ_ONLY_GUARDS.has(assignment.name));
  if (unlocks) {
    throw MySqlError.of("OPTION_PREVENTS_STATEMENT", `user '${session.user.config.user}' is read-only in shardgate, so it cannot execute this statement`);
  }
}

async function record(session: Session, connection: BackendConnection, assignment: SetAssignment): Promise<void> {
  const entry = await toSessionAssignment(connection, assignment);
  if (!entry) return;
  session.variables.set(entry);
  if (assignment.type === "system" && assignment.name === "autocommit") {
    const value = (await connection.query("SELECT @@session.autocommit")).rows[0]?.[0];
    session.autocommit = value === "1";
  }
}

async function toSessionAssignment(connection: BackendConnection, assignment: SetAssignment): Promise<SessionAssignment | undefined> {
  switch (assignment.type) {
    case "names":
      return { key: "names", text: `NAMES ${assignment.charset}${assignment.collation ? ` COLLATE ${assignment.collation}` : ""}`, standalone: false };
    case "charset":
      return { key: "names", text: `CHARACTER SET ${assignment.charset}`, standalone: false };
    case "transaction": {
      if (assignment.scope === "next") return undefined;
      const text = assignment.text.replace(/\s+/g, " ").toUpperCase();
      const key = `transaction:${text.includes("ISOLATION") ? "isolation" : ""}${/READ (ONLY|WRITE)/.test(text) ? "access" : ""}`;
      return { key, text: `SET SESSION TRANSACTION ${assignment.text}`, standalone: true };
    }
    case "system": {
      if (ONE_SHOT_VARIABLES.has(assignment.name)) return undefined;
      const target = `@@session.${assignment.name}`;
      const value = assignment.literal ? assignment.valueText : await readBack(connection, target);
      return { key: assignment.name, text: `${target} = ${value}`, standalone: false };
    }
    case "user": {
      const target = `@\`${assignment.name.replaceAll("`", "``")}\``;
      const value = assignment.literal ? assignment.valueText : await readBack(connection, target);
      return { key: `@${assignment.name}`, text: `${target} = ${value}`, standalone: false };
    }
  }
}

/** The value an expression assigned, as SQL that recreates it with its type. */
async function readBack(connection: BackendConnection, target: string): Promise<string> {
  const result = await connection.query(`SELECT ${target}`);
  const value = result.rows[0]?.[0] ?? null;
  const column = result.columns[0]!;
  if (value === null) return "NULL";
  if (NUMERIC_TYPES.has(column.type)) return value;
  const hex = [...new TextEncoder().encode(value)].map((b) => b.toString(16).padStart(2, "0")).join("");
  // Hex avoids any dependence on the session's escaping rules (NO_BACKSLASH_ESCAPES).
  return column.characterSet === 63 ? `X'${hex}'` : `CONVERT(X'${hex}' USING utf8mb4)`;
}
