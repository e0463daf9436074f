/**
 * The fallback driver: `threads` mysql2 connections in this process, each sending
 * `SELECT c FROM sbtest1 WHERE id=?` with a uniform random id through `query` (COM_QUERY text
 * protocol, the id escaped client-side), back to back for the given time. Latency is measured per
 * query. All connections share one event loop, so the client is at most one core. With `prepared`,
 * through `execute` instead (COM_STMT_PREPARE once per connection, then COM_STMT_EXECUTE).
 */
import mysql from "mysql2/promise";
import { summarizeSamples, type RunResult } from "./result.ts";
import type { Endpoint } from "./sysbench.ts";

export interface Mysql2Run {
  endpoint: Endpoint;
  threads: number;
  seconds: number;
  warmupSeconds: number;
  tableSize: number;
  /** Binary protocol (execute) instead of text (query). */
  prepared?: boolean;
  /** Ends the loops early (the bench was interrupted); the run then rejects. */
  signal?: AbortSignal;
}

const SQL = "SELECT c FROM sbtest1 WHERE id=?";

export async function runMysql2Load(run: Mysql2Run): Promise<RunResult> {
  const { endpoint } = run;
  const connections: mysql.Connection[] = [];
  try {
    for (let i = 0; i < run.threads; i++) {
      connections.push(await mysql.createConnection({ ...endpoint, connectTimeout: 10_000 }));
    }
    // Every id exists, so each query must return exactly one row; checked once per connection.
    for (const connection of connections) {
      const [rows] = await connection.query(SQL, [1]);
      if (!Array.isArray(rows) || rows.length !== 1) throw new Error(`sbtest1 id=1: expected one row, got ${JSON.stringify(rows)}`);
    }
    if (run.warmupSeconds > 0) await phase(connections, run, run.warmupSeconds, undefined);
    run.signal?.throwIfAborted();
    const samples: number[] = [];
    const started = performance.now();
    await phase(connections, run, run.seconds, samples);
    run.signal?.throwIfAborted();
    const seconds = (performance.now() - started) / 1000;
    return summarizeSamples(samples, seconds);
  } finally {
    await Promise.all(connections.map((connection) => connection.end().catch(() => connection.destroy())));
  }
}

/** Runs every connection's loop until `seconds` have passed; the first error fails the run. */
async function phase(connections: mysql.Connection[], run: Mysql2Run, seconds: number, samples: number[] | undefined): Promise<void> {
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    connections.map(async (connection) => {
      while (performance.now() < deadline && run.signal?.aborted !== true) {
        const id = 1 + Math.floor(Math.random() * run.tableSize);
        const t0 = performance.now();
        try {
          await (run.prepared ? connection.execute(SQL, [id]) : connection.query(SQL, [id]));
        } catch (error) {
          throw new Error(`mysql2 query against port ${run.endpoint.port} failed: ${(error as Error).message}`, { cause: error });
        }
        samples?.push(performance.now() - t0);
      }
    }),
  );
}
