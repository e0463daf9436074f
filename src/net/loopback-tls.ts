/**
 * Server-side TLS for runtimes whose own API can't take over an accepted socket once bytes were read
 * from it (Bun's `upgradeTLS` can't be handed them, Deno's `startTls` is a client): an in-process
 * loopback TLS terminator. Runtime-agnostic; src/bun/ and src/deno/ supply the two primitives it needs.
 *
 * MySQL's SSLRequest switch upgrades a connection in place, and the client sends its ClientHello right
 * behind the SSLRequest, mostly in the same read. So instead of upgrading the accepted socket, the
 * adapter keeps it plain and relays its raw bytes (first those already read) over a TCP connection to a
 * private TLS listener on 127.0.0.1 that only this process dials. The plaintext socket that listener
 * accepts is what `startTls` resolves with:
 *
 *     client ──TCP── accepted socket ══relay══ link ──TCP (loopback)── private TLS listener ── plaintext
 *
 * The listener tells the relays' links apart by their remote address and port (the links' local ones);
 * a connection that is no link of this process is dropped before anything is read from it. A listener
 * (one per set of server options: a reload may bring a new certificate) is opened by the first upgrade
 * that needs it and closed as soon as no upgrade waits for it to accept a link: it is there only while
 * upgrades are under way, and the connections it accepted stay open without it.
 */
import type { ByteSocket, SocketEvents, TlsServerOptions } from "../core/socket.ts";

/** From the SSLRequest to the end of the TLS handshake, as the core's own handshake timeout. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** A connection the private TLS listener accepted, nothing read from it yet. */
export interface TlsTerminal {
  /** Who connected: a link's local address and port. */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /**
   * Runs (or, where the runtime runs it by itself, waits for) the server side of the TLS handshake;
   * resolves with the plaintext socket, rejects when it fails or the connection closes first.
   */
  handshake(): Promise<ByteSocket>;
  destroy(): void;
}

export interface PrivateTlsListener {
  readonly port: number;
  close(): void;
}

/** What a runtime adapter provides: a TLS listener and a plain TCP connect, on loopback. */
export interface LoopbackTlsDriver {
  /**
   * A TLS listener on 127.0.0.1, a free port, with TCP_NODELAY on what it accepts. Each accepted
   * connection goes to `onAccept` as soon as it is accepted, before its handshake.
   */
  listenTls(options: TlsServerOptions, onAccept: (terminal: TlsTerminal) => void): Promise<PrivateTlsListener>;
  /** A plain TCP connection to 127.0.0.1:`port`, with its local address and port. */
  dial(port: number): Promise<{ socket: ByteSocket; localAddress: string; localPort: number }>;
}

/** One private listener and the upgrades waiting for it to accept their links. */
class Endpoint {
  readonly listener: Promise<PrivateTlsListener>;
  /** Upgrades from their start to the match of their link: the listener stays open while any is. */
  users = 0;
  /** Links being dialled: until they are connected, an unknown connection may be one of them. */
  private dialling = 0;
  /** Links connected and waiting for the listener to accept them, by "address:port". */
  private readonly waiting = new Map<string, (terminal: TlsTerminal) => void>();
  /** Accepted while their link's dial had not resolved yet. */
  private readonly early = new Map<string, TlsTerminal>();

  constructor(driver: LoopbackTlsDriver, options: TlsServerOptions) {
    this.listener = driver.listenTls(options, (terminal) => this.accepted(terminal));
    this.listener.catch(() => {}); // the upgrades that await it report the failure
  }

  private accepted(terminal: TlsTerminal): void {
    const key = `${terminal.remoteAddress}:${terminal.remotePort}`;
    const waiter = this.waiting.get(key);
    if (waiter !== undefined) {
      this.waiting.delete(key);
      waiter(terminal);
    } else if (this.dialling > 0) {
      this.early.set(key, terminal);
    } else {
      terminal.destroy(); // no link of this process
    }
  }

  /**
   * Dials a link to the listener; resolves with it and with the listener's end of it to come. The
   * match is registered in the same step as the dial resolves, so no accept can slip in between.
   */
  async dial(driver: LoopbackTlsDriver): Promise<{ link: ByteSocket; accepted: Promise<TlsTerminal>; cancel(): void }> {
    this.dialling++;
    let connected;
    let key: string;
    let early: TlsTerminal | undefined;
    try {
      connected = await driver.dial((await this.listener).port);
      key = `${connected.localAddress}:${connected.localPort}`;
      early = this.early.get(key);
      this.early.delete(key);
    } finally {
      this.dialling--;
      if (this.dialling === 0) {
        // Every link of this process is connected, matched or waiting: the rest came from elsewhere.
        for (const stranger of this.early.values()) stranger.destroy();
        this.early.clear();
      }
    }
    if (early !== undefined) return { link: connected.socket, accepted: Promise.resolve(early), cancel: () => {} };
    const accepted = new Promise<TlsTerminal>((resolve) => this.waiting.set(key, resolve));
    return { link: connected.socket, accepted, cancel: () => this.waiting.delete(key) };
  }
}

export class LoopbackTlsTerminator {
  private readonly endpoints = new Map<string, Endpoint>();

  constructor(private readonly driver: LoopbackTlsDriver) {}

  /**
   * The server side of a TLS upgrade of `client` (an accepted socket, paused or not): resolves with
   * the plaintext socket once the handshake is done. `received`: bytes already read from `client` that
   * belong to the TLS stream. From here on `client`'s events belong to the relay; on failure, `client`
   * is destroyed.
   */
  async upgrade(client: ByteSocket, received: Uint8Array | undefined, options: TlsServerOptions): Promise<ByteSocket> {
    const key = JSON.stringify([options.cert, options.key, options.ca ?? null]);
    let endpoint = this.endpoints.get(key);
    if (endpoint === undefined) {
      endpoint = new Endpoint(this.driver, options);
      this.endpoints.set(key, endpoint);
    }
    endpoint.users++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      if (--endpoint.users > 0) return;
      if (this.endpoints.get(key) === endpoint) this.endpoints.delete(key);
      endpoint.listener.then((listener) => listener.close(), () => {});
    };
    let link: ByteSocket | undefined;
    let terminal: TlsTerminal | undefined;
    let cancel = () => {};
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const dialled = await endpoint.dial(this.driver);
      link = dialled.link;
      cancel = dialled.cancel;
      let fail: (error: Error) => void = () => {};
      const failed = new Promise<never>((_, reject) => (fail = reject));
      failed.catch(() => {});
      timer = setTimeout(() => fail(new Error(`TLS handshake timed out after ${HANDSHAKE_TIMEOUT_MS} ms`)), HANDSHAKE_TIMEOUT_MS);
      relay(client, link, received, (error) => fail(error ?? new Error("connection closed during the TLS handshake")));
      terminal = await Promise.race([dialled.accepted, failed]);
      release();
      const plain = await Promise.race([terminal.handshake(), failed]);
      return new RelayedSocket(plain, client, link);
    } catch (error) {
      cancel();
      release();
      terminal?.destroy();
      link?.destroy();
      client.destroy();
      throw error instanceof Error ? error : new Error(String(error));
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Raw bytes both ways between `client` and `link`, `received` first, with backpressure: a side whose
 * peer's write queue is full is paused until that queue drains. Either end closing ends the other
 * (after its queue is sent); failing destroys it. `closed` is told the first time either end closes.
 */
function relay(client: ByteSocket, link: ByteSocket, received: Uint8Array | undefined, closed: (error?: Error) => void): void {
  if (received !== undefined && received.length > 0) link.write(received);
  let done = false;
  const pipe = (from: ByteSocket, to: ByteSocket): SocketEvents => ({
    data: (chunk) => {
      if (!to.write(chunk)) from.pause();
    },
    // `from`'s own queue drained: what feeds it may flow again.
    drain: () => to.resume(),
    close: (error) => {
      if (error === undefined) to.end();
      else to.destroy();
      if (done) return;
      done = true;
      closed(error);
    },
  });
  link.listen(pipe(link, client));
  // Takes the client's events over from the core, which paused it after the SSLRequest.
  client.listen(pipe(client, link));
  client.resume();
}

/** The plaintext socket, answering for the client it stands for; destroying it tears the relay down. */
class RelayedSocket implements ByteSocket {
  constructor(
    private readonly plain: ByteSocket,
    private readonly client: ByteSocket,
    private readonly link: ByteSocket,
  ) {}

  get remoteAddress(): string {
    return this.client.remoteAddress;
  }

  get remotePort(): number {
    return this.client.remotePort;
  }

  listen(events: SocketEvents): void {
    this.plain.listen(events);
  }

  write(chunk: Uint8Array): boolean {
    return this.plain.write(chunk);
  }

  pause(): void {
    this.plain.pause();
  }

  resume(): void {
    this.plain.resume();
  }

  /** close_notify and FIN over the link; the relay passes them on and then ends the client. */
  end(): void {
    this.plain.end();
  }

  destroy(): void {
    this.plain.destroy();
    this.link.destroy();
    this.client.destroy();
  }
}
