/**
 * The differential proof of the sharded planner: the same generated rows live in keyspace `customer`
 * (two shards, hash(customer_id), loaded THROUGH the gateway with multi-row INSERTs) and in one plain
 * database `diffplain` on the commerce server; every corpus statement runs on both and the answers
 * (column names, types, decimals, character sets, values, row order when ORDER BY is total) must be
 * the same. Each group collects all its mismatches, so one run shows everything that is wrong.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import mysql, { type Connection } from "mysql2/promise";
import { connectDirect, startTestGateway, type TestGateway } from "../support/gateway.ts";
import { getTestBackend } from "../support/test-env.ts";
import {
  compareOutcomes,
  describeOutcome,
  EXACT_VALUE_OPTIONS,
  formatMismatches,
  rowKey,
  rowsOf,
  run,
  type Mismatch,
  type Outcome,
} from "../support/differential/compare.ts";
import {
  CORPUS_ASSUMPTIONS,
  corpusSize,
  DML_STEPS,
  ERRORS_ONLY_ON_GATEWAY,
  FINAL_STATE,
  READ_GROUPS,
  REFUSALS,
  type CorpusQuery,
} from "../support/differential/corpus.ts";
import {
  COUNTRY_COLUMNS,
  CUSTOMER_COLUMNS,
  generateData,
  insertBatches,
  insertStatements,
  ORDER_COLUMNS,
  PRODUCT_COLUMNS,
  shardOf,
  sqlLiteral,
  type InsertBatch,
  type Shard,
} from "../support/differential/data.ts";
import {
  addDifferentialVSchema,
  CREATE_PLAIN_DATABASE,
  PLAIN_DATABASE,
  PLAIN_TABLES,
  SHARD_TABLES,
  SHARDED_TABLES,
} from "../support/differential/schema.ts";

const SHARD_SERVERS: Record<Shard, string> = { "-80": "customer-80", "80-": "customer80-" };
const ER_NOT_SUPPORTED_YET = 1235;

/** One side of the comparison: a connection that is reopened when a statement kills it. */
class Side {
  private current: Connection | undefined;
  constructor(private readonly open: () => Promise<Connection>) {}
  async connection(): Promise<Connection> {
    this.current ??= await this.open();
    return this.current;
  }
  async run(sql: string): Promise<Outcome> {
    const outcome = await run(await this.connection(), sql);
    if (outcome.kind === "error" && outcome.fatal) {
      this.current?.destroy();
      this.current = undefined;
    }
    return outcome;
  }
  async close(): Promise<void> {
    await this.current?.end().catch(() => {});
    this.current = undefined;
  }
}

function dropAll(names: readonly string[]): string {
  return `DROP TABLE IF EXISTS ${names.join(", ")}`;
}

describe("sharded differential: keyspace customer through the gateway vs one plain database", () => {
  const data = generateData();
  const batches: InsertBatch<{ customer_id: bigint }>[] = [
    ...insertBatches("dt_customer", CUSTOMER_COLUMNS, data.customers),
    ...insertBatches("dt_order", ORDER_COLUMNS, data.orders),
  ];
  let gw: TestGateway;
  let gateway: Side;
  let plain: Side;
  const shards = new Map<Shard, Connection>();
  /** Why loading through the gateway failed; the comparisons have nothing to compare then. */
  let loadError: Error | undefined;

  const requireLoaded = (): void => {
    if (loadError !== undefined) {
      throw new Error(`nothing to compare: loading the rows through the gateway failed: ${loadError.message}`);
    }
  };

  before(async () => {
    gw = await startTestGateway((raw) => addDifferentialVSchema(raw));
    const commerce = getTestBackend("commerce");

    // The shards: tables created directly (setup is not under test), the reference table's rows on each.
    const countryInserts = insertStatements("dt_country", COUNTRY_COLUMNS, data.countries);
    for (const [shard, server] of Object.entries(SHARD_SERVERS) as [Shard, string][]) {
      const connection = await connectDirect(server, EXACT_VALUE_OPTIONS);
      shards.set(shard, connection);
      await connection.query(dropAll(SHARD_TABLES.map((t) => t.name)));
      for (const table of SHARD_TABLES) await connection.query(table.ddl);
      for (const sql of countryInserts) await connection.query(sql);
    }

    // The plain database: every row, loaded directly, plus a copy of commerce.product's live rows.
    const direct = await connectDirect("commerce", EXACT_VALUE_OPTIONS);
    let products: unknown[][];
    try {
      await direct.query(CREATE_PLAIN_DATABASE);
      products = await rowsOf(direct, `SELECT ${PRODUCT_COLUMNS.join(", ")} FROM product ORDER BY sku`);
    } finally {
      await direct.end();
    }
    const plainOptions = { ...EXACT_VALUE_OPTIONS, host: commerce.host, port: commerce.port, user: commerce.user, password: commerce.password };
    plain = new Side(() => mysql.createConnection({ ...plainOptions, database: PLAIN_DATABASE }));
    const plainConnection = await plain.connection();
    await plainConnection.query(dropAll(PLAIN_TABLES.map((t) => t.name)));
    for (const table of PLAIN_TABLES) await plainConnection.query(table.ddl);
    const productValues = products.map((row) => `(${row.map((v) => sqlLiteral(v as string)).join(", ")})`);
    await plainConnection.query(`INSERT INTO product (${PRODUCT_COLUMNS.join(", ")}) VALUES ${productValues.join(", ")}`);
    for (const sql of countryInserts) await plainConnection.query(sql);
    for (const batch of batches) await plainConnection.query(batch.sql);

    // Through the gateway: the same 50-row INSERTs, each with rows for both shards. No fallback on failure.
    gateway = new Side(() => gw.connect({ ...EXACT_VALUE_OPTIONS, database: "customer" }));
    for (const [i, batch] of batches.entries()) {
      const outcome = await gateway.run(batch.sql);
      if (outcome.kind !== "ok" || outcome.affectedRows !== batch.rows.length) {
        loadError = new Error(
          `INSERT ${i + 1} of ${batches.length} (${batch.rows.length} rows, ${batch.sql.slice(0, 60)}…): ${describeOutcome(outcome)}`,
        );
        break;
      }
    }
  });

  after(async () => {
    await gateway?.close();
    await plain?.close();
    // The sandbox is shared by every runtime's run: leave the shards as they were.
    await Promise.all([...shards.values()].map((c) => c.query("DROP TABLE IF EXISTS dt_customer, dt_order, dt_country").catch(() => {})));
    await Promise.all([...shards.values()].map((c) => c.end().catch(() => {})));
    await gw?.close();
  });

  /** Runs each query on both sides (plainSql on the plain one) and returns what differs. */
  async function compareQueries(queries: readonly CorpusQuery[]): Promise<Mismatch[]> {
    const mismatches: Mismatch[] = [];
    for (const query of queries) {
      const plainSql = query.plainSql ?? query.sql;
      const [a, b] = await Promise.all([gateway.run(query.sql), plain.run(plainSql)]);
      const problem = compareOutcomes(a, b, query.ordered === true);
      if (problem !== undefined) mismatches.push({ sql: query.sql, plainSql, problem });
    }
    return mismatches;
  }

  /** Every sharded row on the shard hash(customer_id) names, and shards' union = the plain table. */
  async function placementProblems(): Promise<string[]> {
    const problems: string[] = [];
    for (const table of SHARDED_TABLES) {
      const sql = `SELECT * FROM ${table.name} ORDER BY ${table.primaryKey}`;
      const union: unknown[][] = [];
      for (const [shard, connection] of shards) {
        const outcome = await run(connection, sql);
        if (outcome.kind !== "rows") throw new Error(`${shard}: ${sql}: ${describeOutcome(outcome)}`);
        const keyIndex = outcome.columns.findIndex((c) => c.name === table.key);
        for (const row of outcome.rows) {
          const owner = shardOf(BigInt(String(row[keyIndex])));
          if (owner !== shard) problems.push(`${table.name} row ${rowKey(row)} is on ${shard}, hash(${table.key}) says ${owner}`);
          union.push(row);
        }
      }
      const expected = await plain.run(sql);
      if (expected.kind !== "rows") throw new Error(`plain: ${sql}: ${describeOutcome(expected)}`);
      const problem = compareOutcomes({ kind: "rows", columns: expected.columns, rows: union }, expected, false);
      if (problem !== undefined) problems.push(`${table.name}: the shards' union is not the plain table: ${problem.replaceAll("gateway", "shards")}`);
    }
    return problems;
  }

  it(`corpus self-check: all ${corpusSize()} reads and every write run on the plain database`, async () => {
    assert.ok(corpusSize() >= 220, `only ${corpusSize()} read queries`);
    assert.ok(CORPUS_ASSUMPTIONS.length > 0);
    const problems: string[] = [];
    const check = async (query: CorpusQuery, want: Outcome["kind"]) => {
      const sql = query.plainSql ?? query.sql;
      if (query.ordered === true && !/\bORDER\s+BY\b/i.test(sql)) problems.push(`ordered without ORDER BY: ${sql}`);
      const outcome = await plain.run(sql);
      if (outcome.kind !== want) problems.push(`${sql}\n  ${describeOutcome(outcome)}`);
    };
    for (const group of READ_GROUPS) for (const query of group.queries) await check(query, "rows");
    for (const refusal of REFUSALS) await check({ sql: refusal.sql }, "rows");
    // The writes run in a transaction that is rolled back: the reads below still see the loaded rows.
    await (await plain.connection()).query("BEGIN");
    try {
      for (const step of DML_STEPS) {
        await check({ sql: step.plainSql ?? step.sql }, "ok");
        await check(step.verify, "rows");
      }
      for (const refused of ERRORS_ONLY_ON_GATEWAY) {
        await check({ sql: refused.sql }, "ok");
        await check(refused.verify, "rows");
      }
      for (const query of FINAL_STATE) await check(query, "rows");
    } finally {
      await (await plain.connection()).query("ROLLBACK");
    }
    assert.ok(problems.length === 0, `corpus statements fail on the plain database:\n${problems.join("\n")}`);
  });

  it("loads dt_customer and dt_order through the gateway (50-row INSERTs spanning both shards)", () => {
    // Every statement must be split: rows for both shards in each.
    for (const batch of batches) assert.equal(new Set(batch.rows.map((row) => shardOf(row.customer_id))).size, 2, batch.sql.slice(0, 80));
    if (loadError !== undefined) throw loadError;
  });

  it("places every row on the shard hash(customer_id) maps it to, none lost or duplicated", async () => {
    requireLoaded();
    const problems = await placementProblems();
    assert.ok(problems.length === 0, `misplaced rows:\n${problems.join("\n")}`);
    for (const [shard, connection] of shards) {
      const rows = await rowsOf(connection, "SELECT COUNT(*) FROM dt_customer");
      assert.notEqual(String(rows[0]?.[0]), "0", `shard ${shard} holds no dt_customer row`);
    }
  });

  for (const group of READ_GROUPS) {
    it(`${group.name} (${group.queries.length} queries)`, async () => {
      requireLoaded();
      const mismatches = await compareQueries(group.queries);
      assert.ok(mismatches.length === 0, formatMismatches(group.name, mismatches, group.queries.length));
    });
  }

  it(`refuses the shapes it cannot answer exactly with ER_NOT_SUPPORTED_YET (${REFUSALS.length} statements)`, async () => {
    const problems: string[] = [];
    for (const refusal of REFUSALS) {
      const outcome = await gateway.run(refusal.sql);
      if (outcome.kind !== "error" || outcome.errno !== ER_NOT_SUPPORTED_YET || !/not supported|unsupported|does not support/i.test(outcome.message)) {
        problems.push(`${refusal.sql}\n  expected error ${ER_NOT_SUPPORTED_YET} saying it is unsupported, got ${describeOutcome(outcome)}`);
      }
      await (await gateway.connection()).ping();
    }
    assert.ok(problems.length === 0, `the gateway did not refuse:\n${problems.join("\n")}`);
  });

  it(`writes: ${DML_STEPS.length} DML statements, ${ERRORS_ONLY_ON_GATEWAY.length} vindex changes refused, then the whole tables`, async () => {
    requireLoaded();
    const mismatches: Mismatch[] = [];
    for (const step of DML_STEPS) {
      const plainSql = step.plainSql ?? step.sql;
      // A write the gateway refused is not applied to the plain side either, so one refusal does not
      // make every later comparison differ.
      const a = await gateway.run(step.sql);
      if (a.kind === "error") {
        mismatches.push({ sql: step.sql, plainSql, problem: `gateway ${describeOutcome(a)} (not applied to the plain database)` });
        continue;
      }
      const problem = compareOutcomes(a, await plain.run(plainSql), false);
      if (problem !== undefined) mismatches.push({ sql: step.sql, plainSql, problem });
      mismatches.push(...(await compareQueries([step.verify])).map((m) => ({ ...m, problem: `after ${step.sql.slice(0, 60)}…: ${m.problem}` })));
    }
    for (const refused of ERRORS_ONLY_ON_GATEWAY) {
      const outcome = await gateway.run(refused.sql);
      if (outcome.kind !== "error" || outcome.errno === undefined || outcome.fatal || !refused.error.test(outcome.message)) {
        mismatches.push({ sql: refused.sql, problem: `expected the gateway to refuse it (${refused.error}), got ${describeOutcome(outcome)}` });
      }
      // The connection is still usable, and nothing changed.
      mismatches.push(...(await compareQueries([refused.verify])).map((m) => ({ ...m, problem: `after ${refused.sql.slice(0, 60)}…: ${m.problem}` })));
    }
    mismatches.push(...(await compareQueries(FINAL_STATE)));
    mismatches.push(...(await placementProblems()).map((problem) => ({ sql: "(placement after the writes)", problem })));
    const total = DML_STEPS.length * 2 + ERRORS_ONLY_ON_GATEWAY.length * 2 + FINAL_STATE.length;
    assert.ok(mismatches.length === 0, formatMismatches("writes", mismatches, total));
  });
});
