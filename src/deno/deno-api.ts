/**
 * The part of Deno's global namespace that shardgate uses, typed here so `tsc` needs no Deno type
 * declarations (whose globals would clash with @types/node's and Bun's). Shapes follow Deno 2's
 * lib.deno.ns.d.ts; only what the adapter and the entrypoint call is declared.
 */

export interface DenoNetAddr {
  hostname: string;
  port: number;
}

export interface DenoConn {
  readonly remoteAddr: DenoNetAddr;
  readonly localAddr: DenoNetAddr;
  /** Resolves to the bytes read into `buffer`, or null at end of stream. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Resolves to how many bytes were written (possibly fewer than given). */
  write(bytes: Uint8Array): Promise<number>;
  /** Sends FIN; reading goes on until the peer closes. */
  closeWrite(): Promise<void>;
  close(): void;
  /** Only on TCP connections (not on the TLS connection over one). */
  setNoDelay?(noDelay?: boolean): void;
}

export interface DenoTlsConn extends DenoConn {
  handshake(): Promise<unknown>;
}

export interface DenoListener {
  readonly addr: DenoNetAddr;
  accept(): Promise<DenoConn>;
  close(): void;
}

export interface DenoHttpServer {
  readonly addr: DenoNetAddr;
  shutdown(): Promise<void>;
}

export type DenoSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

export interface DenoGlobal {
  readonly args: readonly string[];
  readonly version: { deno: string };
  readonly env: { toObject(): Record<string, string> };
  readonly errors: { BadResource: ErrorConstructor; Interrupted: ErrorConstructor; NotConnected: ErrorConstructor };
  readonly stdout: { writeSync(bytes: Uint8Array): number };
  readonly stderr: { writeSync(bytes: Uint8Array): number };
  listen(options: { hostname: string; port: number; transport: "tcp" }): DenoListener;
  connect(options: { hostname: string; port: number; transport: "tcp" }): Promise<DenoConn>;
  /** Client side only: Deno has no in-place server-side upgrade. */
  startTls(conn: DenoConn, options: { hostname?: string; caCerts?: string[] }): Promise<DenoTlsConn>;
  serve(
    options: { hostname: string; port: number; onListen?(addr: DenoNetAddr): void },
    handler: (request: Request) => Promise<Response>,
  ): DenoHttpServer;
  readTextFileSync(path: string): string;
  cwd(): string;
  addSignalListener(signal: DenoSignal, handler: () => void): void;
  exit(code?: number): never;
}

/** Deno's global namespace; throws outside Deno, so a wrong entrypoint fails with a clear message. */
export function denoGlobal(): DenoGlobal {
  const deno = (globalThis as { Deno?: DenoGlobal }).Deno;
  if (deno === undefined) throw new Error("this module needs the Deno runtime (globalThis.Deno is missing)");
  return deno;
}
