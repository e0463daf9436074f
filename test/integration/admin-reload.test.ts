import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import mysql, { type RowDataPacket } from "mysql2/promise";
import { startMariaDbServer, type MariaDbServer } from "../../src/sandbox/mariadb-server.ts";
import { backendUrl } from "../../src/sandbox/sandbox.ts";
import { serveAdmin, type AdminClient } from "../support/admin.ts";
import { connectDirect, startTestGateway, type TestGateway } from "../support/gateway.ts";
import { getTestBackends } from "../support/test-env.ts";

const TOKEN = "reload-token";

/** Clients querying in a loop until stopped; every failure is kept. */
function load(gw: TestGateway, clients: number, sql: string) {
  const failures: unknown[] = [];
  const results: unknown[][] = [];
  let running = true;
  const loops = Array.from({ length: clients }, async () => {
    const c = await gw.connect({ database: "commerce" });
    while (running) {
      try {
        const [rows] = await c.query<RowDataPacket[]>({ sql, rowsAsArray: true });
        results.push(rows[0] as unknown as unknown[]);
      } catch (error) {
        failures.push(error);
      }
    }
  });
  return {
    failures,
    results,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function extraServer(dir: string, name: string, schema: string): Promise<MariaDbServer> {
  const server = await startMariaDbServer({ baseDir: dir, name, templateDir: getTestBackends().templateDir });
  const c = await mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password, multipleStatements: true });
  await c.query(schema);
  await c.end();
  return server;
}

describe("admin API: live topology and vschema changes", () => {
  const dir = mkdtempSync(join(tmpdir(), "shardgate-reload-"));
  let gw: TestGateway;
  let admin: AdminClient;
  let moved: MariaDbServer;
  let flaky: MariaDbServer;
  before(async () => {
    const commerceSql = readFileSync("examples/sandbox/commerce.sql", "utf8");
    [moved, flaky] = await Promise.all([
      extraServer(dir, "moved", `CREATE DATABASE commerce; USE commerce; ${commerceSql}`),
      extraServer(dir, "flaky", "CREATE DATABASE flaky; CREATE TABLE flaky.t (id INT PRIMARY KEY); INSERT INTO flaky.t VALUES (1), (2)"),
    ]);
    gw = await startTestGateway((config) => {
      config.admin = { token: TOKEN };
      config.pool = { health_check_interval_ms: 200, connect_timeout_ms: 1000 };
      (config.topology as Record<string, unknown>).flaky = { "-": { primary: backendUrl(flaky, "flaky") } };
      (config.vschema as Record<string, unknown>).flaky = { sharded: false };
    });
    admin = await serveAdmin(gw.gateway);
  });
  after(async () => {
    await admin.close();
    await gw.close();
    await Promise.all([moved.stop(), flaky.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("moves a shard to another server under load: no query fails, open transactions finish where they began", async () => {
    const oldPort = getTestBackends().servers.commerce!.port;
    const inTransaction = await gw.connect({ database: "commerce" });
    await inTransaction.query("BEGIN");
    await inTransaction.query("SELECT COUNT(*) FROM product");
    const traffic = load(gw, 4, "SELECT @@port, COUNT(*) FROM product");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const response = await admin.request("PUT", "/v1/topology/commerce/-", { token: TOKEN, body: { primary: backendUrl(moved, "commerce") } });
    assert.equal(response.status, 200, response.text);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await traffic.stop();
    assert.deepEqual(traffic.failures, []);
    const ports = new Set(traffic.results.map((row) => Number(row[0])));
    assert.deepEqual([...ports].sort(), [oldPort, moved.port].sort(), "traffic went to the old primary, then the new one");
    assert.equal(Number(traffic.results.at(-1)![0]), moved.port);
    const [[pinned]] = await inTransaction.query<RowDataPacket[]>({ sql: "SELECT @@port", rowsAsArray: true });
    assert.equal(Number(pinned![0]), oldPort, "the open transaction stays on the old primary until it ends");
    await inTransaction.query("COMMIT");
    const [[after]] = await inTransaction.query<RowDataPacket[]>({ sql: "SELECT @@port", rowsAsArray: true });
    assert.equal(Number(after![0]), moved.port);
    assert.doesNotMatch((await admin.request("GET", "/v1/topology")).text, new RegExp(String(oldPort)));
    // The old primary's pool drained: once its last connection (the transaction's) came back, none is left.
    const direct = await connectDirect("commerce");
    try {
      const deadline = Date.now() + 5000;
      let open = -1;
      while (open !== 0 && Date.now() < deadline) {
        const [rows] = await direct.query<RowDataPacket[]>(
          "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = 'commerce' AND ID <> CONNECTION_ID()",
        );
        open = Number(rows[0]!.n);
        if (open !== 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(open, 0, "connections to the old primary are closed");
    } finally {
      await direct.end();
    }
  });

  it("changes a keyspace's vschema under load without failing a query", async () => {
    const traffic = load(gw, 3, "SELECT COUNT(*) FROM product");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const vschema = {
      sharded: true,
      vindexes: { hash: { type: "hash" }, xx: { type: "xxhash" } },
      tables: {
        customer: { column_vindexes: [{ column: "customer_id", name: "hash" }] },
        corder: { column_vindexes: [{ column: "customer_id", name: "xx" }] },
      },
    };
    const response = await admin.request("PUT", "/v1/vschema/customer", { token: TOKEN, body: vschema });
    assert.equal(response.status, 200, response.text);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await traffic.stop();
    assert.deepEqual(traffic.failures, []);
    assert.ok(traffic.results.length > 10);
    assert.equal((await admin.request("GET", "/v1/vschema")).json.customer.tables.corder.column_vindexes[0].name, "xx");
  });

  it("isolates a stopped shard with a clear error, keeps the others serving, and uses it again when it returns", async () => {
    const c = await gw.connect({ database: "flaky" });
    const commerce = await gw.connect({ database: "commerce" });
    const [rows] = await c.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM t");
    assert.deepEqual(rows, [{ n: 2 }]);
    await flaky.kill();
    await new Promise((resolve) => setTimeout(resolve, 600));
    const started = Date.now();
    await assert.rejects(c.query("SELECT COUNT(*) FROM t"), { errno: 1105, message: /shard flaky\/- is unavailable/ });
    assert.ok(Date.now() - started < 500, "fails fast");
    assert.equal((await admin.request("GET", "/readyz")).status, 503);
    const [others] = await commerce.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM product");
    assert.deepEqual(others, [{ n: 4 }]);
    await flaky.restart();
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const [back] = await c.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM t");
        assert.deepEqual(back, [{ n: 2 }]);
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    assert.equal((await admin.request("GET", "/readyz")).status, 200);
  });
});
