/**
 * Knex (client mysql2) against the gateway's unsharded keyspace: a schema migration, CRUD, transactions
 * committed and rolled back, and knex.raw with bindings, every result read back.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import knexFactory, { type Knex } from "knex";
import { connectDirect, startTestGateway, type TestGateway } from "../support/gateway.ts";
import { runtimeName } from "../support/runtime.ts";

const TABLE = "orm_knex_item";

interface Item {
  id: number;
  name: string;
  qty: number;
  price: string;
  /** TINYINT(1): written as a boolean, read back as 0 or 1. */
  active: boolean | 0 | 1;
  notes: string | null;
  created_at: Date;
  sku: string | null;
}

describe(`knex with mysql2 (${runtimeName})`, () => {
  let gw: TestGateway;
  let knex: Knex;

  const names = async (): Promise<string[]> => (await knex<Item>(TABLE).select("name").orderBy("id")).map((row) => row.name);

  before(async () => {
    gw = await startTestGateway();
    knex = knexFactory({
      client: "mysql2",
      connection: { host: "127.0.0.1", port: gw.port, user: "app", password: "app-secret", database: "commerce", timezone: "Z" },
      pool: { min: 0, max: 3 },
    });
    await knex.schema.dropTableIfExists(TABLE);
  });
  after(async () => {
    await knex.destroy();
    const direct = await connectDirect("commerce");
    await direct.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await direct.end();
    await gw.close();
  });

  it("migration: createTable with several column types, then alterTable; the backend has the schema", async () => {
    await knex.schema.createTable(TABLE, (table) => {
      table.increments("id");
      table.string("name", 64).notNullable().unique();
      table.integer("qty").notNullable().defaultTo(0);
      table.decimal("price", 10, 2).notNullable();
      table.boolean("active").notNullable().defaultTo(true);
      table.text("notes");
      table.datetime("created_at", { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
    });
    assert.equal(await knex.schema.hasTable(TABLE), true);
    await knex.schema.alterTable(TABLE, (table) => {
      table.string("sku", 32).nullable();
      table.index(["qty"], `${TABLE}_qty`);
    });
    assert.equal(await knex.schema.hasColumn(TABLE, "sku"), true);
    const info = await knex(TABLE).columnInfo();
    assert.deepEqual(Object.keys(info).sort(), ["active", "created_at", "id", "name", "notes", "price", "qty", "sku"]);
    assert.equal(info.price?.type, "decimal");
    assert.equal(info.name?.maxLength, 64);

    const direct = await connectDirect("commerce");
    const [indexes] = await direct.query(`SHOW INDEX FROM ${TABLE}`);
    await direct.end();
    const keyNames = new Set((indexes as { Key_name: string }[]).map((row) => row.Key_name));
    assert.deepEqual([...keyNames].sort(), ["PRIMARY", `${TABLE}_name_unique`, `${TABLE}_qty`].sort());
  });

  it("CRUD: insert returns the id, select where, update and delete count rows", async () => {
    const [first] = await knex<Item>(TABLE).insert({ name: "widget", qty: 3, price: "9.99", notes: "it's \"quoted\" ✓" });
    assert.ok(typeof first === "number" && first > 0);
    const [second] = await knex<Item>(TABLE).insert({ name: "gadget", qty: 10, price: "120.50", active: false, sku: "G-1" });
    assert.equal(second, first + 1);
    // A multi-row insert reports the first generated id, as MySQL does.
    const [third] = await knex<Item>(TABLE).insert([
      { name: "gizmo", qty: 0, price: "1.00" },
      { name: "doohickey", qty: 7, price: "2.00" },
    ]);
    assert.equal(third, second! + 1);

    const widget = await knex<Item>(TABLE).where({ id: first }).first();
    assert.ok(widget);
    assert.deepEqual(
      { name: widget.name, qty: widget.qty, price: widget.price, active: widget.active, notes: widget.notes, sku: widget.sku },
      { name: "widget", qty: 3, price: "9.99", active: 1, notes: "it's \"quoted\" ✓", sku: null },
    );
    assert.ok(widget.created_at instanceof Date && Math.abs(widget.created_at.getTime() - Date.now()) < 60_000);

    const stocked = await knex<Item>(TABLE).select("name", "qty").where("qty", ">", 2).andWhere("active", true).orderBy("qty", "desc");
    assert.deepEqual(stocked.map((row) => ({ ...row })), [{ name: "doohickey", qty: 7 }, { name: "widget", qty: 3 }]);

    assert.equal(await knex<Item>(TABLE).where("qty", "<", 5).increment("qty", 100), 2);
    assert.equal(await knex<Item>(TABLE).where({ name: "gadget" }).update({ price: "99.00", sku: null }), 1);
    const [{ total }] = (await knex(TABLE).sum({ total: "qty" })) as [{ total: string | number }];
    assert.equal(Number(total), 103 + 10 + 100 + 7);
    assert.equal(await knex<Item>(TABLE).whereIn("name", ["gizmo", "no-such"]).del(), 1);
    assert.deepEqual(await names(), ["widget", "gadget", "doohickey"]);
    await assert.rejects(knex<Item>(TABLE).insert({ name: "widget", price: "1.00" }), (error: { errno?: number; code?: string }) => {
      assert.equal(error.errno, 1062);
      assert.equal(error.code, "ER_DUP_ENTRY");
      return true;
    });
  });

  it("knex.transaction: a committed one persists, a thrown one and an explicit rollback leave nothing", async () => {
    const id = await knex.transaction(async (trx) => {
      const [inserted] = await trx<Item>(TABLE).insert({ name: "tx-committed", qty: 1, price: "5.00" });
      await trx<Item>(TABLE).where({ id: inserted }).update({ qty: 2 });
      // Another connection doesn't see it before the commit.
      assert.equal((await knex<Item>(TABLE).where({ name: "tx-committed" })).length, 0);
      return inserted;
    });
    assert.deepEqual((await knex<Item>(TABLE).where({ id }).select("name", "qty")).map((row) => ({ ...row })), [{ name: "tx-committed", qty: 2 }]);

    await assert.rejects(
      knex.transaction(async (trx) => {
        await trx<Item>(TABLE).insert({ name: "tx-thrown", qty: 1, price: "5.00" });
        await trx<Item>(TABLE).where({ name: "widget" }).del();
        throw new Error("abort");
      }),
      /abort/,
    );

    const trx = await knex.transaction();
    await trx<Item>(TABLE).insert({ name: "tx-rolled-back", qty: 1, price: "5.00" });
    assert.equal((await trx<Item>(TABLE).where({ name: "tx-rolled-back" })).length, 1);
    await trx.rollback();
    assert.equal(trx.isCompleted(), true);

    assert.deepEqual(await names(), ["widget", "gadget", "doohickey", "tx-committed"]);
  });

  it("knex.raw with positional, identifier and named bindings", async () => {
    const [rows] = (await knex.raw("SELECT ?? AS n, ?? AS q FROM ?? WHERE qty >= ? AND name <> ? ORDER BY qty", ["name", "qty", TABLE, 7, "gadget"])) as [
      { n: string; q: number }[],
      unknown,
    ];
    assert.deepEqual(rows.map((row) => ({ ...row })), [{ n: "doohickey", q: 7 }, { n: "widget", q: 103 }]);
    const [named] = (await knex.raw("SELECT :text AS t, :num + 1 AS n, :col: AS c FROM :table: WHERE name = :name", {
      text: "a'b ✓",
      num: 41,
      col: "sku",
      table: TABLE,
      name: "widget",
    })) as [{ t: string; n: number; c: string | null }[], unknown];
    assert.deepEqual(named.map((row) => ({ ...row })), [{ t: "a'b ✓", n: 42, c: null }]);
    const [write] = (await knex.raw(`UPDATE ${TABLE} SET notes = ? WHERE qty > ?`, [null, 50])) as [{ affectedRows: number; changedRows: number }, unknown];
    assert.equal(write.affectedRows, 1);
    assert.equal(write.changedRows, 1);
  });
});
