/**
 * The sandbox's sequence (commerce.customer_seq → customer.customer_id), its owned lookup vindex
 * (corder_lookup: corder.order_id → commerce.corder_keyspace_idx) and reference tables, through
 * real mysql2 clients. Rows of customer.customer are only written inside transactions that are rolled
 * back (sandbox.test.ts, running alongside, checks that table is empty); corder rows use order ids
 * from 910000 up and are deleted again.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Connection, ResultSetHeader, RowDataPacket } from "mysql2/promise";
import { HashVindex } from "../../src/core/vindexes/hash.ts";
import { sqlInt } from "../../src/core/vindexes/sql-value.ts";
import { parse, stringify } from "yaml";
import { parseConfig } from "../../src/core/config/load-config.ts";
import type { Config } from "../../src/core/config/types.ts";
import { connectDirect, startTestGateway, type TestGateway } from "../support/gateway.ts";
import { getTestBackends } from "../support/test-env.ts";

const SHARDS = ["customer-80", "customer80-"] as const;

function keyspaceId(customerId: number): Buffer {
  return Buffer.from(new HashVindex().mapValue(sqlInt(BigInt(customerId)))!);
}

/** The sandbox server holding the rows of customerId: `-80` for keyspace ids below 0x80. */
function shardOf(customerId: number): (typeof SHARDS)[number] {
  return keyspaceId(customerId)[0]! < 0x80 ? "customer-80" : "customer80-";
}

/** The sandbox config as startTestGateway builds it, after `change`. */
function sandboxConfig(change: (raw: Record<string, unknown>) => void): Config {
  const raw = parse(getTestBackends().configYaml) as Record<string, unknown>;
  raw["listen"] = { mysql: "127.0.0.1:0" };
  change(raw);
  return parseConfig(stringify(raw), { env: {}, readFile: () => "", baseDir: "." });
}

async function planOf(c: Connection, sql: string): Promise<Record<string, unknown>> {
  const [rows] = await c.query<RowDataPacket[]>(`EXPLAIN FORMAT=VITESS ${sql}`);
  return JSON.parse(String(rows[0]!["JSON"])) as Record<string, unknown>;
}

/** Runs `use` on a direct connection to a sandbox server (its own database selected). */
async function direct<T>(server: string, use: (c: Connection) => Promise<T>, options: { uncommitted?: boolean } = {}): Promise<T> {
  const connection = await connectDirect(server);
  try {
    if (options.uncommitted) await connection.query("SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED");
    return await use(connection);
  } finally {
    await connection.end();
  }
}

async function lookupRows(from: number, to: number): Promise<{ order_id: number; keyspace_id: Buffer }[]> {
  return direct("commerce", async (c) => {
    const [rows] = await c.query<RowDataPacket[]>("SELECT order_id, keyspace_id FROM corder_keyspace_idx WHERE order_id BETWEEN ? AND ? ORDER BY order_id", [from, to]);
    return rows.map((r) => ({ order_id: Number(r["order_id"]), keyspace_id: r["keyspace_id"] as Buffer }));
  });
}

async function ordersOn(server: string, from: number, to: number): Promise<number[]> {
  return direct(server, async (c) => {
    const [rows] = await c.query<RowDataPacket[]>("SELECT order_id FROM corder WHERE order_id BETWEEN ? AND ? ORDER BY order_id", [from, to]);
    return rows.map((r) => Number(r["order_id"]));
  });
}

async function lastInsertId(c: Connection): Promise<number> {
  const [rows] = await c.query<RowDataPacket[]>("SELECT LAST_INSERT_ID() AS id");
  return Number(rows[0]!["id"]);
}

async function nextIdOfSequence(): Promise<number> {
  return direct("commerce", async (c) => {
    const [rows] = await c.query<RowDataPacket[]>("SELECT next_id FROM customer_seq WHERE id = 0");
    return Number(rows[0]!["next_id"]);
  });
}

describe("sharded keyspace: sequences, lookup vindexes and reference tables", () => {
  let gw: TestGateway;
  let c: Connection;

  before(async () => {
    gw = await startTestGateway((raw) => {
      const customer = (raw["vschema"] as Record<string, { tables: Record<string, unknown> }>)["customer"]!;
      customer.tables["sl_country"] = { type: "reference" };
      // Uses corder_lookup without owning it: its inserts are checked against the lookup rows.
      customer.tables["sl_note"] = { column_vindexes: [{ column: "customer_id", name: "hash" }, { column: "order_id", name: "corder_lookup" }] };
    });
    c = await gw.connect({ database: "customer" });
    await c.query("DROP TABLE IF EXISTS sl_country, sl_note");
    await c.query("CREATE TABLE sl_country (code CHAR(2) PRIMARY KEY, name VARCHAR(32) NOT NULL)");
    await c.query("CREATE TABLE sl_note (note_id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL, order_id BIGINT, note VARCHAR(64))");
  });

  after(async () => {
    await c.query("DELETE FROM corder WHERE order_id BETWEEN 910000 AND 919999").catch(() => {});
    await c.query("DROP TABLE IF EXISTS sl_country, sl_note").catch(() => {});
    await gw.close();
  });

  it("rows without an id get consecutive ids from the sequence on both shards; insertId and LAST_INSERT_ID() are the first", async () => {
    await c.query("BEGIN");
    try {
      const emails = ["a", "b", "c", "d", "e", "f", "g", "h"].map((x) => `${x}@seq.example`);
      const [ok] = await c.query<ResultSetHeader>(`INSERT INTO customer (email) VALUES ${emails.map((e) => `('${e}')`).join(", ")}`);
      assert.equal(ok.affectedRows, emails.length);
      const first = ok.insertId;
      assert.ok(first > 0, `insertId ${first}`);
      assert.equal(await lastInsertId(c), first);
      const ids = emails.map((_, i) => first + i);
      const [rows] = await c.query<RowDataPacket[]>("SELECT customer_id, email FROM customer WHERE email LIKE '%@seq.example' ORDER BY customer_id");
      assert.deepEqual(rows.map((r) => [Number(r["customer_id"]), r["email"]]), ids.map((id, i) => [id, emails[i]]));
      assert.ok(new Set(ids.map(shardOf)).size === 2, "the ids fall on both shards");
      for (const server of SHARDS) {
        const onShard = await direct(server, async (d) => {
          const [found] = await d.query<RowDataPacket[]>("SELECT customer_id FROM customer WHERE email LIKE '%@seq.example' ORDER BY customer_id");
          return found.map((r) => Number(r["customer_id"]));
        }, { uncommitted: true });
        assert.deepEqual(onShard, ids.filter((id) => shardOf(id) === server), server);
      }
      // NULL and 0 take the next ids too (as MySQL's auto_increment); a given id is kept; the column may come first.
      const [mixed] = await c.query<ResultSetHeader>("INSERT INTO customer (customer_id, email) VALUES (NULL, 'i@seq.example'), (987654321, 'j@seq.example'), (0, 'k@seq.example')");
      assert.equal(mixed.insertId, first + emails.length);
      const [more] = await c.query<RowDataPacket[]>("SELECT customer_id FROM customer WHERE email IN ('i@seq.example', 'j@seq.example', 'k@seq.example') ORDER BY email");
      assert.deepEqual(more.map((r) => Number(r["customer_id"])), [first + emails.length, 987654321, first + emails.length + 1]);
      assert.equal(await lastInsertId(c), first + emails.length);
    } finally {
      await c.query("ROLLBACK");
    }
  });

  it("reserves a block of `cache` ids once and hands the rest out from memory", async () => {
    const fresh = await startTestGateway();
    try {
      const before = await nextIdOfSequence();
      const f = await fresh.connect({ database: "customer" });
      await f.query("BEGIN");
      const [one] = await f.query<ResultSetHeader>("INSERT INTO customer (email) VALUES ('one@seq.example')");
      assert.equal(one.insertId, before);
      assert.equal(await nextIdOfSequence(), before + 100);
      const [two] = await f.query<ResultSetHeader>("INSERT INTO customer (email) VALUES ('two@seq.example')");
      assert.equal(two.insertId, before + 1);
      assert.equal(await nextIdOfSequence(), before + 100, "no second reservation");
      // A reload that leaves the sequence's shard alone keeps its pool, and the block with it.
      await fresh.gateway.reconfigure(sandboxConfig((raw) => {
        const customer = (raw["vschema"] as Record<string, { tables: Record<string, unknown> }>)["customer"]!;
        customer.tables["sl_reloaded"] = { column_vindexes: [{ column: "id", name: "hash" }] };
      }), "test");
      const [three] = await f.query<ResultSetHeader>("INSERT INTO customer (email) VALUES ('three@seq.example')");
      assert.equal(three.insertId, before + 2);
      assert.equal(await nextIdOfSequence(), before + 100, "no reservation after the reload");
      const [many] = await f.query<ResultSetHeader>(`INSERT INTO customer (email) VALUES ${Array.from({ length: 150 }, (_, i) => `('m${i}@seq.example')`).join(", ")}`);
      assert.equal(many.insertId, before + 3, "a larger insert continues the block it started");
      assert.equal(await nextIdOfSequence(), before + 200);
      await f.query("ROLLBACK");
    } finally {
      await fresh.close();
    }
  });

  it("two gateways sharing the sequence never hand out the same id", async () => {
    const other = await startTestGateway();
    try {
      const clients = [...(await Promise.all([0, 1, 2].map(() => gw.connect({ database: "customer" })))), ...(await Promise.all([0, 1, 2].map(() => other.connect({ database: "customer" }))))];
      const ids: number[] = [];
      await Promise.all(
        clients.map(async (client, n) => {
          await client.query("BEGIN");
          for (let i = 0; i < 15; i++) {
            const rows = (i % 5) + 1;
            const [ok] = await client.query<ResultSetHeader>(`INSERT INTO customer (email) VALUES ${Array.from({ length: rows }, (_, r) => `('g${n}-${i}-${r}@seq.example')`).join(", ")}`);
            for (let r = 0; r < rows; r++) ids.push(ok.insertId + r);
          }
          await client.query("ROLLBACK");
        }),
      );
      assert.equal(new Set(ids).size, ids.length, "every id handed out once");
    } finally {
      await other.close();
    }
  });

  it("INSERT into the owner writes lookup rows with the rows' keyspace ids; a point query by order_id reaches one shard", async () => {
    const orders = [910001, 910002, 910003, 910004, 910005, 910006];
    const customerOf = (order: number) => order - 910000;
    const [ok] = await c.query<ResultSetHeader>(
      `INSERT INTO corder (order_id, customer_id, sku, price) VALUES ${orders.map((o) => `(${o}, ${customerOf(o)}, 'SKU-1001', ${o % 100}.50)`).join(", ")}`,
    );
    assert.equal(ok.affectedRows, orders.length);
    assert.deepEqual(await lookupRows(910001, 910006), orders.map((o) => ({ order_id: o, keyspace_id: keyspaceId(customerOf(o)) })));
    for (const server of SHARDS) assert.deepEqual(await ordersOn(server, 910001, 910006), orders.filter((o) => shardOf(customerOf(o)) === server));

    const plan = await planOf(c, "SELECT order_id, customer_id, price FROM corder WHERE order_id = 910003");
    assert.equal(plan["Variant"], "EqualUnique");
    assert.equal(plan["Vindex"], "corder_lookup");
    const [rows] = await c.query<RowDataPacket[]>("SELECT order_id, customer_id, price FROM corder WHERE order_id = ?", [910003]);
    assert.deepEqual(rows.map((r) => [Number(r["order_id"]), Number(r["customer_id"]), r["price"]]), [[910003, 3, "3.50"]]);
    const [none] = await c.query<RowDataPacket[]>("SELECT order_id FROM corder WHERE order_id = 919999");
    assert.deepEqual(none, []);
    // The primary vindex wins when both are constrained.
    const both = await planOf(c, "SELECT order_id FROM corder WHERE order_id = 910003 AND customer_id = 3");
    assert.equal(both["Vindex"], "hash");

    const [updated] = await c.query<ResultSetHeader>("UPDATE corder SET price = 99.00 WHERE order_id = 910002");
    assert.equal(updated.affectedRows, 1);
    await assert.rejects(c.query("UPDATE corder SET order_id = 910099 WHERE order_id = 910002"), (error: { errno?: number; message: string }) => {
      assert.equal(error.errno, 1235);
      assert.match(error.message, /corder_lookup/);
      return true;
    });
  });

  it("DELETE from the owner removes the lookup rows of the rows it deletes", async () => {
    const [byLookup] = await c.query<ResultSetHeader>("DELETE FROM corder WHERE order_id = 910003");
    assert.equal(byLookup.affectedRows, 1);
    const [byShardKey] = await c.query<ResultSetHeader>("DELETE FROM corder WHERE customer_id = 1");
    assert.equal(byShardKey.affectedRows, 1);
    const [scatter] = await c.query<ResultSetHeader>("DELETE FROM corder WHERE order_id IN (910004, 910005) AND price > 0");
    assert.equal(scatter.affectedRows, 2);
    await c.query("INSERT INTO corder (order_id, customer_id, sku, price) VALUES (910007, 7, 'SKU-1001', 1.00), (910008, 8, 'SKU-1001', 1.00)");
    const plan = await planOf(c, "DELETE FROM corder WHERE customer_id IN (7, 8)");
    assert.equal(plan["OperatorType"], "Delete");
    assert.equal(plan["Variant"], "IN");
    assert.match(String(plan["OwnedVindexQuery"]), /^SELECT `customer_id`, `order_id` FROM corder WHERE customer_id IN \(::__vals\)\nFOR UPDATE$/);
    const [byList] = await c.query<ResultSetHeader>("DELETE FROM corder WHERE customer_id IN (7, 8)");
    assert.equal(byList.affectedRows, 2);
    assert.deepEqual((await lookupRows(910001, 910008)).map((r) => r.order_id), [910002, 910006]);
    const left = (await Promise.all(SHARDS.map((s) => ordersOn(s, 910001, 910008)))).flat().sort();
    assert.deepEqual(left, [910002, 910006]);
  });

  it("a failed or rolled-back write leaves neither owner rows nor lookup rows", async () => {
    await c.query("BEGIN");
    await c.query("INSERT INTO corder (order_id, customer_id, sku, price) VALUES (910010, 7, 'SKU-1002', 1.00), (910011, 8, 'SKU-1002', 1.00)");
    const [seen] = await c.query<RowDataPacket[]>("SELECT customer_id FROM corder WHERE order_id = 910011");
    assert.deepEqual(seen.map((r) => Number(r["customer_id"])), [8], "the transaction sees its own lookup row");
    await c.query("ROLLBACK");
    assert.deepEqual(await lookupRows(910010, 910011), []);
    for (const server of SHARDS) assert.deepEqual(await ordersOn(server, 910010, 910011), []);

    // Autocommit: the lookup row and the row go in one transaction, so the row's failure takes the lookup row back.
    await assert.rejects(c.query("INSERT INTO corder (order_id, customer_id, sku, price) VALUES (910020, 4, NULL, 1.00)"), { errno: 1048 });
    assert.deepEqual(await lookupRows(910020, 910020), []);
    // An order id already taken: the lookup table's key refuses it before any row is written.
    await assert.rejects(c.query("INSERT INTO corder (order_id, customer_id, sku, price) VALUES (910006, 5, 'SKU-1003', 1.00)"), { errno: 1062 });
    assert.deepEqual(await lookupRows(910006, 910006), [{ order_id: 910006, keyspace_id: keyspaceId(6) }]);
    assert.deepEqual((await Promise.all(SHARDS.map((s) => ordersOn(s, 910006, 910006)))).flat(), [910006]);
  });

  it("a table using a lookup vindex it does not own: inserts must agree with the lookup rows, reads route by it", async () => {
    await c.query("INSERT INTO sl_note (note_id, customer_id, order_id, note) VALUES (1, 6, 910006, 'right shard'), (2, 7, NULL, 'no order')");
    await assert.rejects(c.query("INSERT INTO sl_note (note_id, customer_id, order_id, note) VALUES (3, 7, 910006, 'wrong shard')"), (error: { message: string }) => {
      assert.match(error.message, /910006.*do not map to the keyspace ids/);
      return true;
    });
    // INSERT IGNORE leaves such a row out, as Vitess does.
    const [ignored] = await c.query<ResultSetHeader>("INSERT IGNORE INTO sl_note (note_id, customer_id, order_id, note) VALUES (3, 7, 910006, 'wrong shard'), (4, 6, 910006, 'right shard')");
    assert.equal(ignored.affectedRows, 1);
    assert.equal(ignored.info, "Records: 2  Duplicates: 1  Warnings: 0");
    assert.equal((await planOf(c, "SELECT note FROM sl_note WHERE order_id = 910006"))["Vindex"], "corder_lookup");
    const [rows] = await c.query<RowDataPacket[]>("SELECT note_id FROM sl_note WHERE order_id = 910006 ORDER BY note_id");
    assert.deepEqual(rows.map((r) => Number(r["note_id"])), [1, 4]);
    await c.query("DELETE FROM sl_note WHERE order_id = 910006");
    assert.deepEqual(await lookupRows(910006, 910006), [{ order_id: 910006, keyspace_id: keyspaceId(6) }], "a non-owner leaves the lookup rows alone");
  });

  it("lookup rows join the transaction on a connection the session holds for its own state", async () => {
    const pinned = await gw.connect({ database: "commerce" });
    // A temporary table reserves the session's commerce connection, where the lookup rows go.
    await pinned.query("CREATE TEMPORARY TABLE sl_scratch (id INT)");
    await pinned.query("USE customer");
    await pinned.query("BEGIN");
    await pinned.query("INSERT INTO corder (order_id, customer_id, sku, price) VALUES (910040, 40, 'SKU-1001', 1.00)");
    await pinned.query("ROLLBACK");
    assert.deepEqual(await lookupRows(910040, 910040), []);
    for (const server of SHARDS) assert.deepEqual(await ordersOn(server, 910040, 910040), []);
  });

  it("reference tables: writes land on every shard, reads and joins with a sharded table run on one", async () => {
    await c.query("INSERT INTO sl_country (code, name) VALUES ('DE', 'Germany'), ('FR', 'France')");
    for (const server of SHARDS) {
      const codes = await direct(server, async (d) => {
        const [rows] = await d.query<RowDataPacket[]>("SELECT code FROM sl_country ORDER BY code");
        return rows.map((r) => r["code"]);
      });
      assert.deepEqual(codes, ["DE", "FR"], server);
    }
    assert.equal((await planOf(c, "SELECT name FROM sl_country WHERE code = 'DE'"))["Variant"], "Reference");
    await c.query("INSERT INTO corder (order_id, customer_id, sku, price) VALUES (910030, 30, 'DE', 5.00)");
    const join = "SELECT o.order_id, r.name FROM corder o JOIN sl_country r ON r.code = o.sku WHERE o.customer_id = 30";
    const plan = await planOf(c, join);
    assert.equal(plan["OperatorType"], "Route");
    assert.equal(plan["Variant"], "EqualUnique");
    const [rows] = await c.query<RowDataPacket[]>(join);
    assert.deepEqual(rows.map((r) => [Number(r["order_id"]), r["name"]]), [[910030, "Germany"]]);
    await c.query("UPDATE sl_country SET name = 'Deutschland' WHERE code = 'DE'");
    for (const server of SHARDS) {
      const names = await direct(server, async (d) => (await d.query<RowDataPacket[]>("SELECT name FROM sl_country WHERE code = 'DE'"))[0].map((r) => r["name"]));
      assert.deepEqual(names, ["Deutschland"], server);
    }
  });
});
