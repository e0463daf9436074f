/**
 * Command-line clients against the gateway's unsharded keyspace: the `mariadb` client (one statement
 * with -e, a script on stdin, errors and --force) and sysbench's oltp_point_select (prepare, then a
 * run with server-side prepared statements). The `mariadb --ssl` case is in tls.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Connection, RowDataPacket } from "mysql2/promise";
import { connectDirect, startTestGateway, type TestGateway } from "../support/gateway.ts";
import { runtimeName } from "../support/runtime.ts";
import { runProgram, type ProgramOutcome } from "../support/run-program.ts";

const TABLE = "cli_item";



async function findProgram(...names: string[]): Promise<string | undefined> {
  const found = await runProgram("sh", ["-c", names.map((name) => `command -v ${name}`).join(" || ")]);
  return found.status === 0 ? found.stdout.trim() : undefined;
}

function succeeded(outcome: ProgramOutcome, what: string): string {
  assert.equal(outcome.status, 0, `${what} exited with ${outcome.status}: ${outcome.stderr}${outcome.stdout.slice(-2000)}`);
  return outcome.stdout;
}

async function comStmtExecuteCount(direct: Connection): Promise<number> {
  const [rows] = await direct.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Com_stmt_execute'");
  return Number(rows[0]!.Value);
}

describe(`command-line clients (${runtimeName})`, () => {
  let gw: TestGateway;
  let cli: string;
  const connectArgs = () => ["-h127.0.0.1", `-P${gw.port}`, "-uapp", "-papp-secret", "--batch", "commerce"];
  const mariadb = (args: readonly string[], input?: string) => runProgram(cli, [...connectArgs(), ...args], input);

  before(async () => {
    gw = await startTestGateway();
    // .ci/run installs mariadb-client with the server: the client is required, not optional.
    const found = await findProgram("mariadb", "mysql");
    if (found === undefined) throw new Error("neither `mariadb` nor `mysql` is on PATH: apt-get install mariadb-client");
    cli = found;
  });
  after(async () => {
    const direct = await connectDirect("commerce");
    await direct.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await direct.query("DROP TABLE IF EXISTS sbtest1");
    await direct.end();
    await gw.close();
  });

  it("mariadb -e: one query, tab-separated rows; values the gateway answers itself", async () => {
    const products = succeeded(await mariadb(["-e", "SELECT sku, price FROM product WHERE sku IN ('SKU-1001', 'SKU-1003') ORDER BY sku"]), "mariadb -e");
    assert.equal(products, "sku\tprice\nSKU-1001\t189.00\nSKU-1003\t19.99\n");
    const own = succeeded(await mariadb(["--skip-column-names", "-e", "SELECT DATABASE(), @@version_comment; SELECT 1 + 1"]), "mariadb -e");
    assert.equal(own, "commerce\tshardgate\n2\n");
  });

  it("mariadb < script: DDL, writes, a rolled-back transaction, session SETs and selects, in order", async () => {
    const script = `
      DROP TABLE IF EXISTS ${TABLE};
      CREATE TABLE ${TABLE} (id INT PRIMARY KEY, name VARCHAR(20) CHARACTER SET utf8mb4 NOT NULL);
      INSERT INTO ${TABLE} VALUES (1, 'one'), (2, 'two'), (3, 'três ✓');
      BEGIN;
      UPDATE ${TABLE} SET name = 'uno' WHERE id = 1;
      SELECT name FROM ${TABLE} WHERE id = 1;
      ROLLBACK;
      UPDATE ${TABLE} SET name = CONCAT(name, '!') WHERE id >= 2;
      SELECT ROW_COUNT() AS changed;
      -- ANSI_QUOTES makes "name" an identifier: the session's sql_mode must follow every statement.
      SET SESSION sql_mode = 'ANSI_QUOTES';
      SELECT "name" FROM ${TABLE} WHERE id = 1;
      SET @who = 'cli';
      SELECT id, name, @who AS who FROM ${TABLE} ORDER BY id;
    `;
    const out = succeeded(await mariadb([], script), "mariadb < script");
    assert.equal(out, ["name", "uno", "changed", "2", "name", "one", "id\tname\twho", "1\tone\tcli", "2\ttwo!\tcli", "3\ttrês ✓!\tcli", ""].join("\n"));
  });

  it("a failing statement stops the script with the server's error (line, code, SQLSTATE); --force goes on", async () => {
    const script = [
      `INSERT INTO ${TABLE} VALUES (10, 'ten');`,
      `INSERT INTO ${TABLE} VALUES (10, 'again');`,
      `INSERT INTO ${TABLE} VALUES (11, 'eleven');`,
      `SELECT GROUP_CONCAT(id ORDER BY id) AS ids FROM ${TABLE} WHERE id >= 10;`,
    ].join("\n");
    const stopped = await mariadb([], script);
    assert.equal(stopped.status, 1);
    assert.match(stopped.stderr, /^ERROR 1062 \(23000\) at line 2: Duplicate entry '10' for key 'PRIMARY'$/m);
    assert.equal(stopped.stdout, "");
    const direct = await connectDirect("commerce");
    const [rows] = await direct.query<RowDataPacket[]>(`SELECT id FROM ${TABLE} WHERE id >= 10 ORDER BY id`);
    await direct.end();
    assert.deepEqual(rows.map((row) => row.id), [10], "nothing after the error ran");

    await connectDirect("commerce").then(async (c) => {
      await c.query(`DELETE FROM ${TABLE} WHERE id >= 10`);
      await c.end();
    });
    const forced = await mariadb(["--force"], script);
    // As straight to MariaDB: with --force the client exits 0 and only prints the error.
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(forced.stderr, /ERROR 1062 \(23000\) at line 2/);
    assert.equal(forced.stdout, "ids\n10,11\n");
    const unknown = await mariadb(["-e", "SELECT * FROM no_such_table"]);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /ERROR 1146 \(42S02\) at line 1: Table 'commerce\.no_such_table' doesn't exist/);
  });

  it("sysbench oltp_point_select: prepare a small table, then a 2 s run with --db-ps-mode=auto, no errors", async () => {
    const sysbench = await findProgram("sysbench");
    if (sysbench === undefined) throw new Error("sysbench is not on PATH: apt-get install sysbench (the bench uses it too)");
    // The argument shapes of bench/lib/sysbench.ts.
    const common = [
      "oltp_point_select",
      "--db-driver=mysql",
      "--mysql-host=127.0.0.1",
      `--mysql-port=${gw.port}`,
      "--mysql-user=app",
      "--mysql-password=app-secret",
      "--mysql-db=commerce",
      "--mysql-ssl=off",
      "--tables=1",
      "--table-size=200",
    ];
    succeeded(await runProgram(sysbench, [...common, "cleanup"]), "sysbench cleanup");
    const prepared = succeeded(await runProgram(sysbench, [...common, "prepare"]), "sysbench prepare");
    assert.match(prepared, /Inserting 200 records into 'sbtest1'/);
    const direct = await connectDirect("commerce");
    try {
      const [count] = await direct.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM sbtest1");
      assert.equal(Number(count[0]!.n), 200);
      const executesBefore = await comStmtExecuteCount(direct);
      const report = succeeded(
        await runProgram(sysbench, [...common, "--threads=2", "--time=2", "--events=0", "--db-ps-mode=auto", "--rand-type=uniform", "run"]),
        "sysbench run",
      );
      const stat = (name: string): number => {
        const match = new RegExp(`^\\s*${name}:\\s+(\\d+)`, "m").exec(report);
        assert.ok(match?.[1] !== undefined, `no "${name}" in sysbench's report:\n${report}`);
        return Number(match[1]);
      };
      const queries = stat("queries");
      assert.ok(queries > 0, `sysbench ran no query:\n${report}`);
      assert.equal(stat("read"), queries);
      assert.equal(stat("ignored errors"), 0);
      assert.equal(stat("reconnects"), 0);
      // Every point select reached MariaDB as COM_STMT_EXECUTE (other test files may add more).
      assert.ok((await comStmtExecuteCount(direct)) - executesBefore >= queries, "the run used server-side prepared statements");
    } finally {
      await direct.end();
    }
  });
});
