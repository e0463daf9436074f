/**
 * UNION / UNION ALL / UNION DISTINCT over keyspace customer (two shards), each answer checked against
 * the same statement on one plain database holding the same rows: column names and types, and the
 * rows as strings (in order when the union's ORDER BY makes the order total, else as multisets).
 * The rows put case and accent variants ('Émile' / 'emile', 'EU' / 'eu', 'zoë' / 'Zoë') and NULLs in
 * different tables and on both shards, so duplicates must be found by collation across shards.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import mysql, { type Connection, type FieldPacket, type RowDataPacket } from "mysql2/promise";
import { HashVindex } from "../../src/core/vindexes/hash.ts";
import { sqlInt } from "../../src/core/vindexes/sql-value.ts";
import { connectDirect, startTestGateway, type TestGateway } from "../support/gateway.ts";
import { getTestBackend } from "../support/test-env.ts";

const OPTIONS: mysql.ConnectionOptions = {
  charset: "UTF8MB4_GENERAL_CI",
  dateStrings: true,
  supportBigNumbers: true,
  bigNumberStrings: true,
  decimalNumbers: false,
  rowsAsArray: true,
};
const PLAIN = "un_plain";
const SHARD_SERVERS = ["customer-80", "customer80-"];

const TABLES = [
  "CREATE TABLE un_a (id BIGINT PRIMARY KEY, name VARCHAR(40), grp INT, amount DECIMAL(10,2))",
  "CREATE TABLE un_b (id BIGINT PRIMARY KEY, label VARCHAR(60) NOT NULL DEFAULT '', nick VARCHAR(40), grp INT, amount DECIMAL(10,2))",
  "CREATE TABLE un_bin (id BIGINT PRIMARY KEY, name VARCHAR(40) COLLATE utf8mb4_bin)",
  "CREATE TABLE un_ref (id INT PRIMARY KEY, code CHAR(4), title VARCHAR(40))",
];
const ROWS = [
  "INSERT INTO un_a (id, name, grp, amount) VALUES (1, 'Émile', 10, 1.50), (2, 'EU', 20, 2.00), (3, 'zoë', 10, NULL), (4, NULL, 30, 4.25), (5, 'apple', 20, 1.50), (6, 'Zebra', NULL, 0.00), (7, 'mango', 40, 7.00), (8, 'kiwi', 10, 1.50)",
  "INSERT INTO un_b (id, label, nick, grp, amount) VALUES (101, 'emile', 'em', 10, 1.50), (102, 'eu', NULL, 20, 2.00), (103, 'Zoë', 'z', 50, 3.00), (104, 'banana', NULL, NULL, NULL), (105, 'Apple', 'ap', 20, 1.50), (106, 'cherry', 'ch', 30, 4.25), (107, 'MANGO', NULL, 40, 7.00), (108, 'kiwi ', 'k', 60, 1.50)",
  "INSERT INTO un_bin (id, name) VALUES (1, 'emile'), (2, 'Emile'), (3, 'EU')",
];
const REFERENCE_ROWS = "INSERT INTO un_ref (id, code, title) VALUES (1, 'EU', 'Europe'), (2, 'eu', 'europe'), (3, 'AS', 'Asia'), (4, 'OC', NULL)";

/** The shard server holding id's row. */
function shardOf(id: number): string {
  return new HashVindex().mapValue(sqlInt(BigInt(id)))![0]! < 0x80 ? "customer-80" : "customer80-";
}

interface Answer {
  columns: string[];
  rows: string[];
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (value instanceof Uint8Array) return `x'${Buffer.from(value).toString("hex")}'`;
  return JSON.stringify(value);
}

async function answer(connection: Connection, sql: string): Promise<Answer> {
  const [rows, fields] = (await connection.query(sql)) as [unknown[][], FieldPacket[]];
  return {
    columns: fields.map((f) => `${f.name} type=${f.columnType} decimals=${f.decimals} charset=${f.characterSet}${process.env.UN_FLAGS ? ` flags=${f.flags} org=${f.orgName}` : ""}`),
    rows: rows.map((row) => row.map(cell).join(", ")),
  };
}

async function errnoOf(connection: Connection, sql: string): Promise<number | undefined> {
  try {
    await connection.query(sql);
    return undefined;
  } catch (error) {
    return (error as { errno?: number }).errno;
  }
}

async function planOf(connection: Connection, sql: string): Promise<Record<string, unknown>> {
  const [rows] = await connection.query<RowDataPacket[]>({ sql: `EXPLAIN FORMAT=VITESS ${sql}`, rowsAsArray: false });
  return JSON.parse(String(rows[0]!["JSON"])) as Record<string, unknown>;
}

function operators(plan: Record<string, unknown>): string[] {
  const inputs = (plan["Inputs"] as Record<string, unknown>[] | undefined) ?? [];
  return [`${String(plan["OperatorType"])}${plan["Variant"] ? `:${String(plan["Variant"])}` : ""}`, ...inputs.flatMap(operators)];
}

describe("sharded keyspace: UNION against one plain database", () => {
  let gw: TestGateway;
  let gateway: Connection;
  let plain: Connection;

  before(async () => {
    gw = await startTestGateway((raw) => {
      const customer = (raw["vschema"] as Record<string, { tables: Record<string, unknown> }>)["customer"]!;
      for (const table of ["un_a", "un_b", "un_bin"]) customer.tables[table] = { column_vindexes: [{ column: "id", name: "hash" }] };
      customer.tables["un_ref"] = { type: "reference" };
    });
    gateway = await gw.connect({ ...OPTIONS, database: "customer" });
    for (const table of ["un_a", "un_b", "un_bin", "un_ref"]) await gateway.query(`DROP TABLE IF EXISTS ${table}`);
    for (const ddl of TABLES) await gateway.query(ddl);
    for (const insert of ROWS) await gateway.query(insert);
    for (const server of SHARD_SERVERS) {
      const shard = await connectDirect(server, OPTIONS);
      try {
        await shard.query(REFERENCE_ROWS);
      } finally {
        await shard.end();
      }
    }

    const direct = await connectDirect("commerce", OPTIONS);
    try {
      await direct.query(`CREATE DATABASE IF NOT EXISTS ${PLAIN} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
    } finally {
      await direct.end();
    }
    const commerce = getTestBackend("commerce");
    plain = await mysql.createConnection({ ...OPTIONS, host: commerce.host, port: commerce.port, user: commerce.user, password: commerce.password, database: PLAIN });
    for (const table of ["un_a", "un_b", "un_bin", "un_ref"]) await plain.query(`DROP TABLE IF EXISTS ${table}`);
    for (const ddl of TABLES) await plain.query(ddl);
    for (const insert of [...ROWS, REFERENCE_ROWS]) await plain.query(insert);
  });

  after(async () => {
    for (const table of ["un_a", "un_b", "un_bin", "un_ref"]) await gateway?.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
    await plain?.query(`DROP DATABASE IF EXISTS ${PLAIN}`).catch(() => {});
    await plain?.end().catch(() => {});
    await gw?.close();
  });

  it("the rows sit on both shards", () => {
    const shards = (ids: number[]) => new Set(ids.map(shardOf));
    assert.equal(shards([1, 2, 3, 4, 5, 6, 7, 8]).size, 2);
    assert.equal(shards([101, 102, 103, 104, 105, 106, 107, 108]).size, 2);
  });

  /** `ordered`: the union's ORDER BY makes the row order total, so it is compared too. */
  const SAME_ANSWER: { sql: string; ordered?: boolean }[] = [
    { sql: "SELECT name FROM un_a UNION ALL SELECT label FROM un_b" },
    { sql: "SELECT name FROM un_a UNION SELECT label FROM un_b" },
    { sql: "SELECT label FROM un_b UNION DISTINCT SELECT name FROM un_a" },
    { sql: "SELECT name, grp, amount FROM un_a UNION SELECT label, grp, amount FROM un_b" },
    { sql: "SELECT nick FROM un_b UNION SELECT name FROM un_a WHERE grp = 10" },
    { sql: "SELECT name FROM un_a UNION ALL SELECT label FROM un_b UNION SELECT name FROM un_a WHERE id = 1" },
    { sql: "SELECT name FROM un_a UNION SELECT label FROM un_b UNION ALL SELECT name FROM un_a WHERE grp = 10" },
    { sql: "SELECT name FROM un_a WHERE grp = 10 UNION ALL SELECT label FROM un_b WHERE grp = 10 UNION ALL SELECT name FROM un_a WHERE grp = 10" },
    { sql: "SELECT name AS n, id FROM un_a UNION ALL SELECT label, id FROM un_b ORDER BY n DESC, id LIMIT 6", ordered: true },
    { sql: "SELECT name FROM un_a UNION SELECT label FROM un_b ORDER BY 1 LIMIT 4 OFFSET 1", ordered: true },
    { sql: "SELECT name FROM un_a UNION SELECT label FROM un_b ORDER BY name DESC", ordered: true },
    { sql: "(SELECT name FROM un_a ORDER BY id LIMIT 3) UNION ALL (SELECT label FROM un_b ORDER BY id DESC LIMIT 2)" },
    { sql: "(SELECT name, id FROM un_a WHERE grp IS NOT NULL ORDER BY name LIMIT 4) UNION (SELECT label, id FROM un_b ORDER BY label DESC LIMIT 4) ORDER BY id LIMIT 5", ordered: true },
    { sql: "(SELECT name FROM un_a ORDER BY name DESC LIMIT 4) UNION SELECT label FROM un_b ORDER BY 1", ordered: true },
    { sql: "SELECT grp FROM un_a UNION SELECT grp FROM un_b ORDER BY grp", ordered: true },
    { sql: "SELECT amount FROM un_a UNION SELECT amount FROM un_b ORDER BY amount DESC", ordered: true },
    { sql: "SELECT id FROM un_a UNION SELECT grp FROM un_b ORDER BY 1", ordered: true },
    { sql: "SELECT grp FROM un_a UNION ALL SELECT -1 UNION ALL SELECT id FROM un_b WHERE id = 108" },
    { sql: "SELECT grp FROM un_a UNION SELECT amount FROM un_b ORDER BY 1 DESC", ordered: true },
    { sql: "SELECT amount FROM un_b UNION ALL SELECT grp FROM un_a UNION ALL SELECT 2.125" },
    { sql: "SELECT code FROM un_ref UNION SELECT name FROM un_a ORDER BY 1", ordered: true },
    { sql: "SELECT name FROM un_a WHERE id = 1 UNION SELECT label FROM un_b WHERE id = 101" },
    { sql: "SELECT name FROM un_a WHERE id = 2 UNION ALL SELECT label FROM un_b WHERE id = 103" },
    { sql: "SELECT name FROM un_a WHERE id IN (1, 2, 3) UNION ALL SELECT label FROM un_b WHERE id IN (101, 104)" },
    { sql: "SELECT name FROM un_a UNION SELECT 'EMILE' UNION SELECT 'new'" },
    { sql: "SELECT grp, COUNT(*) FROM un_a GROUP BY grp UNION ALL SELECT grp, COUNT(*) FROM un_b GROUP BY grp" },
    { sql: "SELECT grp, COUNT(*) AS n FROM un_a GROUP BY grp UNION SELECT grp, COUNT(*) FROM un_b GROUP BY grp ORDER BY grp, n", ordered: true },
    { sql: "SELECT DISTINCT grp FROM un_a UNION ALL SELECT DISTINCT grp FROM un_b" },
    { sql: "SELECT DISTINCT name FROM un_a UNION SELECT DISTINCT label FROM un_b ORDER BY 1 DESC", ordered: true },
    { sql: "SELECT MAX(amount), MIN(grp) FROM un_a UNION ALL SELECT MAX(amount), MIN(grp) FROM un_b" },
    { sql: "SELECT name FROM un_a UNION SELECT NULL FROM un_b" },
    { sql: "SELECT * FROM un_a UNION ALL SELECT id, label, grp, amount FROM un_b" },
    { sql: "SELECT name FROM un_a UNION SELECT title FROM un_ref ORDER BY 1", ordered: true },
  ];

  for (const { sql, ordered } of SAME_ANSWER) {
    it(`same answer: ${sql}`, async () => {
      const expected = await answer(plain, sql);
      const actual = await answer(gateway, sql);
      assert.deepEqual(actual.columns, expected.columns);
      if (ordered) assert.deepEqual(actual.rows, expected.rows);
      else assert.deepEqual([...actual.rows].sort(), [...expected.rows].sort());
    });
  }

  it("a cached plan binds new values into every part", async () => {
    for (const [a, b] of [[1, 101], [2, 102], [5, 105], [7, 107]] as const) {
      const sql = `SELECT name, id FROM un_a WHERE id = ${a} UNION SELECT label, id - 100 FROM un_b WHERE id = ${b} ORDER BY 2, 1`;
      assert.deepEqual(await answer(gateway, sql), await answer(plain, sql), sql);
    }
  });

  it("SELECTs by shard key whose values land on one shard run there whole; otherwise apart, or refused", async () => {
    // Ids 1, 2 and 3 live on -80, 4 and 6 on 80-; un_bin's rows all on -80.
    for (const sql of [
      "SELECT * FROM un_a WHERE id = 1 UNION SELECT * FROM un_a WHERE id = 3",
      "SELECT name FROM un_a WHERE id = 2 UNION SELECT name FROM un_bin WHERE id = 3",
      "SELECT name FROM un_bin WHERE id = 1 UNION SELECT name FROM un_a WHERE id = 1 UNION SELECT title FROM un_ref",
      "SELECT grp FROM un_a WHERE id = 1 UNION SELECT CONCAT(label, '!') FROM un_b WHERE id = 103 ORDER BY 1",
    ]) {
      assert.deepEqual(await answer(gateway, sql), await answer(plain, sql), sql);
    }
    const plan = await planOf(gateway, "SELECT * FROM un_a WHERE id = 1 UNION SELECT * FROM un_a WHERE id = 4");
    assert.equal(plan["OperatorType"], "SingleShardUnion");
    assert.match(String(plan["Apart"]), /SELECT \*/);
    for (const sql of [
      "SELECT * FROM un_a WHERE id = 1 UNION SELECT * FROM un_a WHERE id = 4",
      "SELECT name FROM un_a WHERE id = 6 UNION SELECT name FROM un_bin WHERE id = 3",
      "SELECT grp FROM un_a WHERE id = 4 UNION SELECT CONCAT(label, '!') FROM un_b WHERE id = 103 ORDER BY 1",
    ]) {
      assert.equal(await errnoOf(gateway, sql), 1235, sql);
    }
    const apart = "SELECT name FROM un_a WHERE id = 4 UNION SELECT label FROM un_b WHERE id = 103";
    assert.deepEqual((await answer(gateway, apart)).rows.sort(), (await answer(plain, apart)).rows.sort());
  });

  it("errors the server would give: column counts, unknown and qualified ORDER BY columns, ORDER BY inside an unparenthesized part", async () => {
    for (const sql of [
      "SELECT name, grp FROM un_a UNION SELECT label FROM un_b",
      "SELECT name FROM un_a UNION SELECT label FROM un_b ORDER BY label",
      "SELECT name FROM un_a UNION SELECT label FROM un_b ORDER BY un_a.name",
    ]) {
      assert.equal(await errnoOf(gateway, sql), await errnoOf(plain, sql), sql);
    }
    assert.notEqual(await errnoOf(gateway, "SELECT name FROM un_a LIMIT 1 UNION SELECT label FROM un_b"), undefined);
  });

  it("refuses (1235) what it cannot answer exactly", async () => {
    for (const sql of [
      // INT and DATE: the server would turn both into text.
      "SELECT grp FROM un_a UNION SELECT CURDATE() FROM un_b",
      // VARCHAR (general_ci) and VARCHAR (utf8mb4_bin): weights of two collations do not compare.
      "SELECT name FROM un_a UNION SELECT name FROM un_bin",
      // Across keyspaces.
      "SELECT name FROM un_a UNION SELECT description FROM commerce.product",
      "SELECT name FROM un_a UNION ALL SELECT description FROM commerce.product",
      // The width of * is unknown while planning the weights.
      "SELECT * FROM un_a UNION SELECT * FROM un_a",
      // ORDER BY an expression of the union's columns.
      "SELECT name FROM un_a UNION SELECT label FROM un_b ORDER BY UPPER(name)",
    ]) {
      assert.equal(await errnoOf(gateway, sql), 1235, sql);
    }
    // A refusal leaves the connection usable.
    assert.deepEqual((await answer(gateway, "SELECT name FROM un_a WHERE id = 1 UNION SELECT 'x'")).rows.sort(), ['"x"', '"Émile"']);
  });

  it("a union whose SELECTs all read reference tables (or no table) runs whole on one shard", async () => {
    for (const sql of [
      "SELECT code FROM un_ref UNION SELECT title FROM un_ref ORDER BY 1",
      "SELECT code FROM un_ref WHERE code = 'EU' UNION ALL SELECT 'x' UNION SELECT title FROM un_ref",
      "(SELECT code FROM un_ref ORDER BY code LIMIT 2) UNION (SELECT 'x') ORDER BY 1 DESC LIMIT 2",
    ]) {
      const plan = await planOf(gateway, sql);
      assert.equal(plan["OperatorType"], "Route", sql);
      assert.equal(plan["Variant"], "Reference", sql);
      assert.equal((String(plan["Query"]).match(/\bUNION\b/g) ?? []).length, (sql.match(/\bUNION\b/g) ?? []).length, sql);
      const expected = await answer(plain, sql);
      const actual = await answer(gateway, sql);
      assert.deepEqual(actual.columns, expected.columns, sql);
      assert.deepEqual([...actual.rows].sort(), [...expected.rows].sort(), sql);
    }
    const unsharded = await planOf(gateway, "SELECT sku FROM commerce.product UNION SELECT description FROM commerce.product");
    assert.deepEqual([unsharded["OperatorType"], unsharded["Variant"], unsharded["Keyspace"]], ["Route", "Unsharded", { Name: "commerce", Sharded: false }]);
    const [rows] = await gateway.query("SELECT sku FROM commerce.product UNION SELECT description FROM commerce.product");
    assert.ok(Array.isArray(rows));
  });

  it("EXPLAIN FORMAT=VITESS shows the union's tree", async () => {
    const all = await planOf(gateway, "SELECT name FROM un_a UNION ALL SELECT label FROM un_b WHERE id = 101");
    assert.deepEqual(operators(all), ["Concatenate", "Route:Scatter", "Route:EqualUnique"]);
    const mixed = await planOf(gateway, "SELECT name FROM un_a UNION SELECT label FROM un_b UNION ALL SELECT title FROM un_ref ORDER BY 1 LIMIT 3");
    assert.deepEqual(operators(mixed), ["SimpleProjection", "Limit", "Sort:Memory", "Concatenate", "Distinct", "Concatenate", "Route:Scatter", "Route:Scatter", "Route:Reference"]);
    const route = JSON.stringify(mixed);
    assert.match(route, /WEIGHT_STRING\(RTRIM\(label\)\), COLLATION\(label\)/);
  });
});
