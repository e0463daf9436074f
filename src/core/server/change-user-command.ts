import { MySqlError } from "../errors.ts";
import { decodeChangeUser } from "../protocol/change-user.ts";
import { authenticate } from "./authenticate.ts";
import type { ClientConnection } from "./client-connection.ts";
import { checkKeyspaceAccess } from "./keyspace-access.ts";
import { Session } from "./session.ts";

/**
 * COM_CHANGE_USER: authenticate again (against the connection's original scramble, switching plugin
 * if needed), then start a fresh session as a new connection would: transactions rolled back, state
 * dropped. A failed attempt closes the connection, as mysqld does.
 */
export async function handleChangeUser(client: ClientConnection, payload: Uint8Array, reply: number): Promise<void> {
  const old = client.session!;
  const request = decodeChangeUser(payload, old.clientCapabilities);
  const result = await authenticate(
    client.commandIO,
    {
      user: request.user,
      clientPlugin: request.authPluginName ?? "mysql_native_password",
      authResponse: request.authResponse,
      scramble: client.scramble,
      sequenceId: reply - 1,
    },
    client.authEnvironment(),
  );
  await old.releaseAll();
  if (result.error) {
    client.sendErr(result.nextSequenceId, result.error);
    client.close();
    return;
  }
  const session = new Session(result.user, old.clientCapabilities, request.characterSet || old.collationId, client.context.logger);
  client.replaceSession(session);
  if (request.database !== undefined) {
    try {
      checkKeyspaceAccess(client.context.snapshot(), session, request.database, client.remoteHost);
    } catch (error) {
      client.sendErr(result.nextSequenceId, error as MySqlError);
      return;
    }
    session.keyspace = request.database;
  }
  client.sendOk(result.nextSequenceId);
}
