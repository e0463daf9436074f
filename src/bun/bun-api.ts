/**
 * The part of Bun's global API that shardgate uses, typed here so `tsc` needs no Bun type package
 * (whose globals would clash with @types/node's and Deno's). Shapes follow bun-types 1.4; only
 * what the adapter and the entrypoint call is declared.
 */

/** A TCP (or, after `upgradeTLS`, TLS) socket; `data` is the per-socket context the handlers see. */
export interface BunSocket<Data> {
  data: Data;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** Unbuffered: returns how many bytes the kernel took (possibly fewer than given), -1 when closed. */
  write(data: Uint8Array, byteOffset?: number, byteLength?: number): number;
  /**
   * Sends FIN and closes the socket as far as the handlers go: later data from the peer is lost,
   * and unread data makes the kernel answer with RST. The adapter uses `shutdown()` instead.
   */
  end(): void;
  /** shutdown(2) of the write side: FIN after what was written; reading goes on until the peer's FIN. */
  shutdown(readSide?: boolean): void;
  /** Closes at once (SO_LINGER 0). */
  terminate(): void;
  pause(): void;
  resume(): void;
  setNoDelay(noDelay?: boolean): boolean;
  upgradeTLS<Upgraded>(options: {
    data?: Upgraded;
    tls: BunTlsOptions;
    socket: BunSocketHandler<Upgraded>;
  }): [raw: BunSocket<Upgraded>, tls: BunSocket<Upgraded>];
}

export interface BunTlsOptions {
  cert?: string;
  key?: string;
  ca?: string;
  serverName?: string;
  rejectUnauthorized?: boolean;
}

/** One set of handlers per listener (or per `Bun.connect`), shared by its sockets. */
export interface BunSocketHandler<Data> {
  binaryType?: "uint8array";
  open?(socket: BunSocket<Data>): void;
  data?(socket: BunSocket<Data>, chunk: Uint8Array): void;
  drain?(socket: BunSocket<Data>): void;
  /** The peer sent FIN. */
  end?(socket: BunSocket<Data>): void;
  close?(socket: BunSocket<Data>, error?: Error): void;
  error?(socket: BunSocket<Data>, error: Error): void;
  connectError?(socket: BunSocket<Data>, error: Error): void;
  handshake?(socket: BunSocket<Data>, success: boolean, authorizationError: Error | null): void;
}

export interface BunSocketOptions<Data> {
  hostname: string;
  port: number;
  socket: BunSocketHandler<Data>;
  /** false (Bun's default) closes the socket when the peer sends FIN, dropping what was not yet sent. */
  allowHalfOpen?: boolean;
  /** A TLS listener (`Bun.listen`): `open` comes at accept, `handshake` once the handshake is done. */
  tls?: BunTlsOptions;
}

export interface BunTcpListener {
  readonly hostname: string;
  readonly port: number;
  /** `true` would also close the open connections; shardgate never asks for that. */
  stop(closeActiveConnections?: boolean): void;
}

export interface BunHttpServer {
  readonly hostname: string;
  readonly port: number;
  stop(closeActiveConnections?: boolean): Promise<void>;
}

export interface BunGlobal {
  readonly version: string;
  readonly argv: readonly string[];
  listen<Data>(options: BunSocketOptions<Data>): BunTcpListener;
  connect<Data>(options: BunSocketOptions<Data>): Promise<BunSocket<Data>>;
  serve(options: { hostname: string; port: number; fetch(request: Request): Promise<Response> }): BunHttpServer;
}

/** Bun's global namespace; throws outside Bun, so a wrong entrypoint fails with a clear message. */
export function bunGlobal(): BunGlobal {
  const bun = (globalThis as { Bun?: BunGlobal }).Bun;
  if (bun === undefined) throw new Error("this module needs the Bun runtime (globalThis.Bun is missing)");
  return bun;
}
