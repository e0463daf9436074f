/** `npm run bench -- [options]`: argv parsing for bench/run.ts. */
import { parseArgs } from "node:util";

export type Driver = "sysbench" | "mysql2";
export type GatewayMode = "process" | "inproc";

export interface BenchOptions {
  /** Measured seconds per run. */
  time: number;
  /** Unmeasured seconds before each run: JIT, buffer pool, backend pool. */
  warmup: number;
  threads: number;
  drivers: Driver[];
  gateways: GatewayMode[];
  tableSize: number;
  verbose: boolean;
}

export const USAGE = `usage: npm run bench -- [options]

  --time=SECONDS       measured seconds per run (default 10)
  --warmup=SECONDS     unmeasured warm-up before each run (default 2)
  --threads=N          client connections / sysbench threads (default 4)
  --driver=LIST        sysbench, mysql2 or both, comma-separated (default: sysbench when installed, else mysql2)
  --gateway=LIST       process (gateway in its own node process), inproc (in this process), or both
                       (default process,inproc)
  --table-size=N       rows in commerce.sbtest1 (default 10000)
  --verbose            print sandbox start-up and gateway logs`;

const DRIVERS: readonly Driver[] = ["sysbench", "mysql2"];
const GATEWAYS: readonly GatewayMode[] = ["process", "inproc"];

function positive(name: string, text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}, got "${text}"`);
  return value;
}

function list<T extends string>(name: string, text: string, allowed: readonly T[]): T[] {
  const items = text.split(",").map((item) => item.trim()).filter((item) => item !== "");
  const expanded = items.flatMap((item) => (item === "both" || item === "all" ? [...allowed] : [item]));
  for (const item of expanded) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new Error(`--${name}: unknown "${item}" (expected ${allowed.join(", ")} or both)`);
    }
  }
  if (expanded.length === 0) throw new Error(`--${name} is empty`);
  return [...new Set(expanded as T[])];
}

/** Throws with a message for the user on bad input; returns undefined for --help. */
export function parseOptions(argv: readonly string[], sysbenchInstalled: boolean): BenchOptions | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      time: { type: "string" },
      warmup: { type: "string" },
      threads: { type: "string" },
      driver: { type: "string" },
      gateway: { type: "string" },
      "table-size": { type: "string" },
      verbose: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return undefined;
  const drivers = values.driver === undefined
    ? [sysbenchInstalled ? "sysbench" as const : "mysql2" as const]
    : list("driver", values.driver, DRIVERS);
  if (drivers.includes("sysbench") && !sysbenchInstalled) {
    throw new Error("--driver=sysbench: no sysbench binary on PATH (use --driver=mysql2)");
  }
  return {
    time: positive("time", values.time, 10),
    warmup: positive("warmup", values.warmup, 2, 0),
    threads: positive("threads", values.threads, 4),
    drivers,
    gateways: values.gateway === undefined ? [...GATEWAYS] : list("gateway", values.gateway, GATEWAYS),
    tableSize: positive("table-size", values["table-size"], 10_000),
    verbose: values.verbose ?? false,
  };
}
