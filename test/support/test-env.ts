/**
 * What integration tests know about the sandbox the runner (test/run.ts) started: the MariaDB
 * servers and the gateway config pointing at them, read from the JSON file named by
 * SHARDGATE_TEST_ENV. Plain `node:fs`/`process.env`, which Bun and Deno provide too.
 */
import { readFileSync } from "node:fs";
import * as v from "valibot";

export const TEST_ENV_VARIABLE = "SHARDGATE_TEST_ENV";

const TestBackendSchema = v.object({
  host: v.string(),
  port: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535)),
  user: v.string(),
  password: v.string(),
  socketPath: v.string(),
  /** The sandbox layout: which database, keyspace and shard this server holds. */
  database: v.optional(v.string()),
  keyspace: v.optional(v.string()),
  shard: v.optional(v.string()),
});

const TestBackendsSchema = v.object({
  /** By server name: "commerce", "customer-80", "customer80-". */
  servers: v.record(v.string(), TestBackendSchema),
  /** Gateway config for these servers; listen ports are 0 (tests start their own gateways). */
  configYaml: v.string(),
  /** Initialised datadir template, for tests that start extra servers (startMariaDbServer). */
  templateDir: v.optional(v.string()),
});

export type TestBackend = v.InferOutput<typeof TestBackendSchema>;
export type TestBackends = v.InferOutput<typeof TestBackendsSchema>;

let cached: TestBackends | undefined;

/** The sandbox backends; throws when the suite was not started through the runner. */
export function getTestBackends(): TestBackends {
  if (cached !== undefined) return cached;
  const path = process.env[TEST_ENV_VARIABLE];
  if (path === undefined || path === "") {
    throw new Error(
      `${TEST_ENV_VARIABLE} is not set: integration tests need the MariaDB sandbox; run the suite with ` +
        "`npm test` (or `npm test -- test/integration/<file>.test.ts`)",
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`${TEST_ENV_VARIABLE}=${path}: cannot read the test environment: ${(error as Error).message}`);
  }
  const result = v.safeParse(TestBackendsSchema, json);
  if (!result.success) {
    const issues = result.issues.map((issue) => `${v.getDotPath(issue) ?? "(root)"}: ${issue.message}`);
    throw new Error(`${TEST_ENV_VARIABLE}=${path} is malformed: ${issues.join("; ")}`);
  }
  cached = result.output;
  return cached;
}

/** One named sandbox server; throws listing the known names when absent. */
export function getTestBackend(name: string): TestBackend {
  const { servers } = getTestBackends();
  const backend = servers[name];
  if (backend === undefined) {
    throw new Error(`no sandbox server ${JSON.stringify(name)}; have ${Object.keys(servers).join(", ")}`);
  }
  return backend;
}
