import { decodeUtf8, encodeUtf8 } from "../protocol/bytes.ts";
import type { RoutingSnapshot } from "../routing-snapshot.ts";
import type { GatewayValue } from "../sql/classify-types.ts";
import { gatewayLiteral, rewriteGatewayValues, type GatewayLiterals } from "../sql/rewrite-gateway-values.ts";
import type { ClientConnection } from "./client-connection.ts";
import type { Session } from "./session.ts";

/**
 * A value only the gateway knows, as this session sees it: the server version and comment the gateway
 * announces, the session's keyspace (NULL without one), the client's connection id (the one KILL takes),
 * the client's account. `SELECT @@version` alone is answered with these (gateway-answers.ts), and a
 * statement that mixes them with anything else gets them written in before a backend runs it.
 */
export function gatewayValue(
  client: ClientConnection,
  session: Session,
  snapshot: RoutingSnapshot,
  what: GatewayValue,
): string | number | null {
  switch (what) {
    case "version":
      return snapshot.config.server.version;
    case "version_comment":
      return snapshot.config.server.versionComment;
    case "database":
      return session.keyspace ?? null;
    case "connection_id":
      return client.connectionId;
    case "user":
      return `${session.user.config.user}@${client.remoteHost}`;
    case "current_user":
      return `${session.user.config.user}@%`;
  }
}

const VALUES: readonly GatewayValue[] = ["version", "version_comment", "database", "connection_id", "user", "current_user"];

/**
 * COM_QUERY `payload` (its text decoded as `sql`) with the gateway's values in place of `@@version`,
 * `USER()`, `CONNECTION_ID()`, ... (sql/rewrite-gateway-values.ts), or undefined when it holds none to
 * replace. Everything else keeps the client's own bytes: a statement that is not UTF-8 (a latin1
 * client's `'é'`) is rewritten byte for byte, the literals being utf8mb4 with their introducer.
 */
export function withGatewayValues(
  client: ClientConnection,
  session: Session,
  snapshot: RoutingSnapshot,
  sql: string,
  payload: Uint8Array,
): { sql: string; payload: Uint8Array } | undefined {
  const text = payload.subarray(1);
  // The decoded text turns back into the very same bytes unless decoding replaced (U+FFFD) or dropped (BOM) some.
  const utf8 = !sql.includes("\uFFFD") && !(text[0] === 0xef && text[1] === 0xbb && text[2] === 0xbf);
  const literals = {} as Record<GatewayValue, string>;
  for (const what of VALUES) {
    const literal = gatewayLiteral(gatewayValue(client, session, snapshot, what));
    literals[what] = utf8 ? literal : bytesAsText(encodeUtf8(literal));
  }
  if (utf8) {
    const rewritten = rewriteGatewayValues(sql, literals as GatewayLiterals);
    return rewritten === undefined ? undefined : { sql: rewritten, payload: commandPayload(payload[0]!, encodeUtf8(rewritten)) };
  }
  const rewritten = rewriteGatewayValues(bytesAsText(text), literals as GatewayLiterals);
  if (rewritten === undefined) return undefined;
  const bytes = textAsBytes(rewritten);
  return { sql: decodeUtf8(bytes), payload: commandPayload(payload[0]!, bytes) };
}

function commandPayload(command: number, argument: Uint8Array): Uint8Array {
  const payload = new Uint8Array(argument.length + 1);
  payload[0] = command;
  payload.set(argument, 1);
  return payload;
}

/** One character per byte (code 0–255): the lexer finds the same tokens, at byte offsets. */
function bytesAsText(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

function textAsBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
