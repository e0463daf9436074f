/**
 * Per-runtime benchmark of the sidecar as it really runs (its own process, started from its
 * entrypoint with a config): cold start and point-select throughput on Node, Bun and Deno.
 *
 *   node --import tsx bench/runtimes.ts [--runtimes=node,bun,deno] [--starts=5]
 *        [--seconds=5] [--connections=8]
 *
 * - cold start: from spawning the entrypoint to the first MySQL handshake read on a new TCP
 *   connection (the gateway accepted and greeted a client); the median of `--starts` starts.
 * - QPS: `--connections` mysql2 connections in this (Node) process send
 *   `SELECT description, price FROM product WHERE sku = ?` (COM_QUERY, id escaped client-side) back to
 *   back for `--seconds` after a 1 s warm-up, through the gateway to one sandbox MariaDB server; the
 *   same loop straight to that server is the baseline. Client, gateway and server share this machine's
 *   cores, so compare the runtimes with each other, not with other machines.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import mysql from "mysql2/promise";
import { parse, stringify } from "yaml";
import { findFreePort, stopOnSignals } from "../src/sandbox/mariadb-server.ts";
import { startSandbox } from "../src/sandbox/sandbox.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "node_modules", ".bin");
const COMMANDS: Record<string, (config: string) => string[]> = {
  node: (config) => [process.execPath, "--import", "tsx", "src/entry/node.ts", "--config", config],
  bun: (config) => [join(BIN, "bun"), "src/entry/bun.ts", "--config", config],
  deno: (config) => [join(BIN, "deno"), "run", "-A", "src/entry/deno.ts", "--config", config],
};
const SQL = "SELECT description, price FROM product WHERE sku = ?";
const SKUS = ["SKU-1001", "SKU-1002", "SKU-1003", "SKU-1004"];

const { values } = parseArgs({
  options: {
    runtimes: { type: "string", default: "node,bun,deno" },
    starts: { type: "string", default: "5" },
    seconds: { type: "string", default: "5" },
    connections: { type: "string", default: "8" },
  },
});
const runtimes = values.runtimes.split(",").filter((name) => name !== "");
for (const name of runtimes) if (!(name in COMMANDS)) throw new Error(`unknown runtime ${name}; known: ${Object.keys(COMMANDS).join(", ")}`);
const starts = Number(values.starts);
const seconds = Number(values.seconds);
const connections = Number(values.connections);

/** Resolves once a new TCP connection to `port` reads a MySQL handshake v10 packet. */
function handshakeOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once("error", () => done(false));
    // Packet header (3 bytes length, 1 byte sequence id) then the protocol version, 10.
    socket.once("data", (chunk: Buffer) => done(chunk.length >= 5 && chunk[4] === 10));
  });
}

interface Gateway {
  child: ChildProcess;
  coldStartMs: number;
  stop(): Promise<void>;
}

async function startGateway(runtime: string, config: string, port: number): Promise<Gateway> {
  const [program, ...args] = COMMANDS[runtime]!(config);
  let output = "";
  const started = performance.now();
  const child = spawn(program!, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let alive = true;
  void exited.then(() => (alive = false));
  while (!(await handshakeOnce(port))) {
    if (!alive) throw new Error(`${runtime} gateway exited during start-up:\n${output}`);
    if (performance.now() - started > 30_000) throw new Error(`${runtime} gateway not up after 30 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const coldStartMs = performance.now() - started;
  return {
    child,
    coldStartMs,
    async stop() {
      if (alive) child.kill("SIGTERM");
      await exited;
    },
  };
}

interface Load {
  qps: number;
  p50Ms: number;
  p99Ms: number;
}

async function pointSelects(port: number, user: string, password: string, database: string): Promise<Load> {
  const pool = await Promise.all(
    Array.from({ length: connections }, () => mysql.createConnection({ host: "127.0.0.1", port, user, password, database })),
  );
  try {
    const run = async (ms: number, samples: number[] | undefined) => {
      const deadline = performance.now() + ms;
      await Promise.all(
        pool.map(async (connection, n) => {
          for (let i = n; performance.now() < deadline; i++) {
            const begun = performance.now();
            const [rows] = await connection.query<mysql.RowDataPacket[]>(SQL, [SKUS[i % SKUS.length]]);
            if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}`);
            samples?.push(performance.now() - begun);
          }
        }),
      );
    };
    await run(1000, undefined);
    const samples: number[] = [];
    const begun = performance.now();
    await run(seconds * 1000, samples);
    const elapsed = (performance.now() - begun) / 1000;
    samples.sort((a, b) => a - b);
    const at = (p: number) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))] ?? NaN;
    return { qps: samples.length / elapsed, p50Ms: at(50), p99Ms: at(99) };
  } finally {
    await Promise.all(pool.map((connection) => connection.end().catch(() => connection.destroy())));
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (n: number, digits = 0) => n.toFixed(digits).padStart(8);

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "shardgate-bench-runtimes-"));
  const sandbox = await startSandbox({ mysqlPort: 0, adminPort: 0 });
  const removeSignalHandlers = stopOnSignals(async () => {
    await sandbox.stop();
    await rm(dir, { recursive: true, force: true });
  });
  try {
    const commerce = sandbox.servers.commerce!;
    const direct = await pointSelects(commerce.port, commerce.user, commerce.password, "commerce");
    const rows: string[] = [];
    for (const runtime of runtimes) {
      const port = await findFreePort();
      const raw = parse(sandbox.configYaml) as Record<string, unknown>;
      raw.listen = { mysql: `127.0.0.1:${port}` };
      raw.log = { level: "warn" };
      const config = join(dir, `${runtime}.yaml`);
      await writeFile(config, stringify(raw));
      const coldStarts: number[] = [];
      let load: Load | undefined;
      for (let i = 0; i < starts; i++) {
        const gateway = await startGateway(runtime, config, port);
        coldStarts.push(gateway.coldStartMs);
        try {
          if (i === starts - 1) load = await pointSelects(port, "app", "app-secret", "commerce");
        } finally {
          await gateway.stop();
        }
      }
      const line = `${runtime.padEnd(8)}${fmt(median(coldStarts))}${fmt(Math.min(...coldStarts))}${fmt(load!.qps)}${fmt(load!.p50Ms, 2)}${fmt(load!.p99Ms, 2)}`;
      process.stderr.write(`${line}\n`);
      rows.push(line);
    }
    console.log(`\nshardgate per runtime: ${connections} mysql2 connections, ${seconds} s point selects, ${starts} cold starts\n`);
    console.log(`${"runtime".padEnd(8)}${"start ms".padStart(8)}${"min ms".padStart(8)}${"QPS".padStart(8)}${"p50 ms".padStart(8)}${"p99 ms".padStart(8)}`);
    for (const row of rows) console.log(row);
    console.log(`${"direct".padEnd(8)}${"-".padStart(8)}${"-".padStart(8)}${fmt(direct.qps)}${fmt(direct.p50Ms, 2)}${fmt(direct.p99Ms, 2)}   (mysql2 straight to MariaDB)`);
  } finally {
    removeSignalHandlers();
    await sandbox.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
