/**
 * The classic `mysql` npm driver (callback API, client-side escaping, text protocol only) against the
 * gateway's unsharded keyspace.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import mysql from "mysql";
import type { Connection as MysqlConnection, FieldInfo, MysqlError, Pool, PoolConnection } from "mysql";
import { connectDirect, startTestGateway, type TestGateway } from "../support/gateway.ts";
import { runtimeName } from "../support/runtime.ts";

const TABLE = "drv_mysql_t";

/** What `mysql` hands back for a write. */
interface OkPacket {
  affectedRows: number;
  changedRows: number;
  insertId: number;
  warningCount: number;
}

type Queryable = Pick<MysqlConnection, "query">;

function query<T>(c: Queryable, sql: string, values: unknown[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    c.query(sql, values, (error: MysqlError | null, results: unknown) => (error ? reject(error) : resolve(results as T)));
  });
}

function callback(run: (done: (error?: MysqlError | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => run((error) => (error ? reject(error) : resolve())));
}

function expectMysqlError(promise: Promise<unknown>, code: string, errno: number, sqlState: string): Promise<void> {
  return assert.rejects(promise, (error: MysqlError) => {
    assert.equal(error.code, code, error.message);
    assert.equal(error.errno, errno);
    assert.equal(error.sqlState, sqlState);
    return true;
  });
}

describe(`mysql driver (${runtimeName})`, () => {
  let gw: TestGateway;
  const opened: MysqlConnection[] = [];
  const options = () => ({ host: "127.0.0.1", port: gw.port, user: "legacy", password: "legacy-secret", database: "commerce" });

  async function connect(extra: mysql.ConnectionConfig = {}): Promise<MysqlConnection> {
    const c = mysql.createConnection({ ...options(), ...extra });
    opened.push(c);
    await callback((done) => c.connect(done));
    return c;
  }

  before(async () => {
    gw = await startTestGateway((config) => {
      // `mysql` 2.x only speaks mysql_native_password; app keeps the caching_sha2_password default.
      config.users.push({ user: "legacy", password: "legacy-secret", auth_plugin: "mysql_native_password", keyspaces: ["commerce"] });
    });
    const direct = await connectDirect("commerce");
    await direct.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await direct.query(`CREATE TABLE ${TABLE} (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL UNIQUE, qty INT, data VARBINARY(16), at DATETIME) CHARACTER SET utf8mb4`);
    await direct.end();
  });
  after(async () => {
    // end(), not destroy(): on Bun a destroyed socket still emits 'end', which `mysql` reports as an error.
    await Promise.all(opened.map((c) => (c.state === "disconnected" ? undefined : callback((done) => c.end(done)).catch(() => c.destroy()))));
    const direct = await connectDirect("commerce");
    await direct.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await direct.end();
    await gw.close();
  });

  it("a caching_sha2_password user is refused by the driver itself (it can't follow that auth switch)", async () => {
    const c = mysql.createConnection({ ...options(), user: "app", password: "app-secret" });
    await assert.rejects(callback((done) => c.connect(done)), (error: MysqlError) => {
      assert.equal(error.code, "UNSUPPORTED_AUTH_METHOD");
      assert.match(error.message, /caching_sha2_password/);
      return true;
    });
    c.destroy();
  });

  it("? placeholders escaped client-side: strings with quotes, binary, NULL, dates, IN lists, ?? identifiers", async () => {
    // The driver's default connection charset is utf8mb3, which can't carry the emoji.
    const c = await connect({ timezone: "Z", charset: "UTF8MB4_UNICODE_CI" });
    const name = `O'Brien "quoted" \\ back; -- ✓ 🚀`;
    const data = Buffer.from([0, 0x27, 0x5c, 0xff]);
    const at = new Date(Date.UTC(2024, 1, 29, 13, 14, 15));
    const ok = await query<OkPacket>(c, "INSERT INTO ?? (name, qty, data, at) VALUES (?, ?, ?, ?)", [TABLE, name, null, data, at]);
    assert.equal(ok.affectedRows, 1);
    assert.ok(ok.insertId > 0);
    const rows = await query<{ id: number; name: string; qty: number | null; data: Buffer; at: Date }[]>(
      c,
      `SELECT id, name, qty, data, at FROM ${TABLE} WHERE name = ? AND id IN (?)`,
      [name, [ok.insertId, -1, -2]],
    );
    assert.deepEqual(rows.map((row) => ({ ...row })), [{ id: ok.insertId, name, qty: null, data, at }]);
    const [echo] = await query<{ s: string; n: number; b: number }[]>(c, "SELECT ? AS s, ? + 1 AS n, ? AS b", ["a'b", 41, true]);
    assert.deepEqual({ ...echo }, { s: "a'b", n: 42, b: 1 });
  });

  it("multipleStatements: one query, three results in order", async () => {
    const c = await connect({ multipleStatements: true });
    const results = await query<[OkPacket, { n: number }[], OkPacket]>(
      c,
      `INSERT INTO ${TABLE} (name, qty) VALUES ('multi-1', 1), ('multi-2', 2); ` +
        `SELECT SUM(qty) AS n FROM ${TABLE} WHERE name LIKE 'multi-%'; ` +
        `UPDATE ${TABLE} SET qty = qty * 10 WHERE name LIKE 'multi-%'`,
    );
    assert.equal(results.length, 3);
    assert.equal(results[0].affectedRows, 2);
    assert.equal(Number(results[1][0]!.n), 3);
    assert.equal(results[2].affectedRows, 2);
    assert.equal(results[2].changedRows, 2);
    const [sum] = await query<{ n: number }[]>(c, `SELECT SUM(qty) AS n FROM ${TABLE} WHERE name LIKE 'multi-%'`);
    assert.equal(Number(sum!.n), 30);
  });

  it("a transaction rolled back leaves no row; one committed is seen by another connection", async () => {
    const c = await connect();
    const other = await connect();
    await callback((done) => c.beginTransaction(done));
    await query(c, `INSERT INTO ${TABLE} (name, qty) VALUES (?, ?)`, ["tx-rolled-back", 1]);
    const inside = await query<{ n: number }[]>(c, `SELECT COUNT(*) AS n FROM ${TABLE} WHERE name = ?`, ["tx-rolled-back"]);
    assert.equal(inside[0]!.n, 1, "the transaction sees its own row");
    const outside = await query<{ n: number }[]>(other, `SELECT COUNT(*) AS n FROM ${TABLE} WHERE name = ?`, ["tx-rolled-back"]);
    assert.equal(outside[0]!.n, 0, "another session doesn't see the uncommitted row");
    await callback((done) => c.rollback(done));
    const afterRollback = await query<{ n: number }[]>(c, `SELECT COUNT(*) AS n FROM ${TABLE} WHERE name = ?`, ["tx-rolled-back"]);
    assert.equal(afterRollback[0]!.n, 0);

    await callback((done) => c.beginTransaction(done));
    await query(c, `INSERT INTO ${TABLE} (name, qty) VALUES (?, ?)`, ["tx-committed", 2]);
    await callback((done) => c.commit(done));
    const committed = await query<{ qty: number }[]>(other, `SELECT qty FROM ${TABLE} WHERE name = ?`, ["tx-committed"]);
    assert.deepEqual(committed.map((r) => r.qty), [2]);
  });

  it("streams 2000 rows through query().stream() and the result/fields/end events", async () => {
    const c = await connect();
    // Two 50-row CTEs crossed: MariaDB stops a recursive CTE after 1000 iterations.
    const sql =
      "WITH RECURSIVE d (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49) " +
      "SELECT a.n * 50 + b.n + 1 AS n, REPEAT('x', b.n) AS pad FROM d a CROSS JOIN d b ORDER BY n LIMIT 2000";
    // The driver's stream() is a readable-stream 2.x Readable (no async iterator): paused and resumed
    // by hand, so the gateway sees the client stop reading mid-result.
    const { sum, count } = await new Promise<{ sum: number; count: number }>((resolve, reject) => {
      let sum = 0;
      let count = 0;
      const stream = c.query(sql).stream({ highWaterMark: 10 });
      stream.on("data", (row: { n: number; pad: string }) => {
        if (row.pad.length !== (row.n - 1) % 50) reject(new Error(`row ${row.n}: pad of ${row.pad.length}`));
        sum += row.n;
        count++;
        if (count % 500 === 0) {
          stream.pause();
          setTimeout(() => stream.resume(), 20);
        }
      });
      stream.on("error", reject);
      stream.on("end", () => resolve({ sum, count }));
    });
    assert.equal(count, 2000);
    assert.equal(sum, (2000 * 2001) / 2);

    const events = await new Promise<{ fields: string[]; rows: number }>((resolve, reject) => {
      let fields: string[] = [];
      let rows = 0;
      c.query(sql)
        .on("fields", (f: FieldInfo[]) => (fields = f.map((field) => field.name)))
        .on("result", () => rows++)
        .on("error", reject)
        .on("end", () => resolve({ fields, rows }));
    });
    assert.deepEqual(events, { fields: ["n", "pad"], rows: 2000 });
  });

  it("a pool: parallel queries over a few connections, getConnection and release", async () => {
    const pool: Pool = mysql.createPool({ ...options(), connectionLimit: 3 });
    try {
      const sums = await Promise.all(Array.from({ length: 12 }, (_, i) => query<{ v: number }[]>(pool, "SELECT ? * 2 AS v", [i])));
      assert.deepEqual(sums.map((rows) => rows[0]!.v), Array.from({ length: 12 }, (_, i) => i * 2));
      const ids = await Promise.all(Array.from({ length: 12 }, () => query<{ id: number }[]>(pool, "SELECT CONNECTION_ID() AS id")));
      const distinct = new Set(ids.map((rows) => rows[0]!.id));
      assert.ok(distinct.size >= 1 && distinct.size <= 3, `at most 3 pool connections, saw ${distinct.size}`);
      const held = await new Promise<PoolConnection>((resolve, reject) => pool.getConnection((error, c) => (error ? reject(error) : resolve(c))));
      await query(held, "SET @pool_marker = 'kept'");
      const [marker] = await query<{ m: string }[]>(held, "SELECT @pool_marker AS m");
      assert.equal(marker!.m, "kept");
      held.release();
    } finally {
      await callback((done) => pool.end(done));
    }
  });

  it("changeUser (COM_CHANGE_USER) re-authenticates and resets the session; a wrong password is ER_ACCESS_DENIED_ERROR", async () => {
    const c = await connect();
    await query(c, "SET @before = 1");
    await callback((done) => c.changeUser({ user: "legacy", password: "legacy-secret", database: "commerce" }, done));
    // Apart: mixed with other items, CURRENT_USER() would reach the backend (see driver-mariadb.test.ts).
    const [who] = await query<{ u: string; db: string }[]>(c, "SELECT CURRENT_USER() AS u, DATABASE() AS db");
    assert.deepEqual({ ...who }, { u: "legacy@%", db: "commerce" });
    const [vars] = await query<{ v: number | null }[]>(c, "SELECT @before AS v");
    assert.equal(vars!.v, null);
    await expectMysqlError(callback((done) => c.changeUser({ user: "legacy", password: "wrong" }, done)), "ER_ACCESS_DENIED_ERROR", 1045, "28000");
  });

  it("duplicate key: ER_DUP_ENTRY (1062, 23000), and the connection still works", async () => {
    const c = await connect();
    await query(c, `INSERT INTO ${TABLE} (name, qty) VALUES (?, ?)`, ["dup", 1]);
    await expectMysqlError(query(c, `INSERT INTO ${TABLE} (name, qty) VALUES (?, ?)`, ["dup", 2]), "ER_DUP_ENTRY", 1062, "23000");
    await expectMysqlError(query(c, "SELEC 1"), "ER_PARSE_ERROR", 1064, "42000");
    const rows = await query<{ qty: number }[]>(c, `SELECT qty FROM ${TABLE} WHERE name = ?`, ["dup"]);
    assert.deepEqual(rows.map((r) => r.qty), [1]);
    await callback((done) => c.ping(done));
  });
});
