import * as net from "node:net";
import * as tls from "node:tls";
import type { ByteSocket, Network, SocketEvents, SocketListener, TlsClientOptions, TlsServerOptions } from "../core/socket.ts";

/** The core's socket interface over Node's `net` (and `tls` for in-place upgrades). */
class NodeByteSocket implements ByteSocket {
  private events: SocketEvents | undefined;
  private closed = false;

  constructor(private socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on("error", (error) => this.finish(error));
    socket.on("close", () => this.finish(undefined));
    socket.on("drain", () => this.events?.drain());
  }

  get remoteAddress(): string {
    return this.socket.remoteAddress ?? "";
  }

  get remotePort(): number {
    return this.socket.remotePort ?? 0;
  }

  listen(events: SocketEvents): void {
    this.events = events;
    this.socket.on("data", (chunk: Buffer) => events.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    if (this.closed) events.close(undefined);
  }

  write(chunk: Uint8Array): boolean {
    if (this.closed) return true;
    return this.socket.write(chunk);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  async startTls(options: { server: TlsServerOptions } | { client: TlsClientOptions }, received?: Uint8Array): Promise<ByteSocket> {
    this.socket.removeAllListeners("data");
    this.socket.removeAllListeners("close");
    this.socket.removeAllListeners("error");
    this.socket.removeAllListeners("drain");
    if (received !== undefined && received.length > 0) {
      // Paused first, so the bytes stay buffered; Node's TLSSocket feeds a socket's buffer to TLS first.
      this.socket.pause();
      this.socket.unshift(Buffer.from(received));
    }
    const upgraded = await new Promise<tls.TLSSocket>((resolve, reject) => {
      if ("server" in options) {
        const secure = new tls.TLSSocket(this.socket, { isServer: true, ...options.server });
        secure.once("secure", () => resolve(secure));
        secure.once("error", reject);
        // A client that gives up mid-handshake (it doesn't trust the certificate) only closes the socket.
        secure.once("close", () => reject(new Error("the client closed the connection during the TLS handshake")));
      } else {
        const { ca, servername, rejectUnauthorized, checkHostname } = options.client;
        // An IP address goes in `host` (checked against IP SANs): RFC 6066 forbids it as SNI.
        const name = servername === undefined ? {} : net.isIP(servername) ? { host: servername } : { servername };
        const secure = tls.connect(
          {
            socket: this.socket,
            ca,
            rejectUnauthorized: rejectUnauthorized ?? true,
            ...name,
            ...(checkHostname === false ? { checkServerIdentity: () => undefined } : {}),
          },
          () => resolve(secure),
        );
        secure.once("error", reject);
      }
    });
    return new NodeByteSocket(upgraded);
  }

  private finish(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.events?.close(error);
  }
}

export const nodeNetwork: Network = {
  listen(host: string, port: number, onSocket: (socket: ByteSocket) => void): Promise<SocketListener> {
    return new Promise((resolve, reject) => {
      const server = net.createServer({ noDelay: true, pauseOnConnect: false }, (socket) => onSocket(new NodeByteSocket(socket)));
      server.once("error", reject);
      server.listen({ host, port }, () => {
        server.off("error", reject);
        const address = server.address() as net.AddressInfo;
        resolve({
          host: address.address,
          port: address.port,
          // server.close's callback waits for every open connection to end; accepting stops at once.
          close: async () => void server.close(),
        });
      });
    });
  },

  connect(host: string, port: number, timeoutMs = 10_000): Promise<ByteSocket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.off("error", onError);
        resolve(new NodeByteSocket(socket));
      });
      const onError = (error: Error) => {
        clearTimeout(timer);
        reject(new Error(`connect to ${host}:${port} failed: ${error.message}`));
      };
      socket.once("error", onError);
    });
  },
};
