/**
 * The core's socket interface over Bun's own TCP API (`Bun.listen` / `Bun.connect`).
 *
 * Bun's `socket.write` is unbuffered: it returns how many bytes the kernel took and keeps nothing else.
 * Whatever it did not take is queued here and written from the `drain` handler; a naive "write and
 * forget" loses everything past the kernel's send buffer (~200 KB on loopback). For the same reason
 * data is never handed to `socket.end(data)`: `end()` here waits for the queue to empty first.
 *
 * Closing follows Node's sockets (allowHalfOpen false): `end()` sends FIN with shutdown(2) and keeps
 * reading until the peer's FIN, and a peer's FIN ends our side once the queue is sent. Bun's own
 * `end()` stops reading at once (the peer's last bytes are lost, unread ones turn into an RST), and
 * with Bun's default `allowHalfOpen: false` a peer's FIN closes the socket with the queue unsent.
 *
 * Server-side TLS (the client's SSLRequest) goes through src/net/loopback-tls.ts rather than
 * `upgradeTLS`, which can't be handed the ClientHello already read together with the SSLRequest: the
 * accepted socket stays plain and is relayed to a private `Bun.listen({ tls })` listener on loopback.
 */
import type { ByteSocket, Network, SocketEvents, SocketListener, TlsClientOptions, TlsServerOptions } from "../core/socket.ts";
import { Inbox } from "../net/inbox.ts";
import { LoopbackTlsTerminator, type LoopbackTlsDriver } from "../net/loopback-tls.ts";
import { WriteQueue } from "../net/write-queue.ts";
import { bunGlobal, type BunSocket, type BunSocketHandler, type BunTlsOptions } from "./bun-api.ts";

/** Queued bytes above which `write` returns false; as Node's sockets, `drain` fires once it is empty. */
const HIGH_WATER_MARK = 64 * 1024;

type Socket = BunSocket<BunByteSocket | undefined>;

class BunByteSocket implements ByteSocket {
  private readonly inbox = new Inbox();
  private readonly queue = new WriteQueue(HIGH_WATER_MARK);
  private needDrain = false;
  private ending = false;
  private finSent = false;
  private closed = false;
  /** Set once `startTls` took this socket over: its events then belong to the TLS socket. */
  private upgraded = false;
  /**
   * Pending `startTls` (or, `server`, an accept of the private TLS listener): settled by the TLS
   * socket's `handshake` handler.
   */
  handshake:
    | {
        resolve(socket: ByteSocket): void;
        reject(error: Error): void;
        rejectUnauthorized: boolean;
        checkHostname: boolean;
        server?: boolean;
      }
    | undefined;

  constructor(private readonly socket: Socket) {
    socket.data = this;
    socket.setNoDelay(true);
  }

  get remoteAddress(): string {
    return this.socket.remoteAddress ?? "";
  }

  get remotePort(): number {
    return this.socket.remotePort ?? 0;
  }

  get localAddress(): string {
    return this.socket.localAddress ?? "";
  }

  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  listen(events: SocketEvents): void {
    this.inbox.listen(events);
  }

  write(chunk: Uint8Array): boolean {
    if (this.closed || this.ending || this.upgraded) return true;
    if (this.queue.isEmpty) {
      const written = this.socket.write(chunk);
      if (written < 0 || written === chunk.length) return true; // < 0: closing; `close` follows
      this.queue.push(chunk.subarray(written));
    } else {
      this.queue.push(chunk);
    }
    if (!this.queue.isFull) return true;
    this.needDrain = true;
    return false;
  }

  pause(): void {
    this.inbox.pause();
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
    this.inbox.resume();
  }

  end(): void {
    if (this.closed || this.ending) return;
    this.ending = true;
    if (this.queue.isEmpty) this.sendFin();
  }

  private sendFin(): void {
    if (this.finSent) return;
    this.finSent = true;
    this.socket.shutdown();
  }

  destroy(): void {
    if (this.closed) return;
    this.queue.clear();
    this.socket.terminate();
    this.finish(undefined);
  }

  startTls(options: { server: TlsServerOptions } | { client: TlsClientOptions }, received?: Uint8Array): Promise<ByteSocket> {
    if (this.closed || this.upgraded) return Promise.reject(new Error("startTls on a closed socket"));
    // The server side is relayed to a private TLS listener, which takes the bytes already read too.
    if ("server" in options) return loopbackTls.upgrade(this, received, options.server);
    if (received !== undefined && received.length > 0) {
      return Promise.reject(new Error("Bun's upgradeTLS can't replay TLS bytes that were already read"));
    }
    const tls: BunTlsOptions = {
      ca: options.client.ca,
      serverName: options.client.servername,
      // Without the name check, verified in the `handshake` handler, which lets a name mismatch through.
      rejectUnauthorized: options.client.rejectUnauthorized !== false && options.client.checkHostname !== false,
    };
    const verify = options.client.rejectUnauthorized !== false;
    const checkHostname = options.client.checkHostname !== false;
    return new Promise<ByteSocket>((resolve, reject) => {
      this.upgraded = true;
      this.socket.pause();
      try {
        const [, secure] = this.socket.upgradeTLS<BunByteSocket | undefined>({ data: undefined, tls, socket: tlsHandlers });
        const upgraded = secure.data ?? new BunByteSocket(secure);
        upgraded.handshake = { resolve, reject, rejectUnauthorized: verify, checkHostname };
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  onData(chunk: Uint8Array): void {
    if (!this.upgraded) this.inbox.push(chunk);
  }

  /** Bun's `drain`: the kernel takes bytes again. */
  flush(): void {
    while (!this.queue.isEmpty) {
      const next = this.queue.peek();
      const written = this.socket.write(next);
      if (written < 0) return;
      this.queue.consume(written);
      if (written < next.length) return;
    }
    if (this.ending) {
      this.sendFin();
      return;
    }
    if (this.needDrain) {
      this.needDrain = false;
      this.inbox.listener?.drain();
    }
  }

  finish(error: Error | undefined): void {
    if (this.handshake !== undefined) {
      this.handshake.reject(error ?? new Error("connection closed during the TLS handshake"));
      this.handshake = undefined;
    }
    if (this.closed || this.upgraded) return;
    this.closed = true;
    this.queue.clear();
    this.inbox.close(error);
  }

  /** A handler threw (a bug downstream) or an established TLS session failed: the socket is done. */
  fail(error: Error): void {
    if (this.closed || this.upgraded) return;
    this.socket.terminate();
    this.finish(error);
  }
}

const socketHandlers: BunSocketHandler<BunByteSocket | undefined> = {
  binaryType: "uint8array",
  // Bun hands each `data` call a fresh buffer, so the chunk may be kept (test/unit/socket-adapter.test.ts).
  data: (socket, chunk) => socket.data?.onData(chunk),
  drain: (socket) => socket.data?.flush(),
  // The peer's FIN: finish sending, then FIN back; Bun closes once both sides are shut.
  end: (socket) => socket.data?.end(),
  close: (socket, error) => socket.data?.finish(error),
  error: (socket, error) => socket.data?.fail(error),
};

const tlsHandlers: BunSocketHandler<BunByteSocket | undefined> = {
  ...socketHandlers,
  open: (socket) => void (socket.data ?? new BunByteSocket(socket)),
  handshake(socket, success, authorizationError) {
    const adapter = socket.data;
    const pending = adapter?.handshake;
    if (adapter === undefined || pending === undefined) return;
    adapter.handshake = undefined;
    if (pending.server) {
      // No client certificates are asked for: `authorizationError` says nothing about this handshake.
      if (success) pending.resolve(adapter);
      else pending.reject(authorizationError ?? new Error("TLS handshake failed"));
      return;
    }
    const nameOnly = (authorizationError as { code?: string } | null)?.code === "ERR_TLS_CERT_ALTNAME_INVALID";
    const failed = !success || (authorizationError !== null && authorizationError !== undefined);
    if (failed && pending.rejectUnauthorized && !(nameOnly && !pending.checkHostname)) {
      pending.reject(authorizationError ?? new Error("TLS peer not authorized"));
      socket.terminate();
      return;
    }
    pending.resolve(adapter);
  },
};

function connectError(host: string, port: number, error: unknown): Error {
  return new Error(`connect to ${host}:${port} failed: ${error instanceof Error ? error.message : String(error)}`);
}

/** The private TLS listener and its links for server-side `startTls` (src/net/loopback-tls.ts). */
const loopbackDriver: LoopbackTlsDriver = {
  async listenTls(options, onAccept) {
    const listener = bunGlobal().listen<BunByteSocket | undefined>({
      hostname: "127.0.0.1",
      port: 0,
      allowHalfOpen: true,
      tls: { cert: options.cert, key: options.key, ca: options.ca },
      socket: {
        ...tlsHandlers,
        // At accept, held still (Bun would run the handshake by itself) until it is known to be a link.
        open: (socket) => {
          const adapter = new BunByteSocket(socket);
          socket.pause();
          const handshake = new Promise<ByteSocket>((resolve, reject) => {
            adapter.handshake = { resolve, reject, rejectUnauthorized: false, checkHostname: false, server: true };
          });
          handshake.catch(() => {}); // a dropped stranger's
          onAccept({
            remoteAddress: adapter.remoteAddress,
            remotePort: adapter.remotePort,
            handshake: () => {
              socket.resume();
              return handshake;
            },
            destroy: () => adapter.destroy(),
          });
        },
      },
    });
    return { port: listener.port, close: () => listener.stop(false) };
  },

  async dial(port) {
    const socket = await connectBun("127.0.0.1", port, 10_000);
    return { socket, localAddress: socket.localAddress, localPort: socket.localPort };
  },
};

const loopbackTls = new LoopbackTlsTerminator(loopbackDriver);

function connectBun(host: string, port: number, timeoutMs: number): Promise<BunByteSocket> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(new Error(`connect to ${host}:${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    bunGlobal()
      .connect<BunByteSocket | undefined>({
        hostname: host,
        port,
        allowHalfOpen: true,
        socket: { ...socketHandlers, open: (socket) => void new BunByteSocket(socket), connectError: () => {} },
      })
      .then(
        (socket) => {
          clearTimeout(timer);
          const adapter = socket.data ?? new BunByteSocket(socket);
          if (timedOut) adapter.destroy();
          else resolve(adapter);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(connectError(host, port, error));
        },
      );
  });
}

export const bunNetwork: Network = {
  async listen(host: string, port: number, onSocket: (socket: ByteSocket) => void): Promise<SocketListener> {
    const listener = bunGlobal().listen<BunByteSocket | undefined>({
      hostname: host,
      port,
      allowHalfOpen: true,
      socket: { ...socketHandlers, open: (socket) => onSocket(new BunByteSocket(socket)) },
    });
    return {
      host: listener.hostname,
      port: listener.port,
      // false: stop accepting, leave the open connections to the gateway's own shutdown.
      close: async () => listener.stop(false),
    };
  },

  connect(host: string, port: number, timeoutMs = 10_000): Promise<ByteSocket> {
    return connectBun(host, port, timeoutMs);
  },
};
