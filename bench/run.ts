/**
 * `npm run bench -- [--time=S] [--threads=N] [--driver=sysbench|mysql2|both] [--gateway=process|inproc|both]`
 *
 * One run: starts the MariaDB sandbox, loads a sysbench table into `commerce`, then runs the
 * oltp_point_select workload straight at the commerce backend and through the gateway (in its own
 * process, and in this process), same settings, and prints QPS and latency per target with the
 * gateway/direct ratio. Everything it starts is stopped on success, failure and signals.
 * Then the same workload with server-side prepared statements (sysbench --db-ps-mode=auto, mysql2
 * execute()), straight and through the first gateway mode, as a row of its own.
 *
 * The SQL classifier micro-bench is a separate script (it runs at import, exports nothing):
 * `node --import tsx bench/sql-classify.bench.ts`.
 */
import { writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../src/core/config/load-config.ts";
import { Gateway } from "../src/core/gateway.ts";
import { silentLogger } from "../src/core/logger.ts";
import { nodeNetwork } from "../src/node/node-network.ts";
import { stopOnSignals } from "../src/sandbox/mariadb-server.ts";
import { startSandbox, type Sandbox } from "../src/sandbox/sandbox.ts";
import { startGatewayProcess } from "./lib/gateway-process.ts";
import { runMysql2Load } from "./lib/mysql2-load.ts";
import { parseOptions, USAGE, type BenchOptions, type Driver, type GatewayMode } from "./lib/options.ts";
import { formatTable, type Row } from "./lib/report.ts";
import type { RunResult } from "./lib/result.ts";
import { findFreePort } from "../src/sandbox/mariadb-server.ts";
import { APP_ACCOUNT, benchGatewayYaml, NATIVE_ACCOUNT, prepareTable, TABLE, type GatewayAccount } from "./lib/setup.ts";
import { killSysbench, runSysbench, sysbenchVersion, type Endpoint } from "./lib/sysbench.ts";

const WORKLOAD = "oltp_point_select";
const DATABASE = "commerce";
const TARGET_NAMES: Record<GatewayMode, string> = { process: "gateway", inproc: "gateway-inproc" };

/** Set by a signal: the signal handler then owns the exit (after teardown), with 128+signal. */
let interruptedBy: NodeJS.Signals | undefined;
/** Aborted by a signal: load loops end, no further step starts. */
const interruption = new AbortController();

function say(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

/** Stop functions run newest first, once, whoever asks first (main's finally or a signal). */
class Teardown {
  private readonly steps: (() => Promise<void>)[] = [];
  private done: Promise<void> | undefined;
  /** After run() began (a signal came mid-start), the step runs at once: nothing is left behind. */
  add(step: () => Promise<void>): void {
    if (this.done === undefined) this.steps.push(step);
    else void step().catch((error: unknown) => say(`cleanup: ${(error as Error).message}`));
  }
  run(): Promise<void> {
    return (this.done ??= (async () => {
      for (const step of this.steps.reverse()) {
        await step().catch((error: unknown) => say(`cleanup: ${(error as Error).message}`));
      }
    })());
  }
}

const PS_WORKLOAD = `${WORKLOAD} (ps)`;

async function measure(driver: Driver, endpoint: Endpoint, options: BenchOptions, prepared: boolean): Promise<RunResult> {
  interruption.signal.throwIfAborted();
  const common = { endpoint, threads: options.threads, tableSize: options.tableSize, prepared };
  if (driver === "mysql2") {
    return runMysql2Load({ ...common, seconds: options.time, warmupSeconds: options.warmup, signal: interruption.signal });
  }
  if (options.warmup > 0) await runSysbench({ ...common, seconds: options.warmup });
  interruption.signal.throwIfAborted();
  return runSysbench({ ...common, seconds: options.time });
}

/** Client errors that mean "this auth plugin did not work" (MySQL/MariaDB client error codes). */
const AUTH_FAILURE = /caching_sha2|auth(entication)? plugin|2059|2061|1045|Access denied|public key/i;

/**
 * Measures through the gateway as the sandbox's `app` account (caching_sha2_password); a client
 * library that cannot do that plugin gets NATIVE_ACCOUNT instead, remembered per driver.
 */
async function measureGateway(
  driver: Driver,
  port: number,
  accounts: Map<Driver, GatewayAccount>,
  options: BenchOptions,
  prepared: boolean,
): Promise<RunResult> {
  const account = accounts.get(driver) ?? APP_ACCOUNT;
  const endpoint = (use: GatewayAccount): Endpoint =>
    ({ host: "127.0.0.1", port, user: use.user, password: use.password, database: DATABASE });
  try {
    return await measure(driver, endpoint(account), options, prepared);
  } catch (error) {
    if (account !== APP_ACCOUNT || !AUTH_FAILURE.test((error as Error).message)) throw error;
    say(`${driver}: ${APP_ACCOUNT.user} (${APP_ACCOUNT.plugin}) failed, retrying as ${NATIVE_ACCOUNT.user} (${NATIVE_ACCOUNT.plugin}): ${(error as Error).message.split("\n")[0]}`);
    accounts.set(driver, NATIVE_ACCOUNT);
    return measure(driver, endpoint(NATIVE_ACCOUNT), options, prepared);
  }
}

function describe(result: RunResult): string {
  return `${result.qps.toFixed(0)} qps, avg ${result.avgMs.toFixed(3)} ms, p95 ${result.p95Ms.toFixed(3)} ms, p99 ${result.p99Ms.toFixed(3)} ms (${result.queries} queries in ${result.seconds.toFixed(1)} s)`;
}

async function main(): Promise<number> {
  const sysbench = sysbenchVersion();
  let options: BenchOptions | undefined;
  try {
    options = parseOptions(process.argv.slice(2), sysbench !== undefined);
  } catch (error) {
    say((error as Error).message);
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (options === undefined) {
    console.log(USAGE);
    return 0;
  }

  const teardown = new Teardown();
  const removeSignalHandlers = stopOnSignals(async (signal) => {
    interruptedBy = signal;
    interruption.abort(new Error(`interrupted by ${signal}`));
    killSysbench();
    await teardown.run();
  }, say);
  const started = performance.now();
  const loadAtStart = loadavg();
  const rows: Row[] = [];
  const accounts = new Map<Driver, GatewayAccount>();
  try {
    const startupLog: string[] = [];
    const starting = startSandbox({
      mysqlPort: 0,
      adminPort: 0,
      log: (line) => (options.verbose ? say(`sandbox: ${line}`) : startupLog.push(line)),
    });
    teardown.add(async () => (await starting.catch(() => undefined))?.stop());
    let sandbox: Sandbox;
    try {
      sandbox = await starting;
    } catch (error) {
      for (const line of startupLog) say(`sandbox: ${line}`);
      throw error;
    }
    const backend = sandbox.servers[DATABASE];
    if (backend === undefined) throw new Error(`sandbox has no ${DATABASE} server`);
    say(`sandbox up: ${Object.values(sandbox.servers).map((s) => `${s.name}:${s.port}`).join(", ")}`);
    await prepareTable(backend, DATABASE, options.tableSize);
    say(`${DATABASE}.${TABLE}: ${options.tableSize} rows`);

    const direct: Endpoint = { host: backend.host, port: backend.port, user: backend.user, password: backend.password, database: DATABASE };
    const directQps = new Map<string, number>();
    for (const driver of options.drivers) {
      for (const prepared of [false, true]) {
        const workload = prepared ? PS_WORKLOAD : WORKLOAD;
        say(`${driver} ${workload} -> direct (${backend.host}:${backend.port}) for ${options.warmup}+${options.time} s`);
        const result = await measure(driver, direct, options, prepared);
        say(`  ${describe(result)}`);
        directQps.set(`${driver}:${workload}`, result.qps);
        rows.push({ workload, driver, target: "direct", threads: options.threads, result, ratio: undefined });
      }
    }

    for (const mode of options.gateways) {
      interruption.signal.throwIfAborted();
      let port: number;
      let stop: () => Promise<void>;
      if (mode === "process") {
        port = await findFreePort();
        const file = join(sandbox.baseDir, "bench-gateway.yaml");
        await writeFile(file, benchGatewayYaml(sandbox.configYaml, port, options.threads));
        const child = await startGatewayProcess(file, port, say, options.verbose);
        say(`gateway process pid ${child.pid} on 127.0.0.1:${port}`);
        stop = child.stop;
      } else {
        const text = benchGatewayYaml(sandbox.configYaml, 0, options.threads);
        const config = parseConfig(text, { env: process.env, readFile: () => "", baseDir: "." });
        const gateway = await Gateway.start(config, { network: nodeNetwork, logger: silentLogger });
        port = gateway.address.port;
        say(`gateway in this process on 127.0.0.1:${port}`);
        stop = () => gateway.close();
      }
      teardown.add(stop);
      // Prepared statements through the first gateway mode only: the default bench stays near 90 s.
      const workloads = mode === options.gateways[0] ? [false, true] : [false];
      for (const driver of options.drivers) {
        for (const prepared of workloads) {
          const workload = prepared ? PS_WORKLOAD : WORKLOAD;
          say(`${driver} ${workload} -> ${TARGET_NAMES[mode]} (127.0.0.1:${port}) for ${options.warmup}+${options.time} s`);
          const result = await measureGateway(driver, port, accounts, options, prepared);
          say(`  ${describe(result)}`);
          const base = directQps.get(`${driver}:${workload}`);
          rows.push({
            workload,
            driver,
            target: TARGET_NAMES[mode],
            threads: options.threads,
            result,
            ratio: base === undefined ? undefined : result.qps / base,
          });
        }
      }
      await stop();
    }
  } finally {
    await teardown.run();
    removeSignalHandlers();
  }

  const cpu = cpus();
  const used = options.drivers.map((driver) => {
    const account = accounts.get(driver) ?? APP_ACCOUNT;
    return `${driver} as ${account.user} (${account.plugin})`;
  });
  console.log("");
  console.log(formatTable(rows));
  console.log("");
  console.log(`ratio = gateway qps / direct qps (same driver, same settings). time ${options.time} s after ${options.warmup} s warm-up, ${options.tableSize} rows, uniform random ids.`);
  console.log(`${WORKLOAD}: text protocol (COM_QUERY; sysbench --db-ps-mode=disable); ${PS_WORKLOAD}: binary protocol (COM_STMT_EXECUTE; sysbench --db-ps-mode=auto, mysql2 execute()), through ${TARGET_NAMES[options.gateways[0]!]} only.`);
  console.log(`gateway = separate node process (src/entry/node.ts); gateway-inproc = in the bench process${options.drivers.includes("mysql2") ? ", sharing the mysql2 load loop's event loop" : ""}.`);
  console.log(`gateway accounts: ${used.join(", ")}; direct: the sandbox's shardgate account (mysql_native_password).`);
  console.log(`client, gateway and 3 MariaDB servers share this machine: ${cpu.length} x ${cpu[0]?.model.trim() ?? "?"}, 1-min load avg ${loadAtStart[0]?.toFixed(2)} at start, ${loadavg()[0]?.toFixed(2)} at end, node ${process.version}${sysbench === undefined ? "" : `, ${sysbench}`}.`);
  console.log("noise: these machines are shared, absolute figures move between runs; compare ratios within one run.");
  console.log("classifier micro-bench (separate script): node --import tsx bench/sql-classify.bench.ts");
  say(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

main().then(
  (status) => {
    if (interruptedBy === undefined) process.exit(status);
  },
  (error: unknown) => {
    if (interruptedBy !== undefined) return;
    say(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
