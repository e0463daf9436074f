import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Connection, ResultSetHeader, RowDataPacket } from "mysql2/promise";
import { connectDirect, startTestGateway, type TestGateway } from "../support/gateway.ts";

const TABLE = `CREATE TABLE sp_event (
  id BIGINT PRIMARY KEY, label VARCHAR(40) COLLATE utf8mb4_general_ci NOT NULL, amount DECIMAL(10,2), ratio DOUBLE,
  happened DATETIME(3), day DATE, span TIME, flag TINYINT, big BIGINT UNSIGNED, note VARCHAR(20)
)`;
const ROWS = Array.from({ length: 24 }, (_, i) => [
  i + 1,
  ["Émile", "emile", "Zoë", "zoe", "eu", "EU"][i % 6]! + ` ${i % 4}`,
  (i * 12.25).toFixed(2),
  i % 5 === 0 ? null : i / 4,
  `2024-0${(i % 9) + 1}-1${i % 10} 1${i % 10}:2${i % 6}:3${i % 7}.${String(i * 7).padStart(3, "0")}`,
  `2023-1${i % 3}-0${(i % 9) + 1}`,
  `${i % 2 ? "-" : ""}${i * 3}:0${i % 10}:1${i % 6}`,
  i % 3 - 1,
  String(18446744073709551615n - BigInt(i)),
  i % 4 === 0 ? null : `n${i}`,
]);

/** Binary-protocol answers through the gateway, compared with the same statement executed on one plain database. */
describe("prepared statements on a sharded keyspace", () => {
  let gw: TestGateway;
  let sharded: Connection;
  let plain: Connection;
  const options = { dateStrings: true, supportBigNumbers: true, bigNumberStrings: true, decimalNumbers: false } as const;

  before(async () => {
    gw = await startTestGateway((raw) => {
      const customer = (raw["vschema"] as Record<string, { tables: Record<string, unknown> }>)["customer"]!;
      customer.tables["sp_event"] = { column_vindexes: [{ column: "id", name: "hash" }] };
    });
    sharded = await gw.connect({ database: "customer", ...options });
    await sharded.query("DROP TABLE IF EXISTS sp_event");
    await sharded.query(TABLE);
    const direct = await connectDirect("commerce");
    await direct.query("CREATE DATABASE IF NOT EXISTS sp_plain CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci");
    await direct.end();
    plain = await connectDirect("commerce", { database: "sp_plain", ...options });
    await plain.query("DROP TABLE IF EXISTS sp_event");
    await plain.query(TABLE);
    const insert = "INSERT INTO sp_event (id, label, amount, ratio, happened, day, span, flag, big, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    for (const row of ROWS) {
      await sharded.execute(insert, row);
      await plain.execute(insert, row);
    }
  });

  after(async () => {
    await sharded.query("DROP TABLE IF EXISTS sp_event").catch(() => {});
    await plain.query("DROP DATABASE IF EXISTS sp_plain").catch(() => {});
    await plain.end();
    await gw.close();
  });

  async function same(sql: string, values: (string | number | null)[]): Promise<RowDataPacket[]> {
    const [gateway, gatewayFields] = await sharded.execute<RowDataPacket[]>(sql, values);
    const [expected, expectedFields] = await plain.execute<RowDataPacket[]>(sql, values);
    assert.deepEqual(
      gatewayFields.map((f) => [f.name, f.columnType, f.decimals]),
      expectedFields.map((f) => [f.name, f.columnType, f.decimals]),
      `${sql}: column definitions`,
    );
    assert.deepEqual(gateway, expected, `${sql} with ${JSON.stringify(values)}`);
    return gateway;
  }

  it("a point select runs on the shard its bound value maps to, every type read back as from one server", async () => {
    for (const id of [1, 2, 7, 13, 24, 99]) await same("SELECT * FROM sp_event WHERE id = ?", [id]);
  });

  it("scattered executes are merged and written as binary rows: order, limit, IN lists, aggregates", async () => {
    await same("SELECT id, label, amount, happened FROM sp_event ORDER BY label, id LIMIT ?", [10]);
    await same("SELECT id, ratio, span, day FROM sp_event WHERE id IN (?, ?, ?, ?) ORDER BY id", [2, 5, 11, 17]);
    await same("SELECT id, big, flag, note FROM sp_event WHERE amount > ? ORDER BY amount DESC, id", ["100.00"]);
    await same("SELECT COUNT(*), SUM(amount), AVG(amount), MIN(label), MAX(happened) FROM sp_event WHERE flag <> ?", [0]);
    await same("SELECT flag, COUNT(*) AS n, SUM(ratio) FROM sp_event GROUP BY flag ORDER BY flag", []);
    await same("SELECT id, label FROM sp_event WHERE note IS NULL ORDER BY id", []);
  });

  it("writes bind their values per execution: multi-row inserts split by shard, updates routed by id", async () => {
    const insert = "INSERT INTO sp_event (id, label, amount) VALUES (?, ?, ?), (?, ?, ?)";
    const [a] = await sharded.execute<ResultSetHeader>(insert, [101, "x", "1.00", 102, "y", "2.00"]);
    const [b] = await plain.execute<ResultSetHeader>(insert, [101, "x", "1.00", 102, "y", "2.00"]);
    assert.equal(a.affectedRows, b.affectedRows);
    const update = "UPDATE sp_event SET amount = amount + ? WHERE id = ?";
    for (const id of [101, 102, 5]) {
      const [x] = await sharded.execute<ResultSetHeader>(update, ["0.50", id]);
      const [y] = await plain.execute<ResultSetHeader>(update, ["0.50", id]);
      assert.equal(x.affectedRows, y.affectedRows);
    }
    await same("SELECT id, amount FROM sp_event WHERE id >= ? ORDER BY id", [100]);
    await assert.rejects(sharded.execute("UPDATE sp_event SET id = ? WHERE id = ?", [500, 101]), { errno: 1235 });
  });

  it("SQL PREPARE / EXECUTE USING / DEALLOCATE route each execution by its values", async () => {
    await sharded.query("PREPARE pick FROM 'SELECT id, label FROM sp_event WHERE id = ?'");
    for (const id of [3, 4, 20]) {
      await sharded.query(`SET @id = ${id}`);
      const [rows] = await sharded.query<RowDataPacket[]>("EXECUTE pick USING @id");
      const [expected] = await plain.query<RowDataPacket[]>("SELECT id, label FROM sp_event WHERE id = ?", [id]);
      assert.deepEqual(rows, expected);
    }
    await sharded.query("SET @low = 'e', @n = 3");
    await sharded.query("PREPARE page FROM 'SELECT label, COUNT(*) AS n FROM sp_event WHERE label >= ? GROUP BY label HAVING n >= 1 ORDER BY label LIMIT ?'");
    const [page] = await sharded.query<RowDataPacket[]>("EXECUTE page USING @low, @n");
    const [expected] = await plain.query<RowDataPacket[]>("SELECT label, COUNT(*) AS n FROM sp_event WHERE label >= 'e' GROUP BY label HAVING n >= 1 ORDER BY label LIMIT 3");
    assert.deepEqual(page, expected);
    await sharded.query("DEALLOCATE PREPARE pick");
    await assert.rejects(sharded.query("EXECUTE pick USING @id"), { errno: 1243 });
    await assert.rejects(sharded.query("EXECUTE page USING @low"), { errno: 1210 });
  });
});
