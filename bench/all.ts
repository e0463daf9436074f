/**
 * `npm run bench`: the point-select comparison (bench/run.ts, which takes the options), then cold start
 * and QPS per runtime (bench/runtimes.ts, with its defaults), then the sharded-keyspace workloads
 * (bench/sharded.ts, which takes --time, --warmup and --threads). Each runs in its own process.
 */
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2);
for (const [script, scriptArgs] of [["bench/run.ts", args], ["bench/runtimes.ts", []], ["bench/sharded.ts", args]] as const) {
  const { status } = spawnSync(process.execPath, ["--import", "tsx", script, ...scriptArgs], { stdio: "inherit" });
  if (status !== 0) process.exit(status ?? 1);
}
