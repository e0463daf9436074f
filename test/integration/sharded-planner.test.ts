import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Connection, ResultSetHeader, RowDataPacket } from "mysql2/promise";
import { HashVindex } from "../../src/core/vindexes/hash.ts";
import { sqlInt } from "../../src/core/vindexes/sql-value.ts";
import { connectDirect, startTestGateway, type TestGateway } from "../support/gateway.ts";

/** The shard server holding id's row: `-80` for keyspace ids below 0x80. */
function shardOf(id: number): string {
  return new HashVindex().mapValue(sqlInt(BigInt(id)))![0]! < 0x80 ? "customer-80" : "customer80-";
}

async function planOf(c: Connection, sql: string): Promise<Record<string, unknown>> {
  const [rows] = await c.query<RowDataPacket[]>(sql);
  return JSON.parse(String(rows[0]!["JSON"])) as Record<string, unknown>;
}

describe("sharded keyspace: statements around the planner", () => {
  let gw: TestGateway;
  let c: Connection;
  const ids = [1, 2, 3, 4, 5, 6, 7, 8];

  before(async () => {
    gw = await startTestGateway((raw) => {
      const customer = (raw["vschema"] as Record<string, { tables: Record<string, unknown> }>)["customer"]!;
      customer.tables["sp_item"] = { column_vindexes: [{ column: "id", name: "hash" }] };
    });
    c = await gw.connect({ database: "customer" });
    await c.query("DROP TABLE IF EXISTS sp_item");
    await c.query("CREATE TABLE sp_item (id BIGINT PRIMARY KEY, label VARCHAR(32) NOT NULL, qty INT NOT NULL)");
    await c.query(`INSERT INTO sp_item (id, label, qty) VALUES ${ids.map((id) => `(${id}, 'item ${id}', ${id * 10})`).join(", ")}`);
  });

  after(async () => {
    await c.query("DROP TABLE IF EXISTS sp_item").catch(() => {});
    await gw.close();
  });

  it("DDL reaches every shard, and each row sits on the shard its vindex maps it to", async () => {
    for (const server of ["customer-80", "customer80-"]) {
      const direct = await connectDirect(server);
      try {
        const [rows] = await direct.query<RowDataPacket[]>("SELECT id FROM sp_item ORDER BY id");
        assert.deepEqual(rows.map((r) => Number(r["id"])), ids.filter((id) => shardOf(id) === server));
      } finally {
        await direct.end();
      }
    }
  });

  it("EXPLAIN FORMAT=VITESS and VEXPLAIN PLAN print the plan tree as JSON", async () => {
    const point = await planOf(c, "EXPLAIN FORMAT=VITESS SELECT label FROM sp_item WHERE id = 5");
    assert.equal(point["OperatorType"], "Route");
    assert.equal(point["Variant"], "EqualUnique");
    assert.equal(point["Vindex"], "hash");
    assert.deepEqual(point["Keyspace"], { Name: "customer", Sharded: true });
    const sorted = await planOf(c, "VEXPLAIN PLAN SELECT label FROM sp_item ORDER BY label LIMIT 3");
    assert.equal(sorted["OperatorType"], "SimpleProjection");
    const limit = (sorted["Inputs"] as Record<string, unknown>[])[0]!;
    assert.equal(limit["OperatorType"], "Limit");
    const sort = (limit["Inputs"] as Record<string, unknown>[])[0]!;
    assert.equal(sort["OperatorType"], "Sort");
    const route = (sort["Inputs"] as Record<string, unknown>[])[0]!;
    assert.equal(route["Variant"], "Scatter");
    assert.match(String(route["Query"]), /WEIGHT_STRING\(RTRIM\(label\)\).*LIMIT :__upper_limit/);
  });

  it("a transaction spans shards: ROLLBACK undoes the rows on both, and savepoints reach every shard", async () => {
    await c.query("BEGIN");
    await c.query("INSERT INTO sp_item (id, label, qty) VALUES (101, 'a', 1), (102, 'b', 2), (103, 'c', 3), (104, 'd', 4)");
    await c.query("SAVEPOINT before_update");
    const [update] = await c.query<ResultSetHeader>("UPDATE sp_item SET qty = qty + 1 WHERE id > 100");
    assert.equal(update.affectedRows, 4);
    await c.query("ROLLBACK TO SAVEPOINT before_update");
    const [kept] = await c.query<RowDataPacket[]>("SELECT SUM(qty) AS total FROM sp_item WHERE id > 100");
    assert.equal(String(kept[0]!["total"]), "10");
    await c.query("ROLLBACK");
    const [gone] = await c.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM sp_item WHERE id > 100");
    assert.equal(Number(gone[0]!["n"]), 0);
  });

  it("schema statements go to one shard; a shard's error reaches the client and the connection stays usable", async () => {
    const [tables] = await c.query<RowDataPacket[]>("SHOW TABLES LIKE 'sp_item'");
    assert.equal(tables.length, 1);
    const [full] = await c.query<RowDataPacket[]>("SHOW FULL TABLES LIKE 'sp_item'");
    assert.equal(full[0]!["Table_type"], "BASE TABLE");
    // Statements node-sql-parser does not read, handled before any parse.
    await c.query("SET NAMES utf8mb4");
    await c.query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
    const [variables] = await c.query<RowDataPacket[]>("SHOW VARIABLES LIKE 'character_set_client'");
    assert.equal(variables[0]!["Value"], "utf8mb4");
    const [warnings] = await c.query<RowDataPacket[]>("SHOW WARNINGS");
    assert.ok(Array.isArray(warnings));
    const [columns] = await c.query<RowDataPacket[]>("DESCRIBE sp_item");
    assert.deepEqual(columns.map((r) => r["Field"]), ["id", "label", "qty"]);
    await assert.rejects(c.query("INSERT INTO sp_item (id, label, qty) VALUES (1, 'dup', 0), (2, 'dup', 0)"), { errno: 1062 });
    const [rows] = await c.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM sp_item");
    assert.equal(Number(rows[0]!["n"]), ids.length);
  });

  it("unsupported shapes are refused with ER 1235 naming the reason, never answered wrongly", async () => {
    const refusals: [string, RegExp][] = [
      ["SELECT id, ROW_NUMBER() OVER (ORDER BY id) FROM sp_item", /window functions/],
      ["UPDATE sp_item SET id = 9 WHERE id = 1", /primary vindex column/],
      ["UPDATE sp_item SET qty = 0 WHERE qty > 10 LIMIT 1", /LIMIT over several shards/],
      ["SELECT a.label, COUNT(*) FROM sp_item a JOIN sp_item b ON a.label = b.label GROUP BY a.label", /aggregates over a join/],
      ["INSERT INTO sp_item VALUES (50, 'x', 1)", /column list/],
      ["LOCK TABLES sp_item READ", /LOCK/],
    ];
    for (const [sql, message] of refusals) {
      await assert.rejects(c.query(sql), (error: { errno?: number; sqlState?: string; message?: string }) => {
        assert.equal(error.errno, 1235, `${sql}: ${error.message}`);
        assert.equal(error.sqlState, "42000");
        assert.match(error.message ?? "", message, sql);
        return true;
      });
    }
    const [rows] = await c.query<RowDataPacket[]>("SELECT label FROM sp_item WHERE id = 3");
    assert.equal(rows[0]!["label"], "item 3");
  });

  it("a statement the parser cannot read is ER 1064; a batch answers each statement in turn and stops at an error", async () => {
    await assert.rejects(c.query("SELECT id FROM sp_item WHERE id = = 1"), { errno: 1064 });
    const batch = await gw.connect({ database: "customer", multipleStatements: true });
    const [results] = await batch.query<RowDataPacket[][]>(
      "SELECT COUNT(*) AS n FROM sp_item; SELECT label FROM sp_item WHERE id = 2; UPDATE sp_item SET qty = qty + 0 WHERE id IN (3, 4); SELECT id FROM sp_item ORDER BY id DESC LIMIT 2",
    );
    assert.equal(results.length, 4);
    assert.equal(Number(results[0]![0]!["n"]), ids.length);
    assert.deepEqual(results[1], [{ label: "item 2" }]);
    assert.equal((results[2] as unknown as ResultSetHeader).affectedRows, 2, "mysql2 asks for CLIENT_FOUND_ROWS: matched rows count");
    assert.deepEqual(results[3]!.map((r) => Number(r["id"])), [8, 7]);
    await assert.rejects(batch.query("UPDATE sp_item SET qty = 1 WHERE id = 1; SELECT * FROM no_such_table; UPDATE sp_item SET qty = 2 WHERE id = 1"), { errno: 1146 });
    const [after] = await batch.query<RowDataPacket[]>("SELECT qty FROM sp_item WHERE id = 1");
    assert.equal(Number(after[0]!["qty"]), 1, "the statement after the error never ran");
    await batch.query("UPDATE sp_item SET qty = 10 WHERE id = 1");
    await assert.rejects(batch.query("SET @x = 1; SELECT @x FROM sp_item"), { errno: 1235, message: /inside a batch/ });
    const plain = await gw.connect({ database: "customer" });
    await assert.rejects(plain.query("SELECT 1 FROM sp_item; SELECT 2 FROM sp_item"), { errno: 1064 });
  });

  it("the same shape with other values reuses its plan and routes by the new values", async () => {
    for (const id of ids) {
      const [rows] = await c.query<RowDataPacket[]>(`SELECT label, qty FROM sp_item WHERE id = ${id}`);
      assert.deepEqual(rows, [{ label: `item ${id}`, qty: id * 10 }]);
    }
    const shape = gw.gateway.plans.list().find((p) => p.digest === "SELECT label, qty FROM sp_item WHERE id = ?");
    assert.ok(shape, "the point select's digest is tracked");
    assert.equal(shape.hits, ids.length);
    assert.equal(shape.plan, "Select");
    assert.deepEqual(shape.shards, ["customer/-80", "customer/80-"], "one digest, routed to each shard by its value");
  });
});
