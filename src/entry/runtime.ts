/**
 * What an entrypoint (src/entry/node.ts, bun.ts, deno.ts) hands the runtime-agnostic CLI in main.ts:
 * the runtime's sockets, arguments, environment, files, signals, exit and output. Each entrypoint
 * builds one from its runtime's own APIs; nothing else in the CLI touches a runtime global.
 */
import type { Network } from "../core/socket.ts";
import type { ServeHttp } from "../net/http-server.ts";

/** SIGINT/SIGTERM stop the gateway; SIGHUP reloads its config file. */
export type HandledSignal = "SIGINT" | "SIGTERM" | "SIGHUP";

export interface Runtime {
  /** "node", "bun" or "deno" with its version, for the start-up log. */
  readonly name: string;
  readonly version: string;
  /** Client and backend sockets: the runtime's own adapter (src/node, src/bun, src/deno). */
  readonly network: Network;
  /** Command-line arguments after the script name. */
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a UTF-8 file, synchronously: config section files are read while the config is parsed. */
  readTextFile(path: string): string;
  cwd(): string;
  onSignal(signal: HandledSignal, handler: () => void): void;
  exit(code: number): never;
  stdout(text: string): void;
  stderr(text: string): void;
  /** The admin API's server (`listen.admin`): Bun.serve, Deno.serve, @hono/node-server on Node. */
  readonly serveHttp: ServeHttp;
}
