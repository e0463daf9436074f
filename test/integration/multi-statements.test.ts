import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ResultSetHeader, RowDataPacket } from "mysql2/promise";
import { startTestGateway, type TestGateway } from "../support/gateway.ts";

describe("multi-statement batches and CALL on an unsharded keyspace", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
    const setup = await gw.connect({ database: "commerce", multipleStatements: true });
    await setup.query(`
      CREATE TABLE IF NOT EXISTS multi_t (id INT PRIMARY KEY, v VARCHAR(10));
      DELETE FROM multi_t;
      DROP PROCEDURE IF EXISTS two_results;
      CREATE PROCEDURE two_results() BEGIN SELECT 1 AS a; SELECT 'x' AS b, 2 AS c; END`);
  });
  after(() => gw.close());

  it("returns one result per statement, in order", async () => {
    const c = await gw.connect({ database: "commerce", multipleStatements: true });
    const [results] = await c.query<RowDataPacket[][]>("SELECT 1 AS one; INSERT INTO multi_t VALUES (1, 'a'); SELECT v FROM multi_t WHERE id = 1");
    assert.equal(results.length, 3);
    assert.deepEqual(results[0], [{ one: 1 }]);
    assert.equal((results[1] as unknown as ResultSetHeader).affectedRows, 1);
    assert.deepEqual(results[2], [{ v: "a" }]);
  });

  it("stops the batch at the failing statement, as MySQL does, and the connection stays usable", async () => {
    const c = await gw.connect({ database: "commerce", multipleStatements: true });
    await assert.rejects(c.query("INSERT INTO multi_t VALUES (2, 'b'); SELECT * FROM no_such_table; INSERT INTO multi_t VALUES (3, 'c')"), { errno: 1146 });
    const [rows] = await c.query<RowDataPacket[]>("SELECT id FROM multi_t WHERE id IN (2, 3) ORDER BY id");
    assert.deepEqual(rows, [{ id: 2 }], "the statement before the error ran, the one after did not");
  });

  it("without CLIENT_MULTI_STATEMENTS a batch is a syntax error from the server", async () => {
    const c = await gw.connect({ database: "commerce" });
    await assert.rejects(c.query("SELECT 1; SELECT 2"), { errno: 1064 });
  });

  it("streams every result set of a CALL", async () => {
    const c = await gw.connect({ database: "commerce" });
    const [results] = await c.query<RowDataPacket[][]>("CALL two_results()");
    assert.deepEqual(results[0], [{ a: 1 }]);
    assert.deepEqual(results[1], [{ b: "x", c: 2 }]);
    assert.equal((results[2] as unknown as ResultSetHeader).affectedRows, 0);
  });

  it("session state set inside a batch stays with the session (its connection is reserved)", async () => {
    const c = await gw.connect({ database: "commerce", multipleStatements: true });
    await c.query("SET @in_batch = 42; SELECT 1");
    for (let i = 0; i < 3; i++) {
      // Another client of the same flavor takes whatever connection is idle and holds it in a transaction:
      // had the batch's connection gone back to the pool, it would be that one, and @in_batch would be lost.
      const other = await gw.connect({ database: "commerce", multipleStatements: true });
      await other.query("BEGIN");
      await other.query("SELECT 1");
      const [rows] = await c.query<RowDataPacket[]>("SELECT @in_batch AS v");
      assert.deepEqual(rows, [{ v: 42 }]);
    }
  });
});
