/** The summary table printed at the end of bench/run.ts. */
import type { RunResult } from "./result.ts";

export interface Row {
  workload: string;
  driver: string;
  target: string;
  threads: number;
  result: RunResult;
  /** Gateway QPS / direct QPS, same driver and settings; undefined for the direct row itself. */
  ratio: number | undefined;
}

const COLUMNS = ["workload", "driver", "target", "threads", "qps", "avg ms", "p95 ms", "p99 ms", "ratio"] as const;

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "-";
}

export function formatTable(rows: readonly Row[]): string {
  const cells = rows.map((row) => [
    row.workload,
    row.driver,
    row.target,
    String(row.threads),
    fixed(row.result.qps, 0),
    fixed(row.result.avgMs, 3),
    fixed(row.result.p95Ms, 3),
    fixed(row.result.p99Ms, 3),
    row.ratio === undefined ? "" : fixed(row.ratio, 2),
  ]);
  const widths = COLUMNS.map((title, i) => Math.max(title.length, ...cells.map((line) => line[i]?.length ?? 0)));
  const render = (line: readonly string[]): string =>
    line.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [render(COLUMNS), ...cells.map(render)].join("\n");
}
