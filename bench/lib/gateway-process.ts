/**
 * The gateway as the sidecar really runs: its own node process (`src/entry/node.ts --config FILE`),
 * so its CPU is not shared with the load generator's event loop.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PRELOAD = fileURLToPath(new URL("./exit-with-parent.ts", import.meta.url));

export interface GatewayProcess {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

export async function startGatewayProcess(
  configFile: string,
  port: number,
  log: (line: string) => void,
  verbose: boolean,
): Promise<GatewayProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--import", PRELOAD, "src/entry/node.ts", "--config", configFile],
    { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] },
  );
  const output: string[] = [];
  const collect = (chunk: Buffer): void => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line === "") continue;
      output.push(line);
      if (output.length > 50) output.shift();
      if (verbose) log(`gateway: ${line}`);
    }
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= stopChild(child, exited));
  try {
    await waitForPort(port, child, 30_000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output.join("\n")}`);
  }
  if (child.pid === undefined) throw new Error("gateway process has no pid");
  return { pid: child.pid, port, stop };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Until a TCP connect to the port succeeds; fails fast if the process dies first. */
async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`gateway process exited (${child.exitCode ?? child.signalCode}) before listening on ${port}`);
    }
    if (await canConnect(port)) return;
    if (Date.now() > deadline) throw new Error(`gateway process not listening on ${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
