import { encodeTextResultSet, textColumn, type TextValue } from "../protocol/text-result.ts";
import type { RoutingSnapshot } from "../routing-snapshot.ts";
import type { GatewayValue, SelectGatewayStatement } from "../sql/classify-types.ts";
import type { ClientConnection } from "./client-connection.ts";
import { gatewayValue } from "./gateway-values.ts";
import { mayUseKeyspace } from "./keyspace-access.ts";
import type { Session } from "./session.ts";

/** `SHOW DATABASES [LIKE 'pattern']`: the keyspaces this user may use, sorted as mysqld sorts them. */
export function answerShowDatabases(
  client: ClientConnection,
  session: Session,
  snapshot: RoutingSnapshot,
  like: string | undefined,
  reply: number,
): void {
  const matches = like === undefined ? () => true : likeMatcher(like);
  const names = snapshot.keyspaceNames.filter((name) => mayUseKeyspace(session, name) && matches(name)).sort();
  const column = textColumn(like === undefined ? "Database" : `Database (${like})`);
  client.write(
    encodeTextResultSet([column], names.map((name) => [name]), {
      sequenceId: reply,
      deprecateEof: client.deprecateEof,
      statusFlags: session.statusFlags,
    }),
  );
}

/** A FROM-less SELECT of values only the gateway knows (`@@version`, `DATABASE()`, `CONNECTION_ID()`, …). */
export function answerSelectGateway(
  client: ClientConnection,
  session: Session,
  snapshot: RoutingSnapshot,
  statement: SelectGatewayStatement,
  reply: number,
): void {
  const value = (what: GatewayValue): TextValue => gatewayValue(client, session, snapshot, what);
  const columns = statement.columns.map((c) => textColumn(c.name, c.value === "connection_id" ? "integer" : "string"));
  const rows = statement.limit === 0 ? [] : [statement.columns.map((c) => value(c.value))];
  client.write(
    encodeTextResultSet(columns, rows, { sequenceId: reply, deprecateEof: client.deprecateEof, statusFlags: session.statusFlags }),
  );
}

/** SQL LIKE with `%`, `_` and backslash escapes, case-insensitive like mysqld's default collation. */
function likeMatcher(pattern: string): (name: string) => boolean {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "\\" && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!);
    else if (ch === "%") source += ".*";
    else if (ch === "_") source += ".";
    else source += escapeRegExp(ch);
  }
  const regex = new RegExp(`^${source}$`, "is");
  return (name) => regex.test(name);
}

function escapeRegExp(ch: string): string {
  return /[.*+?^${}()|[\]\\]/.test(ch) ? `\\${ch}` : ch;
}
