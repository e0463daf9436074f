/**
 * The `mariadb` connector (promise API) against the gateway's unsharded keyspace: text queries, binary
 * prepared statements (`execute`, `prepare`), `batch`, a pool, transactions and `queryStream`. The
 * gateway presents itself as MySQL 8, so the connector uses its MySQL code paths (no COM_STMT_BULK_EXECUTE).
 */
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import mariadb from "mariadb";
import type { Connection, SqlError, UpsertResult } from "mariadb";
import { connectDirect, startTestGateway, type TestGateway } from "../support/gateway.ts";
import { runtimeName } from "../support/runtime.ts";

const TABLE = "drv_mariadb_t";

interface Row {
  id: number;
  name: string;
  big: bigint | null;
  price: string | null;
  data: Buffer | null;
  at: Date | null;
}

function expectSqlError(promise: Promise<unknown>, code: string, errno: number, sqlState: string): Promise<void> {
  return assert.rejects(promise, (error: SqlError) => {
    assert.equal(error.code, code, error.message);
    assert.equal(error.errno, errno);
    assert.equal(error.sqlState, sqlState);
    return true;
  });
}

describe(`mariadb connector (${runtimeName})`, () => {
  let gw: TestGateway;
  const opened: Connection[] = [];
  const options = () => ({ host: "127.0.0.1", port: gw.port, user: "app", password: "app-secret", database: "commerce", timezone: "Z" });

  async function connect(): Promise<Connection> {
    const c = await mariadb.createConnection(options());
    opened.push(c);
    return c;
  }

  async function count(c: Connection, name: string): Promise<number> {
    const rows = await c.query<{ n: bigint }[]>(`SELECT COUNT(*) AS n FROM ${TABLE} WHERE name = ?`, [name]);
    return Number(rows[0]!.n);
  }

  before(async () => {
    gw = await startTestGateway();
    const direct = await connectDirect("commerce");
    await direct.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await direct.query(
      `CREATE TABLE ${TABLE} (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL UNIQUE, big BIGINT, ` +
        "price DECIMAL(12,2), data VARBINARY(16), at DATETIME(3)) CHARACTER SET utf8mb4",
    );
    await direct.end();
  });
  after(async () => {
    await Promise.all(opened.map((c) => c.end().catch(() => {})));
    const direct = await connectDirect("commerce");
    await direct.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await direct.end();
    await gw.close();
  });

  it("connects with caching_sha2_password and queries with client-side placeholders", async () => {
    const c = await connect();
    assert.equal(c.serverVersion(), "8.0.40-shardgate");
    const [who] = await c.query<{ db: string; s: string; n: bigint | number }[]>("SELECT DATABASE() AS db, ? AS s, ? + 1 AS n", ["it's ✓ 🚀", 41]);
    assert.deepEqual({ ...who, n: Number(who!.n) }, { db: "commerce", s: "it's ✓ 🚀", n: 42 });
    const products = await c.query<{ sku: string; price: string }[]>("SELECT sku, price FROM product WHERE sku IN (?, ?) ORDER BY sku", ["SKU-1001", "SKU-1003"]);
    assert.deepEqual(products.map((p) => [p.sku, String(p.price)]), [["SKU-1001", "189.00"], ["SKU-1003", "19.99"]]);
  });

  it("execute(): binary prepared statements with typed parameters, read back typed", async () => {
    const c = await connect();
    const at = new Date(Date.UTC(2024, 1, 29, 13, 14, 15, 678));
    const data = Buffer.from([0, 1, 0x27, 0xff]);
    const ok = await c.execute<UpsertResult>(`INSERT INTO ${TABLE} (name, big, price, data, at) VALUES (?, ?, ?, ?, ?)`, ["exec ✓", 9007199254740993n, "1234.50", data, at]);
    assert.equal(ok.affectedRows, 1);
    const id = Number(ok.insertId);
    assert.ok(id > 0);
    const rows = await c.execute<Row[]>(`SELECT id, name, big, price, data, at FROM ${TABLE} WHERE id = ? AND name = ?`, [id, "exec ✓"]);
    assert.equal(rows.length, 1);
    const row = rows[0]!;
    assert.deepEqual({ ...row, price: String(row.price) }, { id, name: "exec ✓", big: 9007199254740993n, price: "1234.50", data, at });
    const nulls = await c.execute<UpsertResult>(`INSERT INTO ${TABLE} (name, big, price, data, at) VALUES (?, ?, ?, ?, ?)`, ["exec null", null, null, null, null]);
    const [empty] = await c.execute<Row[]>(`SELECT big, price, data, at FROM ${TABLE} WHERE id = ?`, [nulls.insertId]);
    assert.deepEqual({ ...empty }, { big: null, price: null, data: null, at: null });

    const statement = await c.prepare(`SELECT name FROM ${TABLE} WHERE id = ?`);
    assert.deepEqual(await statement.execute([id]), [{ name: "exec ✓" }]);
    assert.deepEqual(await statement.execute([Number(nulls.insertId)]), [{ name: "exec null" }]);
    statement.close();
    await expectSqlError(c.execute("SELECT nope FROM no_such_table WHERE id = ?", [1]), "ER_NO_SUCH_TABLE", 1146, "42S02");
    assert.deepEqual(await c.execute("SELECT ? AS still_fine", [7]), [{ still_fine: 7 }]);
  });

  it("prepare(): executeStream, a Readable parameter (COM_STMT_SEND_LONG_DATA), pipelined executes; gateway-handled SQL is refused", async () => {
    const c = await connect();
    const statement = await c.prepare("SELECT sku FROM product WHERE price > ? ORDER BY sku");
    const streamed: unknown[] = [];
    for await (const row of statement.executeStream([20])) streamed.push(row);
    statement.close();
    assert.deepEqual(streamed, [{ sku: "SKU-1001" }, { sku: "SKU-1002" }, { sku: "SKU-1004" }]);

    const blob = Buffer.alloc(300_000);
    for (let i = 0; i < blob.length; i++) blob[i] = (i * 31 + 7) & 0xff;
    const ok = await c.execute<UpsertResult>(`INSERT INTO ${TABLE} (name, data) VALUES (?, LEFT(?, 16))`, [
      "long-data",
      Readable.from([blob.subarray(0, 100_000), blob.subarray(100_000)]),
    ]);
    const [check] = await c.execute<{ data: Buffer; same: number }[]>(`SELECT data, ? = ? AS same FROM ${TABLE} WHERE id = ?`, [blob, Readable.from([blob]), ok.insertId]);
    assert.deepEqual(check!.data, blob.subarray(0, 16));
    assert.equal(check!.same, 1, "300 KB sent inline and as long data compare equal");

    // The connector pipelines: 50 executes written before the first answer comes back.
    const echoes = await Promise.all(Array.from({ length: 50 }, (_, i) => c.execute<{ i: number }[]>("SELECT ? AS i", [i])));
    assert.deepEqual(echoes.map((rows) => rows[0]!.i), Array.from({ length: 50 }, (_, i) => i));

    await expectSqlError(c.execute("SET @y = ?", [1]), "ER_NOT_SUPPORTED_YET", 1235, "42000");
    await c.query("SET @y = ?", [1]);
    assert.deepEqual(await c.query("SELECT @y AS y"), [{ y: 1n }]);
  });

  it("reset() is COM_RESET_CONNECTION: session state gone; changeUser is refused by the connector itself on MySQL", async () => {
    const c = await connect();
    await c.query("SET @kept = 'x', SESSION sql_mode = 'ANSI_QUOTES'");
    await c.reset();
    const [state] = await c.query<{ kept: string | null; ansi: bigint | number }[]>("SELECT @kept AS kept, INSTR(@@sql_mode, 'ANSI_QUOTES') AS ansi");
    assert.deepEqual({ ...state, ansi: Number(state!.ansi) }, { kept: null, ansi: 0 });
    // The gateway says MySQL 8, so the connector applies its MySQL Bug #83472 guard before sending anything.
    await assert.rejects(c.changeUser({ user: "reader", password: "reader-secret" }), /changeUser not available for MySQL server/);
    assert.deepEqual(await c.query("SELECT CURRENT_USER() AS u"), [{ u: "app@%" }]);
  });

  it("batch(): a bulk insert of 200 rows", async () => {
    const c = await connect();
    const values = Array.from({ length: 200 }, (_, i) => [`batch-${i}`, i * 1000, `${i}.25`]);
    const result = await c.batch<UpsertResult | UpsertResult[]>(`INSERT INTO ${TABLE} (name, big, price) VALUES (?, ?, ?)`, values);
    const affected = Array.isArray(result) ? result.reduce((sum, r) => sum + r.affectedRows, 0) : result.affectedRows;
    assert.equal(affected, 200);
    const [summary] = await c.query<{ n: bigint; total: string; last: string }[]>(
      `SELECT COUNT(*) AS n, SUM(big) AS total, MAX(price) AS last FROM ${TABLE} WHERE name LIKE 'batch-%'`,
    );
    assert.equal(summary!.n, 200n);
    assert.equal(String(summary!.total), String((199 * 200 * 1000) / 2));
    assert.equal(String(summary!.last), "199.25");
  });

  it("a pool: parallel queries and execute()s over at most 3 connections", async () => {
    const pool = mariadb.createPool({ ...options(), connectionLimit: 3 });
    try {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? pool.query<{ v: bigint }[]>("SELECT ? * 2 AS v", [i]) : pool.execute<{ v: bigint }[]>("SELECT ? * 2 AS v", [i]))),
      );
      assert.deepEqual(results.map((rows) => Number(rows[0]!.v)), Array.from({ length: 12 }, (_, i) => i * 2));
      const ids = await Promise.all(Array.from({ length: 12 }, () => pool.query<{ id: bigint }[]>("SELECT CONNECTION_ID() AS id")));
      const distinct = new Set(ids.map((rows) => rows[0]!.id));
      assert.ok(distinct.size >= 1 && distinct.size <= 3, `at most 3 pool connections, saw ${distinct.size}`);
      const held = await pool.getConnection();
      await held.query("SET @pool_marker = 'kept'");
      assert.deepEqual(await held.query("SELECT @pool_marker AS m"), [{ m: "kept" }]);
      await held.release();
    } finally {
      await pool.end();
    }
  });

  it("transactions: rollback leaves no row, commit is seen by another connection", async () => {
    const c = await connect();
    const other = await connect();
    await c.beginTransaction();
    await c.query(`INSERT INTO ${TABLE} (name) VALUES (?)`, ["tx-rolled-back"]);
    await c.execute(`UPDATE ${TABLE} SET big = 1 WHERE name = ?`, ["tx-rolled-back"]);
    assert.equal(await count(c, "tx-rolled-back"), 1);
    assert.equal(await count(other, "tx-rolled-back"), 0);
    await c.rollback();
    assert.equal(await count(c, "tx-rolled-back"), 0);

    await c.beginTransaction();
    await c.execute(`INSERT INTO ${TABLE} (name, big) VALUES (?, ?)`, ["tx-committed", 5]);
    await c.commit();
    assert.deepEqual(await other.query(`SELECT big FROM ${TABLE} WHERE name = ?`, ["tx-committed"]), [{ big: 5n }]);
  });

  it("queryStream(): 2000 rows consumed slowly, then the connection is reused", async () => {
    const c = await connect();
    // Two 50-row CTEs crossed: MariaDB stops a recursive CTE after 1000 iterations.
    const sql =
      "WITH RECURSIVE d (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49) " +
      "SELECT a.n * 50 + b.n + 1 AS n, REPEAT('y', b.n) AS pad FROM d a CROSS JOIN d b ORDER BY n LIMIT ?";
    let rows = 0;
    let sum = 0;
    for await (const chunk of c.queryStream(sql, [2000])) {
      const row = chunk as { n: bigint | number; pad: string };
      const n = Number(row.n);
      assert.equal(row.pad.length, (n - 1) % 50);
      rows++;
      sum += n;
      if (rows % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(rows, 2000);
    assert.equal(sum, (2000 * 2001) / 2);
    assert.deepEqual(await c.query("SELECT 1 AS one"), [{ one: 1 }]);
  });

  it("duplicate key: ER_DUP_ENTRY (1062, 23000) from query and execute, and the connection still works", async () => {
    const c = await connect();
    await c.query(`INSERT INTO ${TABLE} (name) VALUES (?)`, ["dup"]);
    await expectSqlError(c.query(`INSERT INTO ${TABLE} (name) VALUES (?)`, ["dup"]), "ER_DUP_ENTRY", 1062, "23000");
    await expectSqlError(c.execute(`INSERT INTO ${TABLE} (name) VALUES (?)`, ["dup"]), "ER_DUP_ENTRY", 1062, "23000");
    assert.equal(await count(c, "dup"), 1);
    await c.ping();
  });
});
