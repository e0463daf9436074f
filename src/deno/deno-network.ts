/**
 * The core's socket interface over Deno's own TCP API (`Deno.listen` / `Deno.connect`).
 *
 * Deno's connections are promise-based: one read loop per socket (parked while paused, so a paused
 * socket lets TCP push back on the peer) and one write loop draining a queue (`conn.write` may take
 * fewer bytes than given, and small packets queued behind a slow write go out as one).
 *
 * Server-side TLS (the client's SSLRequest): Deno's API can't upgrade an accepted connection
 * (`Deno.startTls` is a client), so the connection stays plain and is relayed to a private TLS
 * listener on loopback (src/net/loopback-tls.ts).
 */
import type { ByteSocket, Network, SocketEvents, SocketListener, TlsClientOptions, TlsServerOptions } from "../core/socket.ts";
import { Inbox } from "../net/inbox.ts";
import { LoopbackTlsTerminator, type LoopbackTlsDriver } from "../net/loopback-tls.ts";
import { WriteQueue } from "../net/write-queue.ts";
import { denoGlobal, type DenoConn } from "./deno-api.ts";

/** Queued bytes above which `write` returns false; as Node's sockets, `drain` fires once it is empty. */
const HIGH_WATER_MARK = 64 * 1024;
const READ_SIZE = 64 * 1024;
/** After `end()` sent FIN, how long the peer may take to close its side before the socket is closed. */
const LINGER_MS = 10_000;

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

class DenoByteSocket implements ByteSocket {
  private readonly inbox = new Inbox();
  private readonly queue = new WriteQueue(HIGH_WATER_MARK);
  private started = false;
  private reading = false;
  private writing = false;
  private needDrain = false;
  private ending = false;
  private closed = false;
  private upgraded = false;
  private peerClosed = false;
  private lingerTimer: ReturnType<typeof setTimeout> | undefined;
  private wakeReader: (() => void) | undefined;
  private flushed: (() => void) | undefined;

  constructor(private readonly conn: DenoConn) {
    conn.setNoDelay?.(true);
  }

  get remoteAddress(): string {
    return this.conn.remoteAddr.hostname;
  }

  get remotePort(): number {
    return this.conn.remoteAddr.port;
  }

  get localAddress(): string {
    return this.conn.localAddr.hostname;
  }

  get localPort(): number {
    return this.conn.localAddr.port;
  }

  /** Reading starts here: until then the bytes wait in the kernel, as the contract wants. */
  listen(events: SocketEvents): void {
    this.inbox.listen(events);
    if (!this.started) {
      this.started = true;
      void this.readLoop();
    }
  }

  write(chunk: Uint8Array): boolean {
    if (this.closed || this.ending || this.upgraded) return true;
    this.queue.push(chunk);
    if (!this.writing) void this.writeLoop();
    if (!this.queue.isFull) return true;
    this.needDrain = true;
    return false;
  }

  /** Takes effect before the next read: called inside a `data` callback, no read is left pending. */
  pause(): void {
    this.inbox.pause();
  }

  resume(): void {
    this.inbox.resume();
    this.wake();
  }

  end(): void {
    if (this.closed || this.ending || this.upgraded) return;
    this.ending = true;
    if (!this.writing) void this.shutdown();
  }

  destroy(): void {
    this.close(undefined);
  }

  /**
   * The server side is relayed to a private TLS listener (the module comment), which takes the bytes
   * already read too. The client side upgrades in place with `Deno.startTls`, only with no read
   * pending (Deno refuses to upgrade a connection that is being read): `pause()` inside the `data`
   * callback that brought the peer's go-ahead, then call this.
   */
  async startTls(options: { server: TlsServerOptions } | { client: TlsClientOptions }, received?: Uint8Array): Promise<ByteSocket> {
    if (this.closed || this.upgraded) throw new Error("startTls on a closed socket");
    if ("server" in options) return loopbackTls.upgrade(this, received, options.server);
    if (received !== undefined && received.length > 0) throw new Error("Deno.startTls can't replay TLS bytes that were already read");
    const { ca, servername, rejectUnauthorized } = options.client;
    if (rejectUnauthorized === false) throw new Error("Deno cannot skip certificate verification for one connection");
    if (this.reading) throw new Error("startTls while a read is pending: pause() the socket inside its data callback first");
    if (this.writing) await new Promise<void>((resolve) => (this.flushed = resolve));
    this.upgraded = true;
    this.wake();
    const secure = await denoGlobal().startTls(this.conn, {
      hostname: servername ?? this.conn.remoteAddr.hostname,
      ...(ca === undefined ? {} : { caCerts: [ca] }),
    });
    try {
      await secure.handshake();
    } catch (error) {
      secure.close();
      throw asError(error);
    }
    return new DenoByteSocket(secure);
  }

  private wake(): void {
    const wake = this.wakeReader;
    this.wakeReader = undefined;
    wake?.();
  }

  private async readLoop(): Promise<void> {
    const buffer = new Uint8Array(READ_SIZE);
    try {
      for (;;) {
        if (this.closed || this.upgraded) return;
        if (this.inbox.isPaused) {
          await new Promise<void>((resolve) => (this.wakeReader = resolve));
          continue;
        }
        this.reading = true;
        const count = await this.conn.read(buffer);
        this.reading = false;
        if (this.closed) return;
        if (count === null) return this.peerEnded();
        // A copy: the scratch buffer is read into again, and the core may keep the chunk.
        this.inbox.push(buffer.slice(0, count));
      }
    } catch (error) {
      this.reading = false;
      this.close(asError(error));
    }
  }

  private async writeLoop(): Promise<void> {
    this.writing = true;
    try {
      while (!this.queue.isEmpty && !this.closed) {
        const next = this.queue.peek();
        this.queue.consume(await this.conn.write(next));
      }
    } catch (error) {
      this.writing = false;
      this.close(asError(error));
      return;
    }
    this.writing = false;
    const flushed = this.flushed;
    this.flushed = undefined;
    flushed?.();
    if (this.closed) return;
    if (this.ending) {
      void this.shutdown();
    } else if (this.needDrain) {
      this.needDrain = false;
      this.inbox.listener?.drain();
    }
  }

  /** The peer closed its side: like Node (allowHalfOpen false), finish writing, then close. */
  private peerEnded(): void {
    this.peerClosed = true;
    this.ending = true;
    if (!this.writing) this.close(undefined);
  }

  /** After `end()` flushed the queue: FIN, then wait (bounded) for the peer to close its side. */
  private async shutdown(): Promise<void> {
    if (this.closed) return;
    if (!this.started || this.peerClosed) return this.close(undefined);
    try {
      await this.conn.closeWrite();
    } catch {
      return this.close(undefined);
    }
    // The read loop sees the peer's FIN and closes; a peer that never closes is cut off.
    this.lingerTimer = setTimeout(() => this.close(undefined), LINGER_MS);
  }

  private close(error: Error | undefined): void {
    if (this.closed || this.upgraded) return;
    this.closed = true;
    clearTimeout(this.lingerTimer);
    this.queue.clear();
    try {
      this.conn.close();
    } catch {
      // already closed by the runtime
    }
    this.wake();
    this.inbox.close(error);
  }
}

function isListenerClosed(error: unknown): boolean {
  const { BadResource, Interrupted } = denoGlobal().errors;
  return error instanceof BadResource || error instanceof Interrupted;
}

/**
 * The private TLS listener and its links for server-side `startTls` (src/net/loopback-tls.ts). The
 * listener is Node's socket adapter (node:net and node:tls, which Deno implements), not
 * `Deno.listenTls`: the connections that one accepts can't have TCP_NODELAY, and a reply written in
 * two parts then waits ~40 ms (Nagle's algorithm against the relay's delayed ACK of the first).
 */
const loopbackDriver: LoopbackTlsDriver = {
  async listenTls(options, onAccept) {
    // Loaded on first use: node:net and node:tls add ~15 ms to every start-up, TLS or not.
    const { nodeNetwork } = await import("../node/node-network.ts");
    const listener = await nodeNetwork.listen("127.0.0.1", 0, (socket) =>
      onAccept({
        remoteAddress: socket.remoteAddress,
        remotePort: socket.remotePort,
        handshake: () => socket.startTls!({ server: options }),
        destroy: () => socket.destroy(),
      }),
    );
    return { port: listener.port, close: () => void listener.close() };
  },

  async dial(port) {
    const socket = await connectDeno("127.0.0.1", port, 10_000);
    return { socket, localAddress: socket.localAddress, localPort: socket.localPort };
  },
};

const loopbackTls = new LoopbackTlsTerminator(loopbackDriver);

export const denoNetwork: Network = {
  async listen(host: string, port: number, onSocket: (socket: ByteSocket) => void): Promise<SocketListener> {
    const listener = denoGlobal().listen({ hostname: host, port, transport: "tcp" });
    let closed = false;
    void (async () => {
      while (!closed) {
        let conn: DenoConn;
        try {
          conn = await listener.accept();
        } catch (error) {
          if (closed || isListenerClosed(error)) return;
          // EMFILE and the like: back off instead of spinning.
          await new Promise((resolve) => setTimeout(resolve, 100));
          continue;
        }
        onSocket(new DenoByteSocket(conn));
      }
    })();
    return {
      host: listener.addr.hostname,
      port: listener.addr.port,
      close: async () => {
        if (closed) return;
        closed = true;
        listener.close();
      },
    };
  },

  connect(host: string, port: number, timeoutMs = 10_000): Promise<ByteSocket> {
    return connectDeno(host, port, timeoutMs);
  },
};

function connectDeno(host: string, port: number, timeoutMs: number): Promise<DenoByteSocket> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(new Error(`connect to ${host}:${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    denoGlobal()
      .connect({ hostname: host, port, transport: "tcp" })
      .then(
        (conn) => {
          clearTimeout(timer);
          if (timedOut) conn.close();
          else resolve(new DenoByteSocket(conn));
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(new Error(`connect to ${host}:${port} failed: ${asError(error).message}`));
        },
      );
  });
}
