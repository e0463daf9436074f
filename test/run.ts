/**
 * The test runner behind `npm test`: starts the MariaDB sandbox once, hands its description to the
 * test processes through SHARDGATE_TEST_ENV, runs the test files under each selected runtime, stops
 * the sandbox and exits with the first failing runtime's status.
 *
 *   npm test                                  all test/unit then test/integration files
 *   npm test -- test/unit/x.test.ts           only these files
 *   npm test -- --test-name-pattern=handshake arguments starting with "-" go to the test command
 *   SHARDGATE_TEST_RUNTIMES=node npm test     comma-separated runtimes (only "node" so far)
 *   SHARDGATE_SANDBOX_VERBOSE=1 npm test      print the sandbox's start-up log
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { constants } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stopOnSignals } from "../src/sandbox/mariadb-server.ts";
import { startSandbox, type Sandbox } from "../src/sandbox/sandbox.ts";
import { TEST_ENV_VARIABLE, type TestBackends } from "./support/test-env.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TEST_DIRS = ["test/unit", "test/integration"];

interface Runtime {
  name: string;
  /** argv (program first) running `files` with the runtime's test runner. */
  command(files: readonly string[], flags: readonly string[]): string[];
}

// Bun and Deno join this list later: their test runners take the same node:test files.
const RUNTIMES: readonly Runtime[] = [
  {
    name: "node",
    command: (files, flags) => [process.execPath, "--import", "tsx", "--test", "--test-reporter=spec", ...flags, ...files],
  },
];

function say(line: string): void {
  process.stderr.write(`[test/run] ${line}\n`);
}

function defaultTestFiles(): string[] {
  return TEST_DIRS.flatMap((dir) => {
    const absolute = join(ROOT, dir);
    if (!existsSync(absolute)) return [];
    return readdirSync(absolute)
      .filter((name) => name.endsWith(".test.ts"))
      .sort()
      .map((name) => `${dir}/${name}`);
  });
}

function selectRuntimes(): Runtime[] {
  const wanted = (process.env.SHARDGATE_TEST_RUNTIMES ?? "node").split(",").map((name) => name.trim());
  return wanted
    .filter((name) => name !== "")
    .map((name) => {
      const runtime = RUNTIMES.find((candidate) => candidate.name === name);
      if (runtime === undefined) {
        throw new Error(`unknown runtime ${name} in SHARDGATE_TEST_RUNTIMES; known: ${RUNTIMES.map((r) => r.name).join(", ")}`);
      }
      return runtime;
    });
}

/** What tests read back through getTestBackends(). */
function describeSandbox(sandbox: Sandbox): TestBackends {
  const servers: TestBackends["servers"] = {};
  for (const entry of sandbox.layout) {
    const server = sandbox.servers[entry.server];
    if (server === undefined) continue;
    const { host, port, user, password, socketPath } = server;
    const { database, keyspace, shard } = entry;
    servers[entry.server] = { host, port, user, password, socketPath, database, keyspace, shard };
  }
  return { servers, configYaml: sandbox.configYaml, templateDir: join(sandbox.baseDir, ".template") };
}

function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0));
}

let current: ChildProcess | undefined;
let interruptedBy: NodeJS.Signals | undefined;

function runTests(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [program, ...args] = argv;
  if (program === undefined) return Promise.resolve(1);
  return new Promise((resolvePromise) => {
    const child = spawn(program, args, { cwd: ROOT, env, stdio: "inherit" });
    current = child;
    child.on("error", (error) => {
      say(`cannot run ${program}: ${error.message}`);
      resolvePromise(127);
    });
    child.on("exit", (code, signal) => {
      current = undefined;
      resolvePromise(exitStatus(code, signal));
    });
  });
}

/** On a signal: let the running tests end (bounded), then the sandbox goes. */
async function interruptTests(): Promise<void> {
  const child = current;
  if (child === undefined || child.exitCode !== null) return;
  const exited = new Promise((resolvePromise) => child.once("exit", resolvePromise));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const flags = args.filter((arg) => arg.startsWith("-"));
  const named = args.filter((arg) => !arg.startsWith("-")).map((file) => relative(ROOT, resolve(file)));
  const files = named.length > 0 ? named : defaultTestFiles();
  if (files.length === 0) {
    say(`no test files found in ${TEST_DIRS.join(", ")}`);
    return 1;
  }
  let runtimes: Runtime[];
  try {
    runtimes = selectRuntimes();
  } catch (error) {
    say((error as Error).message);
    return 2;
  }

  const verbose = process.env.SHARDGATE_SANDBOX_VERBOSE === "1";
  const startupLog: string[] = [];
  const started = performance.now();
  // Listen ports 0: tests start their own gateways from this config.
  const starting = startSandbox({
    mysqlPort: 0,
    adminPort: 0,
    log: (line) => (verbose ? say(`sandbox: ${line}`) : startupLog.push(line)),
  });
  // Installed before the sandbox is up: a signal during start-up waits for it, then stops it.
  const removeSignalHandlers = stopOnSignals(async (signal) => {
    interruptedBy = signal;
    await interruptTests();
    await (await starting.catch(() => undefined))?.stop();
  }, say);
  let sandbox: Sandbox;
  try {
    sandbox = await starting;
  } catch (error) {
    removeSignalHandlers();
    for (const line of startupLog) say(`sandbox: ${line}`);
    say(`could not start the MariaDB sandbox: ${(error as Error).message}`);
    return 1;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const ports = Object.values(sandbox.servers).map((server) => `${server.name}:${server.port}`);
  say(`sandbox: ${ports.length} MariaDB servers ready in ${seconds} s (${ports.join(", ")})`);

  let status = 0;
  try {
    const envFile = join(sandbox.baseDir, "test-env.json");
    await writeFile(envFile, JSON.stringify(describeSandbox(sandbox), null, 2));
    const env = { ...process.env, [TEST_ENV_VARIABLE]: envFile };
    for (const runtime of runtimes) {
      if (interruptedBy !== undefined) break;
      say(`${runtime.name}: ${files.length} test file(s)`);
      const runtimeStatus = await runTests(runtime.command(files, flags), env);
      if (runtimeStatus !== 0) say(`${runtime.name}: exit status ${runtimeStatus}`);
      if (status === 0) status = runtimeStatus;
    }
  } finally {
    await sandbox.stop();
    removeSignalHandlers();
  }
  // The signal handler exits too; both must agree on the status.
  return interruptedBy === undefined ? status : exitStatus(null, interruptedBy);
}

main().then(
  (status) => process.exit(status),
  (error: unknown) => {
    say(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
