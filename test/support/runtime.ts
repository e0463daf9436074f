/**
 * The runtime these tests run on (`npm test` runs them under Node, Bun and Deno in turn) and what
 * goes with it: its own socket adapter for in-process gateways and backend connections, and the
 * command lines that start its entrypoint or a script in a child process.
 */
import type { Network } from "../../src/core/socket.ts";
import type { ServeHttp } from "../../src/net/http-server.ts";

export type RuntimeName = "node" | "bun" | "deno";

// Bun defines `Bun`; Deno defines `Deno` (and, for npm code, `process` too); Node neither.
export const runtimeName: RuntimeName = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";

async function loadAdapters(): Promise<{ network: Network; serveHttp: ServeHttp }> {
  if (runtimeName === "bun") {
    const [{ bunNetwork }, { serveBunHttp }] = await Promise.all([import("../../src/bun/bun-network.ts"), import("../../src/bun/bun-http.ts")]);
    return { network: bunNetwork, serveHttp: serveBunHttp };
  }
  if (runtimeName === "deno") {
    const [{ denoNetwork }, { serveDenoHttp }] = await Promise.all([import("../../src/deno/deno-network.ts"), import("../../src/deno/deno-http.ts")]);
    return { network: denoNetwork, serveHttp: serveDenoHttp };
  }
  const [{ nodeNetwork }, { serveNodeHttp }] = await Promise.all([import("../../src/node/node-network.ts"), import("../../src/node/node-http.ts")]);
  return { network: nodeNetwork, serveHttp: serveNodeHttp };
}

const adapters = await loadAdapters();

/** The current runtime's socket adapter: src/node, src/bun or src/deno. */
export const testNetwork: Network = adapters.network;

/** The current runtime's HTTP server, as its entrypoint serves the admin API. */
export const testServeHttp: ServeHttp = adapters.serveHttp;

/** argv (program first) running the TypeScript file `script` on the current runtime. */
export function scriptCommand(script: string, args: readonly string[] = []): string[] {
  if (runtimeName === "bun") return [process.execPath, script, ...args];
  if (runtimeName === "deno") return [process.execPath, "run", "-A", script, ...args];
  return [process.execPath, "--import", "tsx", script, ...args];
}

/** The current runtime's entrypoint file. */
export const entrypoint = `src/entry/${runtimeName}.ts`;
