/**
 * Drizzle ORM (drizzle-orm/mysql2) over a mysql2 connection to the gateway's unsharded keyspace: the
 * table is created with raw SQL (no drizzle-kit), then typed inserts, selects, updates, deletes and
 * transactions (committed, rolled back with tx.rollback(), a nested one rolled back to its savepoint).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { and, asc, desc, eq, gt, inArray, like, sql } from "drizzle-orm";
import { bigint, boolean, datetime, decimal, int, mysqlTable, text, varchar } from "drizzle-orm/mysql-core";
import { drizzle, type MySql2Database } from "drizzle-orm/mysql2";
import { TransactionRollbackError } from "drizzle-orm/errors";
import type { Connection, RowDataPacket } from "mysql2/promise";
import { connectDirect, startTestGateway, type TestGateway } from "../support/gateway.ts";
import { runtimeName } from "../support/runtime.ts";

const TABLE = "orm_drizzle_item";

const items = mysqlTable(TABLE, {
  id: int("id").autoincrement().primaryKey(),
  name: varchar("name", { length: 64 }).notNull().unique(),
  qty: int("qty").notNull().default(0),
  price: decimal("price", { precision: 10, scale: 2 }).notNull(),
  active: boolean("active").notNull().default(true),
  big: bigint("big", { mode: "bigint" }),
  notes: text("notes"),
  createdAt: datetime("created_at", { mode: "date", fsp: 3 }).notNull(),
});

const CREATE = `CREATE TABLE ${TABLE} (
  id INT AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL UNIQUE,
  qty INT NOT NULL DEFAULT 0,
  price DECIMAL(10,2) NOT NULL,
  active BOOLEAN NOT NULL DEFAULT TRUE,
  big BIGINT NULL,
  notes TEXT NULL,
  created_at DATETIME(3) NOT NULL
) CHARACTER SET utf8mb4`;

describe(`drizzle-orm over mysql2 (${runtimeName})`, () => {
  let gw: TestGateway;
  let connection: Connection;
  let other: Connection;
  let db: MySql2Database;

  const names = async (): Promise<string[]> => (await db.select({ name: items.name }).from(items).orderBy(asc(items.id))).map((row) => row.name);
  const seenByOther = async (name: string): Promise<number> => {
    const [rows] = await other.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${TABLE} WHERE name = ?`, [name]);
    return Number(rows[0]!.n);
  };

  before(async () => {
    gw = await startTestGateway();
    // Without bigNumberStrings mysql2 reads BIGINT as a double, and drizzle's bigint mode gets it rounded.
    connection = await gw.connect({ database: "commerce", supportBigNumbers: true, bigNumberStrings: true });
    other = await gw.connect({ database: "commerce" });
    db = drizzle(connection);
    await db.execute(sql.raw(`DROP TABLE IF EXISTS ${TABLE}`));
    await db.execute(sql.raw(CREATE));
  });
  after(async () => {
    const direct = await connectDirect("commerce");
    await direct.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await direct.end();
    await gw.close();
  });

  it("insert: one row with $returningId(), several rows in one statement", async () => {
    const createdAt = new Date(Date.UTC(2024, 1, 29, 13, 14, 15, 678));
    const [first] = await db
      .insert(items)
      .values({ name: "widget", qty: 3, price: "9.99", big: 9007199254740993n, notes: "it's ✓ 🚀", createdAt })
      .$returningId();
    assert.ok(first && first.id > 0);
    const [header] = await db.insert(items).values([
      { name: "gadget", qty: 10, price: "120.50", active: false, createdAt },
      { name: "gizmo", qty: 0, price: "1.00", createdAt },
      { name: "doohickey", qty: 7, price: "2.00", createdAt },
    ]);
    assert.equal(header.affectedRows, 3);
    assert.equal(header.insertId, first.id + 1);

    const [widget] = await db.select().from(items).where(eq(items.id, first.id));
    assert.ok(widget);
    assert.deepEqual({ ...widget, createdAt: widget.createdAt.getTime() }, {
      id: first.id,
      name: "widget",
      qty: 3,
      price: "9.99",
      active: true,
      big: 9007199254740993n,
      notes: "it's ✓ 🚀",
      // mysql2's default timezone is local; the round trip gives back the same instant.
      createdAt: createdAt.getTime(),
    });
  });

  it("select with where, orderBy, limit and an aggregate", async () => {
    const stocked = await db
      .select({ name: items.name, qty: items.qty })
      .from(items)
      .where(and(gt(items.qty, 2), eq(items.active, true)))
      .orderBy(desc(items.qty));
    assert.deepEqual(stocked, [{ name: "doohickey", qty: 7 }, { name: "widget", qty: 3 }]);
    const page = await db.select({ name: items.name }).from(items).where(like(items.name, "g%")).orderBy(asc(items.name)).limit(1).offset(1);
    assert.deepEqual(page, [{ name: "gizmo" }]);
    const [totals] = await db.select({ n: sql<number>`count(*)`.mapWith(Number), qty: sql<number>`sum(${items.qty})`.mapWith(Number) }).from(items);
    assert.deepEqual(totals, { n: 4, qty: 20 });
  });

  it("update and delete report affected rows", async () => {
    const [updated] = await db
      .update(items)
      .set({ qty: sql`${items.qty} + 100`, notes: null })
      .where(inArray(items.name, ["widget", "gizmo", "no-such"]));
    assert.equal(updated.affectedRows, 2);
    const [repriced] = await db.update(items).set({ price: "99.00" }).where(eq(items.name, "gadget"));
    assert.equal(repriced.affectedRows, 1);
    const rows = await db.select({ name: items.name, qty: items.qty, price: items.price, notes: items.notes }).from(items).where(gt(items.qty, 50)).orderBy(asc(items.id));
    assert.deepEqual(rows, [
      { name: "widget", qty: 103, price: "9.99", notes: null },
      { name: "gizmo", qty: 100, price: "1.00", notes: null },
    ]);
    const [deleted] = await db.delete(items).where(eq(items.name, "gizmo"));
    assert.equal(deleted.affectedRows, 1);
    assert.deepEqual(await names(), ["widget", "gadget", "doohickey"]);
    await assert.rejects(db.insert(items).values({ name: "widget", price: "1.00", createdAt: new Date() }), (error: Error & { cause?: { errno?: number; code?: string } }) => {
      // drizzle 0.45 wraps the driver's error; older ones threw it as is.
      const driverError = (error.cause ?? error) as { errno?: number; code?: string };
      assert.equal(driverError.errno, 1062, error.message);
      assert.equal(driverError.code, "ER_DUP_ENTRY");
      return true;
    });
  });

  it("db.transaction: committed, rolled back with tx.rollback(), and a nested one rolled back to its savepoint", async () => {
    const createdAt = new Date();
    const id = await db.transaction(async (tx) => {
      const [row] = await tx.insert(items).values({ name: "tx-committed", qty: 1, price: "5.00", createdAt }).$returningId();
      await tx.update(items).set({ qty: 2 }).where(eq(items.id, row!.id));
      assert.equal(await seenByOther("tx-committed"), 0, "not visible to another session before the commit");
      return row!.id;
    });
    assert.equal(await seenByOther("tx-committed"), 1);
    assert.deepEqual(await db.select({ qty: items.qty }).from(items).where(eq(items.id, id)), [{ qty: 2 }]);

    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.insert(items).values({ name: "tx-rolled-back", price: "5.00", createdAt });
        await tx.delete(items).where(eq(items.name, "widget"));
        assert.equal((await tx.select().from(items).where(eq(items.name, "tx-rolled-back"))).length, 1);
        tx.rollback();
      }),
      TransactionRollbackError,
    );

    await db.transaction(async (tx) => {
      await tx.insert(items).values({ name: "tx-outer", price: "1.00", createdAt });
      await assert.rejects(
        tx.transaction(async (inner) => {
          await inner.insert(items).values({ name: "tx-inner", price: "1.00", createdAt });
          inner.rollback();
        }),
        TransactionRollbackError,
      );
    });

    assert.deepEqual(await names(), ["widget", "gadget", "doohickey", "tx-committed", "tx-outer"]);
    const [cleared] = await db.delete(items).where(like(items.name, "tx-%"));
    assert.equal(cleared.affectedRows, 2);
  });
});
