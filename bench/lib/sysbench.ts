/**
 * Runs sysbench's oltp_point_select (1.0.x: one `SELECT c FROM sbtest1 WHERE id=?` per event) and
 * parses its report. --db-ps-mode=disable sends COM_QUERY text with the id inlined; with `prepared`,
 * --db-ps-mode=auto prepares the statement once per thread and sends COM_STMT_EXECUTE. --histogram=on gives the whole latency distribution,
 * from which p95 and p99 come (sysbench itself prints a single percentile).
 */
import { execFile, execFileSync } from "node:child_process";
import { histogramPercentile, type RunResult } from "./result.ts";

export interface Endpoint {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export interface SysbenchRun {
  endpoint: Endpoint;
  threads: number;
  seconds: number;
  tableSize: number;
  /** Server-side prepared statements (--db-ps-mode=auto) instead of text queries. */
  prepared?: boolean;
}

/** `sysbench 1.0.20`, or undefined when there is no usable binary. */
export function sysbenchVersion(): string | undefined {
  try {
    return execFileSync("sysbench", ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

function sysbenchArgs(run: SysbenchRun): string[] {
  const { endpoint } = run;
  return [
    "oltp_point_select",
    "--db-driver=mysql",
    `--mysql-host=${endpoint.host}`,
    `--mysql-port=${endpoint.port}`,
    `--mysql-user=${endpoint.user}`,
    `--mysql-password=${endpoint.password}`,
    `--mysql-db=${endpoint.database}`,
    "--mysql-ssl=off",
    "--tables=1",
    `--table-size=${run.tableSize}`,
    `--threads=${run.threads}`,
    `--time=${run.seconds}`,
    "--events=0",
    `--db-ps-mode=${run.prepared ? "auto" : "disable"}`,
    // Uniform ids, like the mysql2 driver; sysbench 1.0's default "special" skews to a few rows.
    "--rand-type=uniform",
    "--histogram=on",
    "--percentile=99",
    "run",
  ];
}

/** Kills a running sysbench when the bench is interrupted. */
const running = new Set<ReturnType<typeof execFile>>();
export function killSysbench(): void {
  for (const child of running) child.kill("SIGKILL");
}

export function runSysbench(run: SysbenchRun): Promise<RunResult> {
  const args = sysbenchArgs(run);
  return new Promise((resolve, reject) => {
    const child = execFile("sysbench", args, { maxBuffer: 64 * 1024 * 1024, timeout: (run.seconds + 60) * 1000 }, (error, stdout, stderr) => {
      running.delete(child);
      const output = `${stdout}\n${stderr}`;
      if (error) {
        reject(new Error(`sysbench against port ${run.endpoint.port} failed: ${error.message}\n${tail(output, 25)}`));
        return;
      }
      try {
        resolve(parseSysbenchReport(stdout));
      } catch (parseError) {
        reject(new Error(`${(parseError as Error).message}\n${tail(output, 40)}`));
      }
    });
    running.add(child);
  });
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

function number(report: string, pattern: RegExp, what: string): number {
  const match = pattern.exec(report);
  if (match?.[1] === undefined) throw new Error(`sysbench report: no ${what}`);
  return Number(match[1]);
}

export function parseSysbenchReport(report: string): RunResult {
  const queries = number(report, /^\s*queries:\s+(\d+)\s/m, "queries");
  const qps = number(report, /^\s*queries:\s+\d+\s+\(([\d.]+) per sec\.\)/m, "queries per second");
  const seconds = number(report, /^\s*total time:\s+([\d.]+)s/m, "total time");
  // The "avg:" line has two decimals; latency sum / events keeps the precision (one query per event).
  const events = number(report, /^\s*total number of events:\s+(\d+)/m, "events");
  const sumMs = number(report, /^\s*sum:\s+([\d.]+)/m, "latency sum");
  const avgMs = events > 0 ? sumMs / events : number(report, /^\s*avg:\s+([\d.]+)/m, "average latency");
  const errors = number(report, /^\s*ignored errors:\s+(\d+)/m, "ignored errors");
  const buckets: [number, number][] = [];
  const histogram = report.slice(report.indexOf("Latency histogram"));
  for (const match of histogram.matchAll(/^\s*([\d.]+)\s+\|\**\s+(\d+)\s*$/gm)) {
    buckets.push([Number(match[1]), Number(match[2])]);
  }
  if (buckets.length === 0) throw new Error("sysbench report: no latency histogram");
  return {
    queries,
    seconds,
    qps,
    avgMs,
    p95Ms: histogramPercentile(buckets, 95),
    p99Ms: histogramPercentile(buckets, 99),
    errors,
  };
}
