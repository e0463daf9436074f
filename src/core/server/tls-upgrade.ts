import type { ListenTls } from "../config/types.ts";
import { MySqlError } from "../errors.ts";
import { isSslRequest } from "../protocol/handshake-response.ts";
import { ChannelClosedError, type PacketChannel } from "../protocol/packet-channel.ts";
import type { Packet } from "../protocol/packet-reader.ts";

export interface ClientHello {
  /** The HandshakeResponse41 (read over TLS when the client upgraded). */
  packet: Packet;
  secure: boolean;
}

/**
 * Reads the client's answer to the handshake. An SSLRequest (the response's 32-byte prefix with
 * CLIENT_SSL, seq 1) switches the connection to TLS in place; the full HandshakeResponse41 then follows
 * over TLS with seq 2. With `require` (MySQL's require_secure_transport) a plain response is refused
 * with ER 3159.
 */
export async function readClientHello(channel: PacketChannel, tls: ListenTls | undefined): Promise<ClientHello> {
  // Held still once the first packet is in: after an SSLRequest, what follows is TLS, not for this reader.
  if (tls !== undefined) channel.pauseAfterNextPacket();
  const first = await channel.next();
  if (!isSslRequest(first.payload)) {
    if (tls !== undefined) channel.resume();
    if (tls?.require) {
      throw MySqlError.of(
        "SECURE_TRANSPORT_REQUIRED",
        "Connections using insecure transport are prohibited while --require_secure_transport=ON.",
      );
    }
    return { packet: first, secure: false };
  }
  if (tls === undefined) throw MySqlError.of("HANDSHAKE", "SSL connection requested but TLS is not configured on this gateway");
  const socket = channel.socket;
  if (!socket.startTls) throw MySqlError.of("HANDSHAKE", "SSL connection requested but this runtime can't upgrade connections to TLS");
  // The client starts its TLS handshake right after the SSLRequest: what was read past it is TLS.
  const received = channel.takeBuffered().takeRaw();
  let secure;
  try {
    secure = await socket.startTls({ server: { cert: tls.cert, key: tls.key, ca: tls.ca } }, received);
  } catch (error) {
    // The client speaks TLS by now: an ERR in clear would only garble its handshake.
    socket.destroy();
    throw new ChannelClosedError(`TLS handshake failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  channel.attach(secure);
  const packet = await channel.next();
  if (isSslRequest(packet.payload)) throw MySqlError.of("HANDSHAKE", "a second SSLRequest over TLS");
  return { packet, secure: true };
}
