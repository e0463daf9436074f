/**
 * HAVING and select items over aggregates on keyspace `customer` (two shards), computed by the gateway
 * over the merged groups: each answer (column names, types, decimals, values as the server's own text)
 * must be the one a plain database with the same rows gives. Shapes the gateway cannot compute exactly
 * must be refused with ER 1235, not answered.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import mysql, { type Connection, type FieldPacket } from "mysql2/promise";
import { connectDirect, startTestGateway, type TestGateway } from "../support/gateway.ts";

const PLAIN_DATABASE = "hv_plain";
const ER_NOT_SUPPORTED_YET = 1235;

const OPTIONS: mysql.ConnectionOptions = {
  charset: "UTF8MB4_GENERAL_CI",
  dateStrings: true,
  supportBigNumbers: true,
  bigNumberStrings: true,
  decimalNumbers: false,
  rowsAsArray: true,
  // The server's own text for every value (DOUBLEs included), so values compare exactly.
  typeCast: (field, next) => (field.type === "DOUBLE" || field.type === "FLOAT" || field.type === "NEWDECIMAL" ? field.string() : next()),
};

const TABLES = [
  `CREATE TABLE hv_sales (
    id BIGINT NOT NULL PRIMARY KEY,
    region VARCHAR(16) NOT NULL,
    g INT NOT NULL,
    qty INT NULL,
    price DECIMAL(10,2) NULL,
    amount DOUBLE NOT NULL,
    uq BIGINT UNSIGNED NOT NULL,
    sold DATE NOT NULL
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci`,
  `CREATE TABLE hv_events (
    id BIGINT NOT NULL PRIMARY KEY,
    kind INT NOT NULL,
    score DECIMAL(8,3) NOT NULL,
    w INT NOT NULL
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci`,
];

/** 48 sales over 5 groups and 4 regions (plus one region whose quantities are all NULL); DOUBLEs are dyadic so sums are exact in any order. */
function salesRows(): string[] {
  const regions = ["north", "south", "east", "west"];
  const rows: string[] = [];
  for (let i = 1; i <= 48; i++) {
    const region = i % 11 === 0 ? "'none'" : `'${regions[i % 4]}'`;
    const qty = i % 11 === 0 || i % 7 === 0 ? "NULL" : String((i * 7) % 23 - 3);
    const price = i % 13 === 0 ? "NULL" : `${(i * 37) % 50}.${String((i * 17) % 100).padStart(2, "0")}`;
    const amount = `${(i * 5) % 31}.${["0", "5", "25", "125"][i % 4]}`;
    rows.push(`(${i}, ${region}, ${(i % 5) + 1}, ${qty}, ${price}, ${amount}, ${18446744073709551000n - BigInt(i * 1000)}, '2024-01-${String((i % 28) + 1).padStart(2, "0")}')`);
  }
  return [`INSERT INTO hv_sales (id, region, g, qty, price, amount, uq, sold) VALUES ${rows.join(", ")}`];
}

function eventRows(): string[] {
  const rows: string[] = [];
  for (let i = 1; i <= 30; i++) rows.push(`(${i}, ${i % 4}, ${(i * 13) % 17}.${String((i * 7) % 1000).padStart(3, "0")}, ${i % 3})`);
  // Kind 9 sums to exactly 1.000: SUM(score)/3 is 0.333333333 inside the server, printed 0.3333333.
  rows.push("(101, 9, 0.250, 1)", "(102, 9, 0.750, 2)");
  return [`INSERT INTO hv_events (id, kind, score, w) VALUES ${rows.join(", ")}`];
}

/** Queries whose answers must match; those without a total ORDER BY are compared as multisets. */
const SAME: { sql: string; ordered?: false }[] = [
  // HAVING by alias, by the same aggregate as an item, by aggregates the select list lacks.
  { sql: "SELECT g, COUNT(*) AS n FROM hv_sales GROUP BY g HAVING n > 9 ORDER BY g" },
  { sql: "SELECT g, COUNT(*) FROM hv_sales GROUP BY g HAVING count( * ) >= 10 ORDER BY g" },
  { sql: "SELECT g FROM hv_sales GROUP BY g HAVING SUM(price) > 220 ORDER BY g" },
  { sql: "SELECT region, SUM(qty) FROM hv_sales GROUP BY region HAVING AVG(price) > 24 ORDER BY region" },
  { sql: "SELECT g, MAX(price) FROM hv_sales GROUP BY g HAVING g IN (1, 3, 5) ORDER BY g" },
  { sql: "SELECT g, SUM(qty) FROM hv_sales GROUP BY g HAVING SUM(qty) BETWEEN 50 AND 110 ORDER BY g" },
  { sql: "SELECT g, SUM(qty) FROM hv_sales GROUP BY g HAVING SUM(qty) NOT BETWEEN 50 AND 110 ORDER BY g" },
  { sql: "SELECT g FROM hv_sales GROUP BY g HAVING (COUNT(*) > 9 OR MIN(price) < 5) AND MAX(qty) IS NOT NULL ORDER BY g" },
  { sql: "SELECT g FROM hv_sales GROUP BY g HAVING NOT (SUM(qty) > 70) ORDER BY g" },
  { sql: "SELECT g, SUM(price) FROM hv_sales GROUP BY g HAVING SUM(price) / COUNT(*) > 22.5 ORDER BY g" },
  { sql: "SELECT g, SUM(qty) FROM hv_sales GROUP BY g HAVING SUM(qty) DIV 10 % 2 = 1 ORDER BY g" },
  { sql: "SELECT region FROM hv_sales GROUP BY region HAVING MAX(qty) <=> NULL ORDER BY region" },
  { sql: "SELECT region, COUNT(*) FROM hv_sales GROUP BY region HAVING SUM(qty) IS NULL OR COUNT(*) < 3 ORDER BY region" },
  { sql: "SELECT g FROM hv_sales GROUP BY g HAVING (COUNT(*) > 9) XOR (SUM(price) > 250) ORDER BY g" },
  { sql: "SELECT g, COUNT(DISTINCT region) FROM hv_sales GROUP BY g HAVING COUNT(DISTINCT region) > 4 ORDER BY g" },
  { sql: "SELECT COUNT(*), SUM(price) FROM hv_sales HAVING COUNT(*) > 10" },
  { sql: "SELECT COUNT(*) FROM hv_sales HAVING COUNT(*) > 1000" },
  { sql: "SELECT g, SUM(price) / COUNT(*) AS avgp FROM hv_sales GROUP BY g HAVING avgp > 23 ORDER BY g" },
  { sql: "SELECT g, SUM(amount) FROM hv_sales GROUP BY g HAVING SUM(amount) > 150.5 ORDER BY g" },
  { sql: "SELECT g FROM hv_sales GROUP BY g HAVING MIN(qty) <> -1 AND MAX(qty) != 19 ORDER BY g" },
  { sql: "SELECT g, SUM(price) FROM hv_sales GROUP BY g HAVING SUM(price) > 230.75 AND g > 1 ORDER BY g" },
  { sql: "SELECT g, COUNT(*) AS n FROM hv_sales WHERE id > 5 GROUP BY g HAVING n + 1 > 9 ORDER BY n DESC, g LIMIT 3" },
  // Conditions on GROUP BY columns alone (text, dates) go to the shards, which compare with the collation.
  { sql: "SELECT region, COUNT(*) FROM hv_sales GROUP BY region HAVING region > 'n' ORDER BY region" },
  { sql: "SELECT region, SUM(qty) FROM hv_sales GROUP BY region HAVING region IN ('NORTH', 'none', 'West') AND COUNT(*) > 5 ORDER BY region" },
  { sql: "SELECT sold, COUNT(*) FROM hv_sales GROUP BY sold HAVING sold BETWEEN '2024-01-05' AND '2024-01-12' AND COUNT(*) > 1 ORDER BY sold" },
  // Select items over aggregates: the gateway's value, in the column the server defines.
  { sql: "SELECT g, SUM(price) / COUNT(*) FROM hv_sales GROUP BY g ORDER BY g" },
  { sql: "SELECT g, COUNT(*) + 1, SUM(qty) * 2, -SUM(qty), SUM(qty) - COUNT(qty) FROM hv_sales GROUP BY g ORDER BY g" },
  { sql: "SELECT g, ROUND(AVG(price), 2), TRUNCATE(SUM(price) / 3, 1), FLOOR(AVG(qty)), CEIL(SUM(price) / 7) FROM hv_sales GROUP BY g ORDER BY g" },
  { sql: "SELECT region, SUM(amount) / COUNT(*), SUM(amount) * 2, ROUND(SUM(amount) / 3, 2) FROM hv_sales GROUP BY region ORDER BY region" },
  { sql: "SELECT region, IFNULL(SUM(qty), 0), COALESCE(MAX(qty), MIN(price), 0) FROM hv_sales GROUP BY region ORDER BY region" },
  { sql: "SELECT COUNT(*) / 2, COUNT(*) DIV 2, COUNT(*) % 3, SUM(qty) % 7, SUM(price) / SUM(qty) FROM hv_sales" },
  { sql: "SELECT g, SUM(price) - MIN(price), MAX(price) - MIN(price), ABS(MIN(qty) - MAX(qty)) FROM hv_sales GROUP BY g ORDER BY g" },
  { sql: "SELECT g, AVG(price), AVG(price) * 2, SUM(price) / COUNT(price) - AVG(price) FROM hv_sales GROUP BY g HAVING AVG(price) > 25.5 ORDER BY g" },
  { sql: "SELECT g, MAX(uq) - MIN(uq), COUNT(*) > 9 AS big, IF(COUNT(*) > 9, SUM(qty), 0) FROM hv_sales GROUP BY g ORDER BY g" },
  { sql: "SELECT g, SUM(price) / COUNT(*) AS a FROM hv_sales GROUP BY g ORDER BY a DESC LIMIT 2" },
  { sql: "SELECT g, SUM(qty) / (COUNT(*) - COUNT(*)) FROM hv_sales GROUP BY g ORDER BY g" },
  { sql: "SELECT region, SUM(qty) * 1.5 + 0.25, SUM(amount) + SUM(qty) FROM hv_sales GROUP BY region ORDER BY region" },
  // ORDER BY expressions over aggregates the select list lacks.
  { sql: "SELECT g FROM hv_sales GROUP BY g ORDER BY SUM(price) / COUNT(*) DESC, g" },
  { sql: "SELECT region FROM hv_sales GROUP BY region ORDER BY AVG(qty), region" },
  // A second table: DECIMAL(8,3) over INT, and an AVG's internal precision in arithmetic.
  { sql: "SELECT kind, SUM(score) / SUM(w), AVG(score) * 3, SUM(score) / 7 * 7 FROM hv_events GROUP BY kind ORDER BY kind" },
  { sql: "SELECT kind, COUNT(*) FROM hv_events GROUP BY kind HAVING AVG(score) * 3 > 20 AND SUM(w) % 2 = 0 ORDER BY kind" },
  // DISTINCT over grouped rows, after HAVING; HAVING without grouping under DISTINCT filters rows on the shards.
  { sql: "SELECT DISTINCT COUNT(*) FROM hv_sales GROUP BY g HAVING COUNT(*) > 1", ordered: false },
  { sql: "SELECT DISTINCT COUNT(*) > 9, SUM(qty) > 60 FROM hv_sales GROUP BY g", ordered: false },
  { sql: "SELECT DISTINCT g FROM hv_sales HAVING g > 2", ordered: false },
];

/** Shapes the gateway cannot compute exactly: ER 1235, before any row is sent. */
const REFUSED: string[] = [
  "SELECT region, MAX(region) FROM hv_sales GROUP BY region HAVING MAX(region) > 'm'",
  "SELECT g FROM hv_sales GROUP BY g HAVING MAX(region) > 5",
  "SELECT g, CONCAT(COUNT(*), 'x') FROM hv_sales GROUP BY g",
  "SELECT g FROM hv_sales GROUP BY g HAVING COUNT(*) > 1 OR SUM(qty) > 5 AND g = 1",
  "SELECT g FROM hv_sales GROUP BY g HAVING SUM(qty) > 1 || g = 2",
  "SELECT g FROM hv_sales GROUP BY g HAVING SUM(price) LIKE '1%'",
  "SELECT g, MAX(sold) + 1 FROM hv_sales GROUP BY g",
  "SELECT g, STDDEV(qty) FROM hv_sales GROUP BY g",
  "SELECT g FROM hv_sales GROUP BY g HAVING GREATEST(SUM(qty), 1) > 3",
  // MySQL compares the quotient's full 0.333333333, MariaDB its printed 0.3333333: they disagree.
  "SELECT kind FROM hv_events GROUP BY kind HAVING SUM(score) / 3 = 0.3333333",
];

interface Answer {
  fields: { name: string; columnType: number | undefined; decimals: number }[];
  rows: string[];
}

async function answer(connection: Connection, sql: string, ordered: boolean): Promise<Answer> {
  const [rows, fields] = (await connection.query(sql)) as [unknown[][], FieldPacket[]];
  const text = rows.map((row) => JSON.stringify(row.map((v) => (v === null ? null : String(v)))));
  return {
    fields: fields.map((f) => ({ name: f.name, columnType: f.columnType, decimals: f.decimals })),
    rows: ordered ? text : text.sort(),
  };
}

describe("sharded HAVING and expressions over aggregates", () => {
  let gw: TestGateway;
  let gateway: Connection;
  let plain: Connection;

  before(async () => {
    gw = await startTestGateway((raw) => {
      const vschema = raw.vschema as { customer: { tables: Record<string, unknown> } };
      vschema.customer.tables.hv_sales = { column_vindexes: [{ column: "id", name: "hash" }] };
      vschema.customer.tables.hv_events = { column_vindexes: [{ column: "id", name: "hash" }] };
    });
    gateway = await gw.connect({ ...OPTIONS, database: "customer" });
    const direct = await connectDirect("commerce", OPTIONS);
    await direct.query(`CREATE DATABASE IF NOT EXISTS ${PLAIN_DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
    await direct.end();
    plain = await connectDirect("commerce", { ...OPTIONS, database: PLAIN_DATABASE });
    const inserts = [...salesRows(), ...eventRows()];
    for (const side of [gateway, plain]) {
      await side.query("DROP TABLE IF EXISTS hv_sales, hv_events");
      for (const ddl of TABLES) await side.query(ddl);
      for (const insert of inserts) await side.query(insert);
    }
  });

  after(async () => {
    await gateway?.query("DROP TABLE IF EXISTS hv_sales, hv_events").catch(() => {});
    await plain?.query(`DROP DATABASE IF EXISTS ${PLAIN_DATABASE}`).catch(() => {});
    await plain?.end().catch(() => {});
    await gw?.close();
  });

  it("spreads the rows over both shards", async () => {
    for (const server of ["customer-80", "customer80-"]) {
      const shard = await connectDirect(server, OPTIONS);
      try {
        const [rows] = (await shard.query("SELECT COUNT(*) FROM hv_sales")) as [unknown[][], FieldPacket[]];
        assert.ok(Number(rows[0]![0]) > 5, `${server} holds ${String(rows[0]![0])} rows`);
      } finally {
        await shard.end();
      }
    }
  });

  for (const { sql, ordered } of SAME) {
    it(`same answer: ${sql}`, async () => {
      const expected = await answer(plain, sql, ordered !== false);
      const actual = await answer(gateway, sql, ordered !== false);
      assert.deepEqual(actual.fields, expected.fields, "column definitions");
      assert.deepEqual(actual.rows, expected.rows, "rows");
    });
  }

  for (const sql of REFUSED) {
    it(`refused: ${sql}`, async () => {
      await assert.rejects(gateway.query(sql), (error: { errno?: number; message?: string }) => {
        assert.equal(error.errno, ER_NOT_SUPPORTED_YET, String(error.message));
        return true;
      });
      // The same connection still answers.
      await gateway.query("SELECT 1");
    });
  }

  it("explains the gateway's HAVING and computed columns", async () => {
    const [rows] = (await gateway.query(
      "EXPLAIN FORMAT=VITESS SELECT g, SUM(price) / COUNT(*) FROM hv_sales GROUP BY g HAVING SUM(qty) > 10",
    )) as [unknown[][], FieldPacket[]];
    const plan = String(rows[0]![0]);
    assert.match(plan, /"OperatorType": ?"Filter"/);
    assert.match(plan, /"Predicate": ?"SUM\(qty\) > :__sg\d+"/);
    assert.match(plan, /"OperatorType": ?"Projection"/);
    const [pushed] = (await gateway.query(
      "EXPLAIN FORMAT=VITESS SELECT region, COUNT(*) FROM hv_sales GROUP BY region HAVING region > 'n' AND COUNT(*) > 1",
    )) as [unknown[][], FieldPacket[]];
    assert.match(String(pushed[0]![0]), /HAVING \(region > :__sg0\)/);
    assert.match(String(pushed[0]![0]), /"Predicate": ?"COUNT\(\*\) > :__sg1"/);
  });
});
