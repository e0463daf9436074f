/**
 * `npm run bench`, last part (alone: `node --import tsx bench/sharded.ts [--time=S] [--warmup=S] [--threads=N]`):
 * statements the gateway plans on the sharded `customer` keyspace (2 shards), against the same
 * statements on one plain MariaDB database holding all the rows, measured in the same run.
 *
 * - sharded point select: `SELECT c FROM sbtest_sharded WHERE id = <n>`, random ids (one shard each);
 * - scatter ORDER BY LIMIT: `SELECT id, c FROM sbtest_sharded WHERE k BETWEEN <a> AND <a+100> ORDER BY c
 *   LIMIT 10` (k is not the vindex: every shard answers, the gateway merges on c's collation weights).
 *
 * The gateway runs in this process (node network adapter), the load is `--threads` mysql2 connections
 * sending COM_QUERY text with the values inlined by mysql2's format, so the gateway parses literals and
 * its plan cache serves every statement after the first. Before measuring, a sample of statements is
 * checked to return the same rows through the gateway and from the plain database.
 */
import mysql from "mysql2/promise";
import { parse, stringify } from "yaml";
import { parseConfig } from "../src/core/config/load-config.ts";
import { Gateway } from "../src/core/gateway.ts";
import { silentLogger } from "../src/core/logger.ts";
import { statementDigest } from "../src/core/sql/digest.ts";
import { nodeNetwork } from "../src/node/node-network.ts";
import { stopOnSignals, type MariaDbServer } from "../src/sandbox/mariadb-server.ts";
import { startSandbox, type Sandbox } from "../src/sandbox/sandbox.ts";
import { parseOptions, USAGE, type BenchOptions } from "./lib/options.ts";
import { formatTable, type Row } from "./lib/report.ts";
import { summarizeSamples, type RunResult } from "./lib/result.ts";
import { APP_ACCOUNT, benchGatewayYaml } from "./lib/setup.ts";
import type { Endpoint } from "./lib/sysbench.ts";

const KEYSPACE = "customer";
const PLAIN_DATABASE = "bench_plain";
const TABLE = "sbtest_sharded";
const ROWS = 20_000;
const INSERT_BATCH = 1000;
const K_SPAN = 100;
const CHECKS = 50;
const GATEWAY_TARGET = "gateway-inproc";
const PLAIN_TARGET = "plain";

const CREATE_TABLE = `CREATE TABLE ${TABLE} (
  id BIGINT PRIMARY KEY,
  k INT NOT NULL,
  c VARCHAR(120) NOT NULL,
  pad CHAR(60) NOT NULL,
  KEY k(k)
) ENGINE=InnoDB`;

interface Workload {
  name: string;
  /** A new statement with fresh random values, as the client sends it. */
  next(): string;
}

const WORKLOADS: readonly Workload[] = [
  {
    name: "sharded point select",
    next: () => mysql.format(`SELECT c FROM ${TABLE} WHERE id = ?`, [randomInt(1, ROWS)]),
  },
  {
    name: "scatter ORDER BY LIMIT",
    next: () => {
      const a = randomInt(1, ROWS - K_SPAN);
      return mysql.format(`SELECT id, c FROM ${TABLE} WHERE k BETWEEN ? AND ? ORDER BY c LIMIT 10`, [a, a + K_SPAN]);
    },
  },
];

function say(line: string): void {
  process.stderr.write(`[bench:sharded] ${line}\n`);
}

function randomInt(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

// Mixed case and accented letters, so that utf8mb4_general_ci order differs from byte order and a
// merge that compared bytes instead of collation weights would return other rows than MariaDB.
const C_ALPHABET = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789éÉèÈàÀüÜöÖ"];

function randomText(width: number, groups: number): string {
  const parts: string[] = [];
  for (let g = 0; g < groups; g++) {
    let part = "";
    for (let i = 0; i < width; i++) part += C_ALPHABET[Math.floor(Math.random() * C_ALPHABET.length)];
    parts.push(part);
  }
  return parts.join("-");
}

type SbtestRow = [id: number, k: number, c: string, pad: string];

function generateRows(): SbtestRow[] {
  const rows: SbtestRow[] = [];
  for (let id = 1; id <= ROWS; id++) rows.push([id, randomInt(1, ROWS), randomText(11, 10), randomText(11, 5)]);
  return rows;
}

async function insertRows(connection: mysql.Connection, rows: readonly SbtestRow[]): Promise<void> {
  for (let first = 0; first < rows.length; first += INSERT_BATCH) {
    await connection.query(`INSERT INTO ${TABLE} (id, k, c, pad) VALUES ?`, [rows.slice(first, first + INSERT_BATCH)]);
  }
  const [result] = await connection.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${TABLE}`);
  const count = Number(result[0]?.["n"]);
  if (count !== rows.length) throw new Error(`${TABLE}: expected ${rows.length} rows, found ${count}`);
}

/** The sandbox's config for an in-process gateway, with the bench table in the sharded keyspace's vschema. */
function gatewayConfigYaml(sandbox: Sandbox, threads: number): string {
  const raw = parse(benchGatewayYaml(sandbox.configYaml, 0, threads)) as Record<string, unknown>;
  const tables = member(member(member(raw, "vschema"), KEYSPACE), "tables");
  tables[TABLE] = { column_vindexes: [{ column: "id", name: "hash" }] };
  return stringify(raw);
}

function member(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = parent[key];
  if (typeof value !== "object" || value === null) throw new Error(`sandbox config: no "${key}" mapping`);
  return value as Record<string, unknown>;
}

async function connectAll(endpoint: Endpoint, count: number): Promise<mysql.Connection[]> {
  const connections: mysql.Connection[] = [];
  try {
    for (let i = 0; i < count; i++) connections.push(await mysql.createConnection({ ...endpoint, connectTimeout: 10_000 }));
  } catch (error) {
    await closeAll(connections);
    throw error;
  }
  return connections;
}

async function closeAll(connections: readonly mysql.Connection[]): Promise<void> {
  await Promise.all(connections.map((connection) => connection.end().catch(() => connection.destroy())));
}

/** Same statements through the gateway and on the plain database must return the same rows, in order. */
async function checkSameRows(gateway: mysql.Connection, plain: mysql.Connection): Promise<void> {
  for (const workload of WORKLOADS) {
    for (let i = 0; i < CHECKS; i++) {
      const sql = workload.next();
      const [expected] = await plain.query<mysql.RowDataPacket[]>(sql);
      const [actual] = await gateway.query<mysql.RowDataPacket[]>(sql).catch((error: unknown) => {
        throw new Error(`${workload.name} through the gateway failed: ${(error as Error).message}\n  statement: ${sql}`, { cause: error });
      });
      if (expected.length === 0) throw new Error(`${workload.name}: no rows on ${PLAIN_DATABASE} for ${sql}`);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        throw new Error(`${workload.name}: the gateway's rows differ from ${PLAIN_DATABASE}'s\n  statement: ${sql}\n  gateway: ${JSON.stringify(actual)}\n  plain:   ${JSON.stringify(expected)}`);
      }
    }
  }
}

/** Every connection sends the workload's statements back to back until `seconds` pass; the first error fails the run. */
async function phase(connections: readonly mysql.Connection[], workload: Workload, target: string, seconds: number, samples: number[] | undefined, signal: AbortSignal): Promise<void> {
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    connections.map(async (connection) => {
      while (performance.now() < deadline && !signal.aborted) {
        const sql = workload.next();
        const t0 = performance.now();
        try {
          await connection.query(sql);
        } catch (error) {
          throw new Error(`${workload.name} -> ${target} failed: ${(error as Error).message}\n  statement: ${sql}`, { cause: error });
        }
        samples?.push(performance.now() - t0);
      }
    }),
  );
}

async function measure(connections: readonly mysql.Connection[], workload: Workload, target: string, options: BenchOptions, signal: AbortSignal): Promise<RunResult> {
  if (options.warmup > 0) await phase(connections, workload, target, options.warmup, undefined, signal);
  signal.throwIfAborted();
  const samples: number[] = [];
  const started = performance.now();
  await phase(connections, workload, target, options.time, samples, signal);
  signal.throwIfAborted();
  const seconds = (performance.now() - started) / 1000;
  return summarizeSamples(samples, seconds);
}

function describe(result: RunResult): string {
  return `${result.qps.toFixed(0)} qps, avg ${result.avgMs.toFixed(3)} ms, p95 ${result.p95Ms.toFixed(3)} ms, p99 ${result.p99Ms.toFixed(3)} ms (${result.queries} queries in ${result.seconds.toFixed(1)} s)`;
}

/** The same rows into the sharded table through the gateway and into the plain one, then the rows check. */
async function loadAndCheck(gatewayEndpoint: Endpoint, plainEndpoint: Endpoint): Promise<void> {
  const data = generateRows();
  const viaGateway = await mysql.createConnection(gatewayEndpoint);
  try {
    const plain = await mysql.createConnection(plainEndpoint);
    try {
      const started = performance.now();
      await viaGateway.query(CREATE_TABLE);
      await insertRows(viaGateway, data);
      say(`${KEYSPACE}.${TABLE}: ${ROWS} rows through the gateway in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      await plain.query(CREATE_TABLE);
      await insertRows(plain, data);
      say(`${PLAIN_DATABASE}.${TABLE}: ${ROWS} rows on ${plainEndpoint.host}:${plainEndpoint.port}`);
      await checkSameRows(viaGateway, plain);
      say(`${CHECKS} statements per workload: same rows through the gateway as on ${PLAIN_DATABASE}`);
    } finally {
      await plain.end();
    }
  } finally {
    await viaGateway.end();
  }
}

function directEndpoint(server: MariaDbServer, database: string): Endpoint {
  return { host: server.host, port: server.port, user: server.user, password: server.password, database };
}

/** What the gateway itself recorded for each workload's statement digest: how it ran it, and where. */
function planSummary(gateway: Gateway): string[] {
  const plans = gateway.plans.list();
  return WORKLOADS.map((workload) => {
    const digest = statementDigest(workload.next());
    const entry = plans.find((candidate) => candidate.keyspace === KEYSPACE && candidate.digest === digest);
    if (entry === undefined) return `${workload.name}: no gateway plan statistics for "${digest}"`;
    return `${workload.name}: plan ${entry.plan}, ${entry.hits} runs, ${entry.errors} errors, shards ${entry.shards.join(" ")}`;
  });
}

async function main(interruption: AbortController): Promise<number> {
  let options: BenchOptions | undefined;
  try {
    // --driver is not used here (mysql2 only); claiming sysbench is installed keeps it from being refused.
    options = parseOptions(process.argv.slice(2), true);
  } catch (error) {
    say((error as Error).message);
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (options === undefined) {
    console.log(USAGE);
    return 0;
  }
  const { signal } = interruption;
  const started = performance.now();
  const cleanup: (() => Promise<void>)[] = [];
  let cleaning: Promise<void> | undefined;
  const tearDown = (): Promise<void> =>
    (cleaning ??= (async () => {
      for (const step of cleanup.reverse()) await step().catch((error: unknown) => say(`cleanup: ${(error as Error).message}`));
    })());
  const removeSignalHandlers = stopOnSignals(async (name) => {
    interruption.abort(new Error(`interrupted by ${name}`));
    await tearDown();
  }, say);

  const rows: Row[] = [];
  let plans: string[] = [];
  try {
    const startupLog: string[] = [];
    const starting = startSandbox({ mysqlPort: 0, adminPort: 0, log: (line) => (options.verbose ? say(`sandbox: ${line}`) : startupLog.push(line)) });
    cleanup.push(async () => (await starting.catch(() => undefined))?.stop());
    const sandbox = await starting.catch((error: unknown) => {
      for (const line of startupLog) say(`sandbox: ${line}`);
      throw error;
    });
    const commerce = sandbox.servers["commerce"];
    if (commerce === undefined) throw new Error("sandbox has no commerce server");
    signal.throwIfAborted();

    const config = parseConfig(gatewayConfigYaml(sandbox, options.threads), { env: process.env, readFile: () => "", baseDir: "." });
    const gateway = await Gateway.start(config, { network: nodeNetwork, logger: silentLogger });
    cleanup.push(() => gateway.close());
    const port = gateway.address.port;
    const shards = sandbox.layout.filter((entry) => entry.keyspace === KEYSPACE).map((entry) => entry.shard);
    say(`sandbox up, gateway in this process on 127.0.0.1:${port}, ${KEYSPACE} shards ${shards.join(" ")}`);

    const gatewayEndpoint: Endpoint = { host: "127.0.0.1", port, user: APP_ACCOUNT.user, password: APP_ACCOUNT.password, database: KEYSPACE };
    const plainEndpoint = directEndpoint(commerce, PLAIN_DATABASE);
    const setup = await mysql.createConnection(directEndpoint(commerce, "commerce"));
    try {
      // The sandbox's own databases' character set, so both sides order c by the same collation.
      await setup.query(`CREATE DATABASE ${PLAIN_DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
    } finally {
      await setup.end();
    }

    await loadAndCheck(gatewayEndpoint, plainEndpoint);

    const targets = [
      { name: PLAIN_TARGET, endpoint: plainEndpoint },
      { name: GATEWAY_TARGET, endpoint: gatewayEndpoint },
    ];
    for (const workload of WORKLOADS) {
      let baseQps: number | undefined;
      for (const target of targets) {
        signal.throwIfAborted();
        say(`${workload.name} -> ${target.name} (${target.endpoint.host}:${target.endpoint.port}) for ${options.warmup}+${options.time} s`);
        const connections = await connectAll(target.endpoint, options.threads);
        try {
          const result = await measure(connections, workload, target.name, options, signal);
          say(`  ${describe(result)}`);
          rows.push({
            workload: workload.name,
            driver: "mysql2",
            target: target.name,
            threads: options.threads,
            result,
            ratio: baseQps === undefined ? undefined : result.qps / baseQps,
          });
          baseQps ??= result.qps;
        } finally {
          await closeAll(connections);
        }
      }
    }
    plans = planSummary(gateway);
  } finally {
    await tearDown();
    removeSignalHandlers();
  }

  console.log("");
  console.log(formatTable(rows));
  console.log("");
  console.log(`ratio = ${GATEWAY_TARGET} qps / ${PLAIN_TARGET} qps, same workload and settings. time ${options.time} s after ${options.warmup} s warm-up, ${options.threads} mysql2 connections, COM_QUERY text with values inlined (mysql2 format).`);
  console.log(`${GATEWAY_TARGET}: gateway in the bench process (shares the load loop's event loop), keyspace ${KEYSPACE} in 2 shards, ${TABLE} sharded by hash(id); ${PLAIN_TARGET}: one MariaDB database (${PLAIN_DATABASE} on the commerce server) holding all ${ROWS} rows.`);
  console.log(`scatter ORDER BY LIMIT: k BETWEEN a AND a+${K_SPAN} (k not the vindex: every shard), ORDER BY c (VARCHAR, utf8mb4_general_ci) LIMIT 10, merged by the gateway.`);
  for (const line of plans) console.log(`gateway plan stats: ${line}`);
  console.log(`--driver, --gateway and --table-size do not apply here; the unsharded oltp_point_select rows above ran against another sandbox in another process.`);
  say(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

const interruption = new AbortController();
main(interruption).then(
  (status) => {
    if (!interruption.signal.aborted) process.exit(status);
  },
  (error: unknown) => {
    if (interruption.signal.aborted) return;
    say(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
