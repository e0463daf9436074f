import { MySqlError } from "../errors.ts";
import type { ClientConnection } from "./client-connection.ts";
import type { Session } from "./session.ts";

const KILL = /^\s*KILL\s+(?:(CONNECTION|QUERY)\s+)?(\d+)\s*;?\s*$/i;

/**
 * `KILL [CONNECTION | QUERY] id` names a gateway connection id (what CONNECTION_ID() returned), never a
 * backend thread: sent on as written it would kill whichever backend session happens to have that id.
 * Like mysqld, a user may kill only its own connections.
 */
export async function handleKill(client: ClientConnection, session: Session, sql: string, reply: number): Promise<void> {
  const match = KILL.exec(sql);
  if (!match) throw MySqlError.of("NOT_SUPPORTED_YET", "only KILL [CONNECTION | QUERY] <connection id> is supported through shardgate");
  const id = Number(match[2]);
  const target = client.context.client(id);
  if (!target?.session) throw MySqlError.of("NO_SUCH_THREAD", `Unknown thread id: ${id}`);
  if (target.session.user.config.user !== session.user.config.user) {
    throw MySqlError.of("KILL_DENIED", `You are not owner of thread ${id}`);
  }
  if (match[1]?.toUpperCase() === "QUERY") {
    await target.session.killRunningQuery();
    return client.sendOk(reply);
  }
  if (target === client) {
    // Killing yourself: mysqld answers with ER_CONNECTION_KILLED and drops the connection.
    client.sendErr(reply, MySqlError.of("CONNECTION_KILLED", "Connection was killed"));
    client.close();
    return;
  }
  target.close();
  client.sendOk(reply);
}
