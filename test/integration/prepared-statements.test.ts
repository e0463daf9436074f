import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Connection, FieldPacket, ResultSetHeader, RowDataPacket } from "mysql2/promise";
import { BackendConnection, type ResponseSummary } from "../../src/core/backend/backend-connection.ts";
import { ByteWriter, encodeUtf8 } from "../../src/core/protocol/bytes.ts";
import { Capability, ColumnType, Command } from "../../src/core/protocol/constants.ts";
import { framePacket } from "../../src/core/protocol/packet-writer.ts";
import { CursorType, encodeExecute, encodeSendLongData, encodeStatementCommand } from "../../src/core/protocol/stmt-packets.ts";
import { testNetwork } from "../support/runtime.ts";
import { connectDirect, startTestGateway, type TestGateway } from "../support/gateway.ts";

/** The gateway's own protocol client, to send COM_STMT_* commands mysql2 has no API for. */
async function rawClient(gw: TestGateway, database = "commerce"): Promise<BackendConnection> {
  return BackendConnection.connect(testNetwork, {
    address: { host: "127.0.0.1", port: gw.port, user: "app", password: "app-secret", database, options: {} },
    flavor: { capabilities: Capability.DEPRECATE_EOF, collationId: 45 },
    connectTimeoutMs: 5000,
  });
}

async function prepare(c: BackendConnection, sql: string): Promise<{ id: number; params: number }> {
  return c.prepare(sql, encodeUtf8(sql), { fresh: true });
}

/** COM_STMT_EXECUTE with string parameters (VAR_STRING); `undefined` leaves a parameter to its long data. */
function execute(c: BackendConnection, id: number, values: (string | undefined)[], flags = 0, sendTypes = true): Promise<ResponseSummary> {
  const types = new ByteWriter();
  const data = new ByteWriter();
  for (const value of values) {
    types.u16(value === undefined ? ColumnType.BLOB : ColumnType.VAR_STRING);
    if (value !== undefined) data.lenencString(value);
  }
  const payload = encodeExecute(
    { statementId: id, flags, iterationCount: 1, nullBitmap: new Uint8Array((values.length + 7) >> 3), types: values.length && sendTypes ? types.finish() : undefined, values: data.finish() },
    values.length,
  );
  return c.send(framePacket(payload, 0), "query", () => true);
}

function post(c: BackendConnection, payload: Uint8Array): void {
  c.post(framePacket(payload, 0));
}

async function expectError(summary: Promise<ResponseSummary>, code: number): Promise<ResponseSummary> {
  const result = await summary;
  assert.equal(result.error?.code, code, `expected ER ${code}, got ${result.error?.code ?? "success"}`);
  return result;
}

function fieldMeta(fields: FieldPacket[]) {
  return fields.map((f) => ({ name: f.name, columnType: f.columnType, flags: f.flags, decimals: f.decimals, characterSet: f.characterSet }));
}

describe("prepared statements (binary protocol)", () => {
  let gw: TestGateway;
  let direct: Connection;
  before(async () => {
    // One backend connection: every client's statements share it, so they are prepared on it lazily.
    gw = await startTestGateway((config) => {
      config.pool = { max_connections: 1 };
    });
    direct = await connectDirect("commerce");
    await direct.query(
      "CREATE TABLE IF NOT EXISTS ps_t (id INT AUTO_INCREMENT PRIMARY KEY, i INT, big BIGINT, d DECIMAL(20,6), dbl DOUBLE, " +
        "s VARCHAR(100) CHARACTER SET utf8mb4, b VARBINARY(100), n INT NULL, dt DATETIME(3), blb LONGBLOB)",
    );
    await direct.query("DELETE FROM ps_t");
  });
  after(async () => {
    await direct.end();
    await gw.close();
  });

  it("mysql2 execute(): every common parameter type, rows and field metadata as straight to MariaDB", async () => {
    const exact = { supportBigNumbers: true, bigNumberStrings: true };
    const c = await gw.connect({ database: "commerce", ...exact });
    const straightTo = await connectDirect("commerce", exact);
    const date = new Date(Date.UTC(2024, 1, 29, 13, 14, 15, 678));
    const params = [42, 9007199254740993n, -17, "12345.678901", 3.25, "héllo wörld ✓ 🚀", Buffer.from([0, 1, 2, 0xfe, 0xff]), null, date];
    const insert = "INSERT INTO ps_t (i, big, n, d, dbl, s, b, blb, dt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    const [ok] = await c.execute<ResultSetHeader>(insert, params);
    assert.equal(ok.affectedRows, 1);
    assert.ok(ok.insertId > 0);
    const select = "SELECT id, i, big, d, dbl, s, b, n, dt, blb FROM ps_t WHERE id = ? AND i = ? AND s = ?";
    const args = [ok.insertId, 42, "héllo wörld ✓ 🚀"];
    const [viaGateway, gatewayFields] = await c.execute<RowDataPacket[]>(select, args);
    const [straight, directFields] = await straightTo.execute<RowDataPacket[]>(select, args);
    assert.equal(viaGateway.length, 1);
    assert.deepEqual(viaGateway, straight);
    assert.deepEqual(fieldMeta(gatewayFields), fieldMeta(directFields));
    assert.equal(viaGateway[0]!.big, "9007199254740993");
    assert.deepEqual(viaGateway[0]!.b, Buffer.from([0, 1, 2, 0xfe, 0xff]));

    // Parameters typed by the client echoed back: the result types follow the parameter types.
    const echo = "SELECT ? AS i, ? AS big, ? AS neg, ? AS d, ? AS dbl, ? AS s, ? AS b, ? AS n, ? AS dt";
    const [gatewayEcho, gatewayEchoFields] = await c.execute<RowDataPacket[]>(echo, params);
    const [directEcho, directEchoFields] = await straightTo.execute<RowDataPacket[]>(echo, params);
    await straightTo.end();
    assert.deepEqual(gatewayEcho, directEcho);
    assert.deepEqual(fieldMeta(gatewayEchoFields), fieldMeta(directEchoFields));
    assert.equal(gatewayEcho[0]!.s, "héllo wörld ✓ 🚀");
    assert.equal(gatewayEcho[0]!.n, null);
    assert.equal(gatewayEcho[0]!.big, "9007199254740993");
  });

  it("a 5 MiB Buffer parameter sent inline", async () => {
    const c = await gw.connect({ database: "commerce" });
    const big = Buffer.alloc(5 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
    const [ok] = await c.execute<ResultSetHeader>("INSERT INTO ps_t (i, blb) VALUES (?, ?)", [5, big]);
    const [rows] = await c.execute<RowDataPacket[]>("SELECT blb FROM ps_t WHERE id = ?", [ok.insertId]);
    assert.equal(rows[0]!.blb.length, big.length);
    assert.ok(big.equals(rows[0]!.blb));
  });

  it("one statement, two interleaving clients, one backend connection reset between them", async () => {
    const a = await gw.connect({ database: "commerce" });
    const b = await gw.connect({ database: "commerce" });
    // Different session state: each switch of the shared connection between a and b resets it (which
    // drops its prepared statements) or replays state, so statements are prepared again and again.
    await a.query("SET sql_mode = 'ANSI_QUOTES'");
    await b.query("SET @only_b = 1");
    const sql = "SELECT ? + 1 AS v, @@sql_mode = 'ANSI_QUOTES' AS ansi";
    for (let round = 0; round < 20; round++) {
      const [[ra], [rb]] = await Promise.all([
        a.execute<RowDataPacket[]>(sql, [round]),
        b.execute<RowDataPacket[]>(sql, [round * 10]),
      ]);
      assert.deepEqual([ra[0]!.v, ra[0]!.ansi], [round + 1, 1]);
      assert.deepEqual([rb[0]!.v, rb[0]!.ansi], [round * 10 + 1, 0]);
    }
    // The SQL parses differently under each client's sql_mode: each gets its own backend copy.
    const quoted = 'SELECT "abc" AS v FROM DUAL WHERE ? = 1';
    await assert.rejects(a.execute(quoted, [1]), { errno: 1054 });
    const [rows] = await b.execute<RowDataPacket[]>(quoted, [1]);
    assert.deepEqual(rows, [{ v: "abc" }]);
  });

  it("a prepared INSERT inside BEGIN … ROLLBACK leaves nothing; LAST_INSERT_ID follows executed INSERTs", async () => {
    const a = await gw.connect({ database: "commerce" });
    const b = await gw.connect({ database: "commerce" });
    await a.query("BEGIN");
    const [ok] = await a.execute<ResultSetHeader>("INSERT INTO ps_t (i, s) VALUES (?, ?)", [7, "rolled back"]);
    const [inside] = await a.execute<RowDataPacket[]>("SELECT COUNT(*) AS n FROM ps_t WHERE id = ?", [ok.insertId]);
    assert.equal(inside[0]!.n, 1);
    await a.query("ROLLBACK");
    const [afterwards] = await b.execute<RowDataPacket[]>("SELECT COUNT(*) AS n FROM ps_t WHERE s = ?", ["rolled back"]);
    assert.equal(afterwards[0]!.n, 0);

    const [mine] = await a.execute<ResultSetHeader>("INSERT INTO ps_t (i) VALUES (?)", [8]);
    const [theirs] = await b.execute<ResultSetHeader>("INSERT INTO ps_t (i) VALUES (?)", [9]);
    assert.notEqual(mine.insertId, theirs.insertId);
    const [viaExecute] = await a.execute<RowDataPacket[]>("SELECT LAST_INSERT_ID() AS id FROM DUAL WHERE ? = 1", [1]);
    assert.equal(viaExecute[0]!.id, mine.insertId);
    const [viaQuery] = await a.query<RowDataPacket[]>("SELECT LAST_INSERT_ID() AS id");
    assert.equal(viaQuery[0]!.id, mine.insertId);
    const [theirsToo] = await b.query<RowDataPacket[]>("SELECT LAST_INSERT_ID() AS id");
    assert.equal(theirsToo[0]!.id, theirs.insertId);
  });

  it("COM_STMT_SEND_LONG_DATA is replayed before the execute, cleared after it and by COM_STMT_RESET", async () => {
    const c = await rawClient(gw);
    const insert = await prepare(c, "INSERT INTO ps_t (i, blb) VALUES (?, ?)");
    assert.equal(insert.params, 2);
    const chunk = new Uint8Array(1024 * 1024);
    const hash = createHash("sha1");
    for (let part = 0; part < 5; part++) {
      chunk.fill(part + 1);
      post(c, encodeSendLongData({ statementId: insert.id, param: 1, data: chunk }));
      hash.update(chunk);
    }
    // Another client borrows the one backend connection in between: the long data waits in the gateway.
    const other = await gw.connect({ database: "commerce" });
    await other.execute("SELECT ? AS x", [1]);
    const first = await execute(c, insert.id, ["101", undefined]);
    assert.equal(first.error, undefined);
    const check = await c.query(`SELECT LENGTH(blb), SHA1(blb) FROM ps_t WHERE id = ${first.lastInsertId}`);
    assert.deepEqual(check.rows, [[String(5 * 1024 * 1024), hash.digest("hex")]]);

    // Consumed by that execute: the next one takes its inline value.
    const second = await execute(c, insert.id, ["102", "inline"]);
    assert.equal(second.error, undefined);
    assert.deepEqual((await c.query(`SELECT blb FROM ps_t WHERE id = ${second.lastInsertId}`)).rows, [["inline"]]);

    // COM_STMT_RESET drops long data not yet used.
    post(c, encodeSendLongData({ statementId: insert.id, param: 1, data: encodeUtf8("dropped") }));
    await c.simpleCommand(Command.STMT_RESET, encodeStatementCommand(0, insert.id).subarray(1));
    const third = await execute(c, insert.id, ["103", "after reset"]);
    assert.equal(third.error, undefined);
    assert.deepEqual((await c.query(`SELECT blb FROM ps_t WHERE id = ${third.lastInsertId}`)).rows, [["after reset"]]);
    c.close();
  });

  it("types sent only on the first execute are added for a backend connection that has not seen them", async () => {
    const c = await rawClient(gw);
    const other = await gw.connect({ database: "commerce" });
    await other.query("SET sql_mode = 'ANSI_QUOTES'");
    const s = await prepare(c, "INSERT INTO ps_t (i, s) VALUES (?, ?)");
    const first = await execute(c, s.id, ["201", "typed"]);
    assert.equal(first.error, undefined);
    for (let round = 0; round < 3; round++) {
      // The other client's state differs: the shared backend connection is reset for it and again for c,
      // which drops the backend's copy of the statement along with the types it remembered.
      await other.execute("SELECT ? AS x", [round]);
      const next = await execute(c, s.id, [String(202 + round), `untyped ${round}`], 0, false);
      assert.equal(next.error, undefined);
      assert.deepEqual((await c.query(`SELECT i, s FROM ps_t WHERE id = ${next.lastInsertId}`)).rows, [[String(202 + round), `untyped ${round}`]]);
    }
    c.close();
  });

  it("unknown and closed statement ids are ER 1243; COM_RESET_CONNECTION forgets statements", async () => {
    const c = await rawClient(gw);
    const unknown = await expectError(execute(c, 999, []), 1243);
    assert.equal(unknown.error?.sqlState, "HY000");
    assert.equal(unknown.error?.message, "Unknown prepared statement handler (999) given to mysqld_stmt_execute");
    const s = await prepare(c, "SELECT ? AS x");
    assert.equal((await execute(c, s.id, ["1"])).error, undefined);
    post(c, encodeStatementCommand(Command.STMT_CLOSE, s.id));
    await expectError(execute(c, s.id, ["1"]), 1243);
    await assert.rejects(c.simpleCommand(Command.STMT_RESET, encodeStatementCommand(0, s.id).subarray(1)), { code: 1243 });
    const t = await prepare(c, "SELECT ? AS y");
    assert.ok(t.id > s.id, "ids are not reused");
    await c.simpleCommand(Command.RESET_CONNECTION);
    await expectError(execute(c, t.id, ["1"]), 1243);
    c.close();
  });

  it("ids start at 1 per client connection, whatever the backend's ids", async () => {
    const a = await rawClient(gw);
    const b = await rawClient(gw);
    assert.equal((await prepare(a, "SELECT ? AS x")).id, 1);
    assert.equal((await prepare(a, "SELECT ? AS y")).id, 2);
    assert.equal((await prepare(b, "SELECT ? AS x")).id, 1);
    a.close();
    b.close();
  });

  it("past server.max_prepared_statements: ER 1461 until one is closed", async () => {
    const limited = await startTestGateway((config) => {
      config.server = { max_prepared_statements: 3 };
    });
    const c = await rawClient(limited);
    for (let i = 0; i < 3; i++) await prepare(c, `SELECT ${i} AS x`);
    await assert.rejects(prepare(c, "SELECT 3 AS x"), {
      code: 1461,
      sqlState: "42000",
      message: "Can't create more than max_prepared_stmt_count statements (current value: 3)",
    });
    post(c, encodeStatementCommand(Command.STMT_CLOSE, 1));
    assert.equal((await prepare(c, "SELECT 3 AS x")).id, 4);
    c.close();
    await limited.close();
  });

  it("cursors, sharded keyspaces, read-only writes and gateway-handled statements are refused clearly", async () => {
    const c = await rawClient(gw);
    const s = await prepare(c, "SELECT ? AS x");
    const cursor = await execute(c, s.id, ["1"], CursorType.READ_ONLY);
    assert.equal(cursor.error, undefined, "cursors are supported (prepared-statement-cursors.test.ts)");
    await assert.rejects(prepare(c, "SET @a = ?"), { code: 1235 });
    assert.equal((await execute(c, s.id, ["2"])).error, undefined, "the connection stays usable");
    c.close();

    // On a sharded keyspace the statement is planned and routed per execution (sharded-prepared.test.ts).
    const sharded = await gw.connect({ database: "customer" });
    const [none] = await sharded.execute<RowDataPacket[]>("SELECT email FROM customer WHERE customer_id = ?", [424242]);
    assert.deepEqual(none, []);
    const reader = await gw.connect({ database: "commerce", user: "reader", password: "reader-secret" });
    await assert.rejects(reader.execute("INSERT INTO ps_t (i) VALUES (?)", [1]), { errno: 1290 });
    const [rows] = await reader.execute<RowDataPacket[]>("SELECT ? AS x", [5]);
    assert.deepEqual(rows, [{ x: 5 }]);
  });

  it("backend errors pass through and the statement stays usable", async () => {
    const c = await gw.connect({ database: "commerce" });
    await assert.rejects(c.execute("SELECT * FROM no_such_table WHERE id = ?", [1]), { errno: 1146 });
    const [ok] = await c.execute<ResultSetHeader>("INSERT INTO ps_t (i) VALUES (?)", [1]);
    await assert.rejects(c.execute("INSERT INTO ps_t (id) VALUES (?)", [ok.insertId]), { errno: 1062 });
    const [rows] = await c.execute<RowDataPacket[]>("SELECT ? AS x", ["still fine"]);
    assert.deepEqual(rows, [{ x: "still fine" }]);
  });
});
