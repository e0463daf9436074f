/**
 * The test runner behind `npm test`: starts the MariaDB sandbox once, hands its description to the
 * test processes through SHARDGATE_TEST_ENV, runs the test files under each selected runtime, stops
 * the sandbox, prints per runtime how many tests passed and exits with the first failing runtime's
 * status. The runtimes and their commands are in test/runner/runtimes.ts.
 *
 *   npm test                                  all test/unit then test/integration files, on node, bun, deno
 *   npm test -- test/unit/x.test.ts           only these files
 *   npm test -- --test-name-pattern=handshake arguments starting with "-" go to the test command
 *                                             (--test-name-pattern becomes Deno's --filter)
 *   SHARDGATE_TEST_RUNTIMES=node npm test     comma-separated runtimes (default node,bun,deno)
 *   SHARDGATE_SANDBOX_VERBOSE=1 npm test      print the sandbox's start-up log
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { constants } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stopOnSignals } from "../src/sandbox/mariadb-server.ts";
import { startSandbox, type Sandbox } from "../src/sandbox/sandbox.ts";
import { countJunit, formatCounts, type TestCounts } from "./runner/junit-counts.ts";
import { EXCLUSIONS, testRuntimes, type TestRuntime } from "./runner/runtimes.ts";
import { TEST_ENV_VARIABLE, type TestBackends } from "./support/test-env.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TEST_DIRS = ["test/unit", "test/integration"];

const RUNTIMES = testRuntimes(ROOT, process.execPath);

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

function selectRuntimes(): TestRuntime[] {
  const wanted = (process.env.SHARDGATE_TEST_RUNTIMES ?? "node,bun,deno").split(",").map((name) => name.trim());
  return wanted
    .filter((name) => name !== "")
    .map((name) => {
      const runtime = RUNTIMES.find((candidate) => candidate.name === name);
      if (runtime === undefined) {
        throw new Error(`unknown runtime ${name} in SHARDGATE_TEST_RUNTIMES; known: ${RUNTIMES.map((r) => r.name).join(", ")}`);
      }
      if (!existsSync(runtime.program)) throw new Error(`${runtime.program} is missing: run \`npm install\` (Bun and Deno are devDependencies)`);
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

interface RuntimeResult {
  runtime: TestRuntime["name"];
  status: number;
  counts: TestCounts;
  seconds: number;
  excluded: string[];
}

/** Runs the files under one runtime (minus its exclusions) and counts its JUnit report. */
async function runRuntime(runtime: TestRuntime, files: readonly string[], flags: readonly string[], env: NodeJS.ProcessEnv, scratchDir: string): Promise<RuntimeResult> {
  const excluded = EXCLUSIONS.filter((e) => e.runtime === runtime.name && files.includes(e.file));
  for (const e of excluded) say(`${runtime.name}: excluding ${e.file}: ${e.reason}`);
  const selected = files.filter((file) => !excluded.some((e) => e.file === file));
  const junitFile = join(scratchDir, `junit-${runtime.name}.xml`);
  say(`${runtime.name}: ${selected.length} test file(s)`);
  const started = performance.now();
  let status = await runTests([runtime.program, ...runtime.args(selected, flags, junitFile)], env);
  const seconds = (performance.now() - started) / 1000;
  let counts: TestCounts;
  try {
    counts = countJunit(await readFile(junitFile, "utf8"));
  } catch (error) {
    say(`${runtime.name}: no test report (${(error as Error).message})`);
    counts = { passed: 0, failed: 0, skipped: 0, failures: [] };
  }
  if (status !== 0 && counts.failed === 0) {
    // An error outside any test (a file that does not load, an unhandled rejection): one failure.
    say(`${runtime.name}: exit status ${status} with no failed test in its report: see its output above`);
    counts.failed = 1;
    counts.failures.push("(outside any test: see the output above)");
  }
  if (status === 0 && counts.failed > 0) status = 1;
  if (status === 0 && counts.passed === 0) {
    say(`${runtime.name}: no test ran`);
    status = 1;
  }
  say(`${runtime.name}: ${formatCounts(counts)} in ${seconds.toFixed(1)} s${status === 0 ? "" : ` (exit status ${status})`}`);
  return { runtime: runtime.name, status, counts, seconds, excluded: excluded.map((e) => `${e.file} (${e.reason})`) };
}

/** Per runtime "name: N passed, N failed", then the total: the lines CI reads. */
function printSummary(results: readonly RuntimeResult[]): void {
  if (results.length === 0) return;
  const lines = ["", "Test summary:"];
  for (const result of results) {
    for (const failure of result.counts.failures) lines.push(`  ${result.runtime} failed: ${failure}`);
    for (const excluded of result.excluded) lines.push(`  ${result.runtime} excluded: ${excluded}`);
  }
  for (const result of results) lines.push(`${result.runtime}: ${formatCounts(result.counts)}`);
  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const { counts } of results) {
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
  }
  const seconds = results.reduce((sum, result) => sum + result.seconds, 0);
  lines.push(`(${results.map((r) => `${r.runtime} ${r.seconds.toFixed(1)} s`).join(", ")}; ${seconds.toFixed(1)} s in all)`);
  lines.push(`total: ${formatCounts(total)}`);
  process.stdout.write(`${lines.join("\n")}\n`);
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
  let runtimes: TestRuntime[];
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
  const results: RuntimeResult[] = [];
  try {
    const envFile = join(sandbox.baseDir, "test-env.json");
    await writeFile(envFile, JSON.stringify(describeSandbox(sandbox), null, 2));
    const env = { ...process.env, [TEST_ENV_VARIABLE]: envFile };
    for (const runtime of runtimes) {
      if (interruptedBy !== undefined) break;
      const result = await runRuntime(runtime, files, flags, env, sandbox.baseDir);
      results.push(result);
      if (status === 0) status = result.status;
    }
  } finally {
    await sandbox.stop();
    removeSignalHandlers();
  }
  printSummary(results);
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
