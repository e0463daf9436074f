/**
 * classifyStatement cost per statement: `node --import tsx bench/sql-classify.bench.ts`.
 * The gateway's per-statement budget is a few microseconds. Each figure is the best of several
 * rounds of 1e5 calls; the "scan" column (one charCodeAt pass over the same text) calibrates for
 * the machine's speed.
 */
import { classifyStatement } from "../src/core/sql/classify.ts";

const STATEMENTS: readonly string[] = [
  "SELECT c FROM sbtest1 WHERE id=42",
  "SELECT @@version_comment LIMIT 1",
  "SET NAMES utf8mb4 COLLATE utf8mb4_general_ci",
  "UPDATE sbtest1 SET k=k+1 WHERE id=5012",
  "INSERT INTO commerce.product (sku, description, price) VALUES ('SKU-1001', 'Monitor', 100)",
  "SELECT t.a, t.b FROM commerce.product t JOIN customer.orders o ON o.sku = t.sku WHERE t.id IN (1, 2, 3) /* trace */",
];

const WARMUP = 20_000;
const ITERATIONS = 100_000;
const ROUNDS = 5;

let sink = 0;

function scan(sql: string): number {
  let h = 0;
  for (let p = 0; p < sql.length; p++) h += sql.charCodeAt(p);
  return h;
}

function best(run: () => void): number {
  let min = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    run();
    min = Math.min(min, ((performance.now() - t0) * 1e6) / ITERATIONS);
  }
  return min;
}

for (const sql of STATEMENTS) {
  for (let i = 0; i < WARMUP; i++) sink += classifyStatement(sql).kind.length + scan(sql);
}
console.log("classify ns/op   scan ns/op   kind             statement");
for (const sql of STATEMENTS) {
  const classify = best(() => {
    for (let i = 0; i < ITERATIONS; i++) sink += classifyStatement(sql).kind.length;
  });
  const baseline = best(() => {
    for (let i = 0; i < ITERATIONS; i++) sink += scan(sql);
  });
  const kind = classifyStatement(sql).kind;
  console.log(`${classify.toFixed(0).padStart(14)}   ${baseline.toFixed(0).padStart(10)}   ${kind.padEnd(16)} ${sql}`);
}
if (sink === 0) console.log("unreachable");
