import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Connection, RowDataPacket } from "mysql2/promise";
import { connectDirect, startTestGateway, type TestGateway } from "../support/gateway.ts";

async function one(c: Connection, sql: string): Promise<unknown> {
  const [rows] = await c.query<RowDataPacket[]>({ sql, rowsAsArray: true });
  return rows[0]?.[0];
}

describe("session state across pooled backend connections", () => {
  let gw: TestGateway;
  before(async () => {
    // One backend connection per shard: every client shares it, so state must be re-applied per statement.
    gw = await startTestGateway((config) => {
      config.pool = { max_connections: 1 };
    });
    const setup = await gw.connect({ database: "commerce" });
    await setup.query("CREATE TABLE IF NOT EXISTS session_t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20))");
    await setup.query("DELETE FROM session_t");
    await setup.end();
  });
  after(() => gw.close());

  it("USE and COM_INIT_DB select a keyspace; unknown ones are 1049", async () => {
    const c = await gw.connect();
    assert.equal(await one(c, "SELECT DATABASE()"), null);
    await c.query("USE commerce");
    assert.equal(await one(c, "SELECT DATABASE()"), "commerce");
    await assert.rejects(c.query("USE nowhere"), { errno: 1049, sqlState: "42000", message: "Unknown database 'nowhere'" });
    assert.equal(await one(c, "SELECT COUNT(*) FROM product"), 4);
  });

  it("each client's SETs follow it onto the shared backend connection", async () => {
    const a = await gw.connect({ database: "commerce" });
    const b = await gw.connect({ database: "commerce" });
    await a.query("SET sql_mode = 'ANSI_QUOTES'");
    await b.query("SET SESSION sql_mode = CONCAT('NO_ZERO_DATE', ',', 'STRICT_ALL_TABLES')");
    await a.query("SET NAMES latin1");
    await a.query("SET @greeting = 'hello', @n = 41 + 1");
    for (let round = 0; round < 3; round++) {
      assert.equal(await one(a, "SELECT @@sql_mode"), "ANSI_QUOTES");
      assert.equal(await one(b, "SELECT @@sql_mode"), "STRICT_ALL_TABLES,NO_ZERO_DATE");
      assert.equal(await one(a, "SELECT @@character_set_client"), "latin1");
      assert.equal(await one(b, "SELECT @@character_set_client"), "utf8mb4");
      assert.equal(await one(a, "SELECT CONCAT(@greeting, ' ', @n)"), "hello 42");
      assert.equal(await one(b, "SELECT @greeting"), null);
    }
  });

  it("SET errors come from the backend and change nothing", async () => {
    const c = await gw.connect({ database: "commerce" });
    await assert.rejects(c.query("SET sql_mode = 'NOT_A_MODE'"), { errno: 1231 });
    await assert.rejects(c.query("SET no_such_variable = 1"), { errno: 1193 });
    await assert.rejects(c.query("SET GLOBAL max_connections = 10"), { errno: 1227 });
    assert.notEqual(await one(c, "SELECT @@sql_mode"), "NOT_A_MODE");
  });

  it("a transaction pins its connection: other clients wait, ROLLBACK undoes, COMMIT keeps", async () => {
    const a = await gw.connect({ database: "commerce" });
    const b = await gw.connect({ database: "commerce" });
    await a.query("BEGIN");
    await a.query("INSERT INTO session_t (v) VALUES ('rolled back')");
    const [, fields] = await a.query("SELECT 1");
    assert.ok(fields);
    // b needs the only backend connection, which a's transaction holds: b waits until a ends it.
    const bRead = one(b, "SELECT COUNT(*) FROM session_t WHERE v = 'rolled back'");
    await new Promise((resolve) => setTimeout(resolve, 100));
    await a.query("ROLLBACK");
    assert.equal(await bRead, 0);
    await a.query("START TRANSACTION");
    await a.query("INSERT INTO session_t (v) VALUES ('kept')");
    await a.query("COMMIT");
    assert.equal(await one(b, "SELECT COUNT(*) FROM session_t WHERE v = 'kept'"), 1);
  });

  it("autocommit=0 opens implicit transactions that COMMIT and ROLLBACK end", async () => {
    const c = await gw.connect({ database: "commerce" });
    await c.query("SET autocommit = 0");
    assert.equal(await one(c, "SELECT @@autocommit"), 0);
    await c.query("INSERT INTO session_t (v) VALUES ('implicit')");
    await c.query("ROLLBACK");
    assert.equal(await one(c, "SELECT COUNT(*) FROM session_t WHERE v = 'implicit'"), 0);
    await c.query("COMMIT");
    await c.query("SET autocommit = 1");
  });

  it("LAST_INSERT_ID() answers the session's own last insert, whichever connection runs it", async () => {
    const a = await gw.connect({ database: "commerce" });
    const b = await gw.connect({ database: "commerce" });
    const [resultA] = await a.query<{ insertId: number } & RowDataPacket[]>("INSERT INTO session_t (v) VALUES ('a')");
    const [resultB] = await b.query<{ insertId: number } & RowDataPacket[]>("INSERT INTO session_t (v) VALUES ('b')");
    assert.notEqual(resultA.insertId, resultB.insertId);
    assert.equal(await one(a, "SELECT LAST_INSERT_ID()"), resultA.insertId);
    assert.equal(await one(b, "SELECT LAST_INSERT_ID()"), resultB.insertId);
  });

  it("a temporary table reserves its connection for the session (the state can't be replayed)", async () => {
    const gwWide = await startTestGateway();
    try {
      const a = await gwWide.connect({ database: "commerce" });
      const b = await gwWide.connect({ database: "commerce" });
      await a.query("CREATE TEMPORARY TABLE scratch_tmp (x INT)");
      await a.query("INSERT INTO scratch_tmp VALUES (7)");
      await b.query("SELECT 1");
      assert.equal(await one(a, "SELECT x FROM scratch_tmp"), 7);
      await assert.rejects(b.query("SELECT x FROM scratch_tmp"), { errno: 1146 });
    } finally {
      await gwWide.close();
    }
  });

  it("a read-only user reads but cannot write", async () => {
    const r = await gw.connect({ user: "reader", password: "reader-secret", database: "commerce" });
    assert.equal(await one(r, "SELECT COUNT(*) FROM product"), 4);
    await assert.rejects(r.query("INSERT INTO session_t (v) VALUES ('nope')"), { errno: 1290, sqlState: "HY000" });
    await assert.rejects(r.query("DELETE FROM session_t"), { errno: 1290 });
    await assert.rejects(r.query("SET SESSION TRANSACTION READ WRITE"), { errno: 1290 });
    const c = await gw.connect({ database: "commerce" });
    assert.equal(await one(c, "SELECT COUNT(*) FROM session_t WHERE v = 'nope'"), 0);
  });

  it("a client that disconnects mid-transaction has it rolled back and its row lock released", async () => {
    const gwWide = await startTestGateway((config) => {
      config.pool = { max_connections: 4 };
    });
    const direct = await connectDirect("commerce");
    try {
      await direct.query("CREATE TABLE IF NOT EXISTS lock_t (id INT PRIMARY KEY, v INT)");
      await direct.query("REPLACE INTO lock_t VALUES (1, 0)");
      const a = await gwWide.connect({ database: "commerce" });
      await a.query("BEGIN");
      await a.query("UPDATE lock_t SET v = 99 WHERE id = 1");
      a.destroy();
      // Without the rollback the row stays locked and this would wait for innodb_lock_wait_timeout.
      await direct.query("SET SESSION innodb_lock_wait_timeout = 5");
      const started = Date.now();
      await direct.query("UPDATE lock_t SET v = 1 WHERE id = 1");
      assert.ok(Date.now() - started < 4000, "row lock was released");
      assert.equal(await one(direct, "SELECT v FROM lock_t WHERE id = 1"), 1);
    } finally {
      await direct.end();
      await gwWide.close();
    }
  });

  it("a session in a sharded keyspace reaches an unsharded one by qualified name and joins with it; SELECT * over that join is refused clearly", async () => {
    const c = await gw.connect({ database: "customer" });
    const [products] = await c.query<RowDataPacket[]>("SELECT sku FROM commerce.product ORDER BY sku");
    assert.deepEqual(products.map((r) => r["sku"]), ["SKU-1001", "SKU-1002", "SKU-1003", "SKU-1004"]);
const [joined] = await c.query<RowDataPacket[]>("SELECT c.email, p.sku FROM customer c JOIN commerce.product p ON p.sku = c.email");
    assert.deepEqual(joined, []);
    await assert.rejects(c.query("SELECT * FROM customer c JOIN commerce.product p ON p.sku = c.email"), {
      errno: 1235,
      sqlState: "42000",
      message: /SELECT \* over a join across shards or keyspaces/,
    });
  });
});
