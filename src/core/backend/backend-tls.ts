import type { Handshake } from "../protocol/handshake.ts";
import { Capability } from "../protocol/constants.ts";
import { encodeSslRequest } from "../protocol/handshake-response.ts";
import type { PacketChannel } from "../protocol/packet-channel.ts";
import type { ByteSocket, TlsClientOptions } from "../socket.ts";
// A cycle, used only inside the function: backend-connection.ts calls this during connect.
import { BackendError, MAX_PACKET_SIZE, type BackendConnectOptions } from "./backend-connection.ts";

/**
 * The SSLRequest (seq 1) and the in-place upgrade, when the server offers CLIENT_SSL; false when it
 * doesn't and ssl-mode=PREFERRED lets the connection stay plain. The HandshakeResponse follows as seq 2.
 */
export async function startTls(io: PacketChannel, handshake: Handshake, capabilities: number, options: BackendConnectOptions): Promise<boolean> {
  const { address } = options;
  const { mode, ca } = address.tls ?? { mode: "DISABLED", ca: undefined };
  if (!(handshake.capabilities & Capability.SSL)) {
    if (mode === "PREFERRED") return false;
    throw new BackendError(`backend ${address.host}:${address.port} does not support TLS (CLIENT_SSL not offered), but ssl-mode=${mode}`);
  }
  const socket = io.socket;
  if (!socket.startTls) throw new BackendError(`ssl-mode=${mode}: this runtime's sockets can't be upgraded to TLS`);
  if (io.takeBuffered().buffered > 0) throw new BackendError("backend sent data after its greeting, before the SSLRequest");
  const tls: TlsClientOptions =
    mode === "REQUIRED" || mode === "PREFERRED"
      ? { rejectUnauthorized: false }
      : { ca, servername: address.host, rejectUnauthorized: true, checkHostname: mode === "VERIFY_IDENTITY" };
  io.write(encodeSslRequest(capabilities, options.flavor.collationId & 0xff, MAX_PACKET_SIZE), 1);
  let secure: ByteSocket;
  try {
    secure = await socket.startTls({ client: tls });
  } catch (error) {
    throw new BackendError(`TLS with backend ${address.host}:${address.port} (ssl-mode=${mode}) failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  io.attach(secure);
  return true;
}
