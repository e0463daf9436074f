/**
 * The byte-stream abstraction every runtime adapter implements (Node `net`, Bun, Deno).
 * The core sees only this: chunks in, chunks out, with backpressure both ways.
 */
export interface SocketEvents {
  /** A chunk of bytes as read; the receiver may keep it (adapters never reuse the memory). */
  data(chunk: Uint8Array): void;
  /** The peer is gone or the socket failed; called once. */
  close(error?: Error): void;
  /** Buffered output fell back below the high-water mark after `write` returned false. */
  drain(): void;
}

export interface TlsServerOptions {
  cert: string;
  key: string;
  ca?: string;
}

export interface TlsClientOptions {
  /** PEM; absent: the runtime's default trust store. */
  ca?: string;
  /** The name (or IP address) the certificate must be issued for. */
  servername?: string;
  /** false: encrypt without checking the certificate at all (MySQL's ssl-mode=REQUIRED). */
  rejectUnauthorized?: boolean;
  /** false: check the chain but not the name (MySQL's VERIFY_CA). Default true. */
  checkHostname?: boolean;
}

export interface ByteSocket {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Starts delivering events. Data read before this is held, not lost. */
  listen(events: SocketEvents): void;
  /** Queues the bytes; false once the queue is above the high-water mark (wait for `drain`). */
  write(chunk: Uint8Array): boolean;
  /** Stops / restarts delivering `data` (read-side backpressure). */
  pause(): void;
  resume(): void;
  /** Flushes what is queued, then closes. */
  end(): void;
  /** Closes at once, dropping what is queued. */
  destroy(): void;
  /**
   * Upgrades this socket in place (the MySQL SSLRequest switch); absent when the runtime can't.
   * `received`: bytes already read that belong to the TLS stream (a client's ClientHello that came in
   * the same read as its SSLRequest); an adapter that can't replay them rejects.
   */
  startTls?(options: { server: TlsServerOptions } | { client: TlsClientOptions }, received?: Uint8Array): Promise<ByteSocket>;
}

export interface SocketListener {
  readonly host: string;
  readonly port: number;
  /** Stops accepting; existing sockets stay open. */
  close(): Promise<void>;
}

/** What a runtime provides to the core: listening and dialling TCP with TCP_NODELAY on. */
export interface Network {
  /**
   * Set when accepted sockets can't `startTls({ server })` on this runtime: why not. The gateway then
   * refuses to start with `listen.tls` configured rather than fail every client's SSLRequest.
   */
  readonly serverTlsUnsupported?: string;
  listen(host: string, port: number, onSocket: (socket: ByteSocket) => void): Promise<SocketListener>;
  connect(host: string, port: number, timeoutMs?: number): Promise<ByteSocket>;
}
