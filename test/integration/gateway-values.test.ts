import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Connection, FieldPacket, RowDataPacket } from "mysql2/promise";
import { connectDirect, startTestGateway, type TestGateway } from "../support/gateway.ts";

/**
 * Values only the gateway knows (`@@version`, `CONNECTION_ID()`, `USER()`, `DATABASE()`) mixed into
 * statements that go to a backend: the client must see the gateway's values, under the column names
 * MySQL gives them, on unsharded and sharded keyspaces alike.
 */

// A quote and a backslash: the literal written into the statement must escape both.
const VERSION = "8.0.40-shardgate-it's\\test";
const VERSION_COMMENT = "shardgate values test";

type Raw = Record<string, unknown>;

async function query(c: Connection, sql: string): Promise<{ rows: unknown[][]; names: string[] }> {
  const [rows, fields] = await c.query<RowDataPacket[]>({ sql, rowsAsArray: true });
  return { rows: rows as unknown as unknown[][], names: (fields as FieldPacket[]).map((f) => f.name) };
}

async function one(c: Connection, sql: string): Promise<unknown> {
  return (await query(c, sql)).rows[0]?.[0];
}

describe("gateway-owned values inside statements sent to backends", () => {
  let gw: TestGateway;
  let backendVersion: string;

  before(async () => {
    gw = await startTestGateway((raw) => {
      raw["server"] = { ...((raw["server"] as Raw | undefined) ?? {}), version: VERSION, version_comment: VERSION_COMMENT };
      // `shop`: a second name for the commerce server's database, so DATABASE() = keyspace is the gateway's answer.
      const topology = raw["topology"] as Record<string, Raw>;
      topology["shop"] = topology["commerce"]!;
      (raw["vschema"] as Record<string, Raw>)["shop"] = { sharded: false };
      const vschema = raw["vschema"] as Record<string, { tables: Raw }>;
      vschema["customer"]!.tables["gv_item"] = { column_vindexes: [{ column: "id", name: "hash" }] };
    });
    const direct = await connectDirect("commerce");
    try {
      backendVersion = String(await one(direct, "SELECT @@version"));
    } finally {
      await direct.end();
    }
    const setup = await gw.connect({ database: "customer" });
    await setup.query("DROP TABLE IF EXISTS gv_item");
    await setup.query("CREATE TABLE gv_item (id BIGINT PRIMARY KEY, sku VARCHAR(32) NOT NULL)");
    await setup.query("INSERT INTO gv_item (id, sku) VALUES (1, 'gv-1'), (2, 'gv-2'), (3, 'gv-3'), (4, 'gv-4')");
  });

  after(async () => {
    const c = await gw.connect({ database: "customer" });
    await c.query("DROP TABLE IF EXISTS gv_item").catch(() => {});
    await gw.close();
  });

  it("the backend really answers differently (so the checks below mean something)", async () => {
    assert.notEqual(backendVersion, VERSION);
    const c = await gw.connect({ database: "commerce" });
    assert.equal(await one(c, "SELECT @@version"), VERSION);
  });

  for (const [keyspace, table, key] of [
    ["commerce", "product", "sku"],
    ["customer", "gv_item", "id"],
  ] as const) {
    describe(`keyspace ${keyspace}`, () => {
      let c: Connection;
      let connectionId: number;
      let user: string;
      before(async () => {
        c = await gw.connect({ database: keyspace, multipleStatements: true });
        connectionId = Number(await one(c, "SELECT CONNECTION_ID()"));
        user = String(await one(c, "SELECT USER()"));
      });

      it("SELECT @@version AS v, 1 AS one", async () => {
        assert.deepEqual(await query(c, "SELECT @@version AS v, 1 AS one"), { rows: [[VERSION, 1]], names: ["v", "one"] });
      });

      it("an unaliased value beside a table column keeps its name (`@@version`)", async () => {
        const { rows, names } = await query(c, `SELECT @@version, sku FROM ${table} ORDER BY ${key} LIMIT 1`);
        assert.deepEqual(names, ["@@version", "sku"]);
        assert.equal(rows[0]![0], VERSION);
        const comment = await query(c, `SELECT @@version_comment, VERSION(), sku FROM ${table} LIMIT 1`);
        assert.deepEqual(comment.names, ["@@version_comment", "VERSION()", "sku"]);
        assert.deepEqual(comment.rows[0]!.slice(0, 2), [VERSION_COMMENT, VERSION]);
      });

      it("SELECT CONNECTION_ID() = CONNECTION_ID()", async () => {
        assert.deepEqual(await query(c, "SELECT CONNECTION_ID() = CONNECTION_ID()"), {
          rows: [[1]],
          names: ["CONNECTION_ID() = CONNECTION_ID()"],
        });
      });

      it("CONNECTION_ID() mixed in is the id SELECT CONNECTION_ID() alone returns (and the handshake gave)", async () => {
        assert.equal(connectionId, c.threadId);
        const { rows, names } = await query(c, `SELECT CONNECTION_ID(), sku FROM ${table} ORDER BY ${key} LIMIT 1`);
        assert.deepEqual(names, ["CONNECTION_ID()", "sku"]);
        assert.equal(Number(rows[0]![0]), connectionId);
        assert.equal(Number(await one(c, "SELECT CONNECTION_ID() + 0")), connectionId);
      });

      it("DATABASE() in WHERE is the keyspace", async () => {
        const { rows } = await query(c, `SELECT sku FROM ${table} WHERE DATABASE() = '${keyspace}' ORDER BY ${key} LIMIT 1`);
        assert.equal(rows.length, 1);
        assert.deepEqual((await query(c, "SELECT DATABASE(), 1")).rows, [[keyspace, 1]]);
      });

      it("SELECT CONCAT(USER(), '!') is the client's account, not the gateway's backend account", async () => {
        assert.match(user, /^app@/);
        assert.deepEqual(await query(c, "SELECT CONCAT(USER(), '!')"), { rows: [[`${user}!`]], names: ["CONCAT(USER(), '!')"] });
        assert.deepEqual((await query(c, "SELECT CURRENT_USER, SESSION_USER() AS s, 1")).rows, [["app@%", user, 1]]);
      });

      it("strings and identifiers that look like values are left alone", async () => {
        assert.deepEqual(await query(c, "SELECT 'USER()' AS `CONNECTION_ID()`, USER() = 'x' /* DATABASE() */"), {
          rows: [["USER()", 0]],
          names: ["CONNECTION_ID()", "USER() = 'x'"],
        });
      });
    });
  }

  it("a multi-statement batch has each statement rewritten", async () => {
    const c = await gw.connect({ database: "commerce", multipleStatements: true });
    const [results] = await c.query<RowDataPacket[][]>({ sql: "SELECT @@version; SELECT @@version, 1 AS one; SELECT USER() = CURRENT_USER()", rowsAsArray: true });
    assert.deepEqual(results, [[[VERSION]], [[VERSION, 1]], [[0]]]);
  });

  it("DATABASE() is the keyspace even when the backend's database has another name", async () => {
    const c = await gw.connect({ database: "shop" });
    assert.equal((await query(c, "SELECT sku FROM product WHERE DATABASE() = 'shop' LIMIT 1")).rows.length, 1);
    assert.equal((await query(c, "SELECT sku FROM product WHERE DATABASE() = 'commerce' LIMIT 1")).rows.length, 0);
  });

  it("no keyspace selected: DATABASE() is NULL", async () => {
    const c = await gw.connect();
    assert.deepEqual((await query(c, "SELECT DATABASE(), 1")).rows, [[null, 1]]);
  });

  it("a sharded WHERE id = CONNECTION_ID() routes by the gateway's id to one shard", async () => {
    const c = await gw.connect({ database: "customer" });
    const id = Number(await one(c, "SELECT CONNECTION_ID()"));
    await c.query("INSERT INTO gv_item (id, sku) VALUES (?, 'mine')", [id]);
    try {
      assert.deepEqual((await query(c, "SELECT sku FROM gv_item WHERE id = CONNECTION_ID()")).rows, [["mine"]]);
      const [plan] = await c.query<RowDataPacket[]>("EXPLAIN FORMAT=VITESS SELECT sku FROM gv_item WHERE id = CONNECTION_ID()");
      assert.equal((JSON.parse(String(plan[0]!["JSON"])) as Raw)["Variant"], "EqualUnique");
    } finally {
      await c.query("DELETE FROM gv_item WHERE id = ?", [id]);
    }
  });

  it("the backend's own thread id stays reachable, as @@pseudo_thread_id", async () => {
    const c = await gw.connect({ database: "commerce" });
    const { rows } = await query(c, "SELECT ID FROM information_schema.PROCESSLIST WHERE ID = @@pseudo_thread_id");
    assert.equal(rows.length, 1);
  });

  it("a latin1 client's bytes stay latin1 around the rewritten values", async () => {
    const c = await gw.connect({ database: "commerce", charset: "latin1_swedish_ci" });
    assert.deepEqual((await query(c, "SELECT 'café' AS s, USER() AS u, @@version AS v")).rows, [["café", await one(c, "SELECT USER()"), VERSION]]);
  });
});
