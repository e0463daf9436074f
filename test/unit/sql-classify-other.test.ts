import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { classifyStatement, type OtherStatement } from "../../src/core/sql/classify.ts";

function other(sql: string): OtherStatement {
  const c = classifyStatement(sql);
  assert.equal(c.kind, "other", `${sql} → ${JSON.stringify(c)}`);
  return c as OtherStatement;
}

describe("classify: other statements", () => {
  test("first keyword: plain, parenthesised, after CTEs", () => {
    assert.equal(other("select 1 from t").firstKeyword, "SELECT");
    assert.equal(other("  ((SELECT 1) UNION (SELECT 2))").firstKeyword, "SELECT");
    assert.equal(other("WITH a AS (SELECT 1), b (x, y) AS (SELECT 2, 3) SELECT * FROM a, b").firstKeyword, "SELECT");
    assert.equal(other("WITH RECURSIVE c AS (SELECT 1 UNION ALL SELECT n+1 FROM c) UPDATE t SET x = 1").firstKeyword, "UPDATE");
    assert.equal(other("with c as (select 1) delete from t").firstKeyword, "DELETE");
    assert.equal(other("WITH c AS (SELECT 1) (SELECT * FROM c)").firstKeyword, "SELECT");
    assert.equal(other("WITH broken").firstKeyword, "WITH");
    assert.equal(other("analyze table t").firstKeyword, "ANALYZE");
    assert.equal(other("42").firstKeyword, "");
  });

  test("read-only statements", () => {
    for (const sql of [
      "SELECT * FROM t", "(SELECT 1)", "TABLE t", "VALUES ROW(1)", "SHOW TABLES", "DESCRIBE t", "DESC t", "EXPLAIN SELECT 1",
      "EXPLAIN UPDATE t SET a = 1", "EXPLAIN ANALYZE SELECT 1", "EXPLAIN FORMAT=TREE ANALYZE SELECT 1", "HELP 'x'",
      "WITH c AS (SELECT 1) SELECT * FROM c", "SELECT * FROM t FOR UPDATE", "SELECT 1 INTO @x", "SELECT 1; SELECT 2",
    ]) {
      assert.equal(other(sql).isReadOnly, true, sql);
    }
  });

  test("statements that write, execute code or files", () => {
    for (const sql of [
      "INSERT INTO t VALUES (1)", "UPDATE t SET a = 1", "DELETE FROM t", "REPLACE INTO t VALUES (1)", "CALL p()",
      "DO SLEEP(1)", "CREATE TABLE t (a INT)", "SELECT * FROM t INTO OUTFILE '/tmp/x'", "SELECT a INTO DUMPFILE '/tmp/y' FROM t",
      "WITH c AS (SELECT 1) DELETE FROM t", "EXPLAIN ANALYZE UPDATE t SET a = 1", "SELECT 1; DELETE FROM t", "ANALYZE SELECT 1",
      "LOCK TABLES t READ",
    ]) {
      assert.equal(other(sql).isReadOnly, false, sql);
    }
  });

  test("locking reads", () => {
    for (const sql of ["SELECT * FROM t FOR UPDATE", "SELECT * FROM t FOR SHARE NOWAIT", "SELECT * FROM t LOCK IN SHARE MODE"]) {
      assert.equal(other(sql).lockingRead, true, sql);
    }
    assert.equal(other("SELECT * FROM t").lockingRead, false);
    assert.equal(other("SELECT 'FOR UPDATE' FROM t").lockingRead, false);
  });

  test("session pin reasons", () => {
    const cases: [string, string[]][] = [
      ["CREATE TEMPORARY TABLE t (a INT)", ["temporary table"]],
      ["create or replace temporary table t (a int)", ["temporary table"]],
      ["CREATE TABLE t (a INT)", []],
      ["LOCK TABLES t WRITE", ["table lock"]],
      ["LOCK TABLE t READ", ["table lock"]],
      ["FLUSH TABLES WITH READ LOCK", ["table lock"]],
      ["FLUSH TABLES t FOR EXPORT", ["table lock"]],
      ["FLUSH TABLES", []],
      ["SELECT GET_LOCK('x', 10)", ["user lock"]],
      ["SELECT get_lock ('x', 10)", ["user lock"]],
      ["SELECT 'GET_LOCK(' FROM t", []],
      ["SELECT @x := 1", ["user variable"]],
      ["UPDATE t SET a = (@x := a + 1)", ["user variable"]],
      ["SELECT a INTO @x FROM t", ["user variable"]],
      ["SELECT a FROM t INTO @x, @y", ["user variable"]],
      ["SELECT @x = 1", []],
      ["PREPARE s FROM 'SELECT 1'", ["prepared statement"]],
      ["EXECUTE s USING @a", ["prepared statement"]],
      ["DEALLOCATE PREPARE s", ["prepared statement"]],
      ["DROP PREPARE s", ["prepared statement"]],
      ["SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 1", ["found rows"]],
      ["HANDLER t OPEN", ["handler"]],
      ["XA START 'x'", ["xa"]],
      ["SET ROLE r", ["session variable"]],
      ["SET PASSWORD = 'x'", []],
      ["USE a; SELECT 1", ["database change"]],
      ["SET @a = 1; SELECT @a", ["user variable"]],
      ["SET autocommit = 0; SELECT 1", ["session variable"]],
      ["SET GLOBAL x = 1; SELECT 1", []],
      ["BEGIN; SELECT 1", ["transaction"]],
      ["START TRANSACTION READ ONLY; SELECT 1", ["transaction"]],
      ["SET TRANSACTION READ ONLY; SELECT 1", ["transaction"]],
      ["SELECT 1", []],
      ["CREATE TEMPORARY TABLE t (a INT); SELECT GET_LOCK('l', 1); LOCK TABLES t READ", ["temporary table", "user lock", "table lock"]],
    ];
    for (const [sql, reasons] of cases) assert.deepEqual(other(sql).sessionPinReasons, reasons, sql);
  });

  test("LAST_INSERT_ID, FOUND_ROWS and ROW_COUNT", () => {
    assert.equal(other("SELECT LAST_INSERT_ID()").usesLastInsertId, true);
    assert.equal(other("INSERT INTO t VALUES (last_insert_id (5))").usesLastInsertId, true);
    assert.equal(other("SELECT last_insert_id FROM t").usesLastInsertId, false);
    assert.equal(other("SELECT FOUND_ROWS()").usesPerStatementState, true);
    assert.equal(other("SELECT ROW_COUNT()").usesPerStatementState, true);
    assert.equal(other("SELECT 'FOUND_ROWS()'").usesPerStatementState, false);
    assert.equal(other("SELECT 1").usesLastInsertId, false);
  });

  test("qualifiers: distinct lowercased first parts of qualified names", () => {
    assert.deepEqual(other("SELECT t.a FROM commerce.product t").qualifiers, ["t", "commerce"]);
    assert.deepEqual(other("SELECT `Db`.`T`.c, db.t.d, x.* FROM DB . t2").qualifiers, ["db", "x"]);
    assert.deepEqual(other("SELECT a.b.c FROM t").qualifiers, ["a"]);
    assert.deepEqual(
      other("SELECT 1.5, .5, @@session.sql_mode, @u.v, 'a.b', `a.b` FROM t /* c.d */ WHERE x = 2.5e3").qualifiers,
      [],
    );
    assert.deepEqual(other("SELECT `Mixed`.a FROM `Mixed`").qualifiers, ["mixed"]);
    assert.deepEqual(other("INSERT INTO customer.orders SELECT * FROM commerce.orders").qualifiers, ["customer", "commerce"]);
  });

  test("statement counts ignore semicolons in strings, comments and stored-program bodies", () => {
    const count = (sql: string) => other(sql).statementCount;
    assert.equal(count("SELECT 1; SELECT 2"), 2);
    assert.equal(count("SELECT 1; SELECT 2;"), 2);
    assert.equal(count("SELECT 1;; SELECT 2 ; ;"), 2);
    assert.equal(count("SELECT ';' FROM t -- ;\n# ;\n/* ; */"), 1);
    assert.equal(count("SELECT 1; /* only a comment */"), 1);
    assert.equal(count("INSERT INTO t VALUES ('a;b', \"c;d\", `e;f`); UPDATE t SET a = 1; DELETE FROM t"), 3);
    assert.equal(
      count(
        "CREATE PROCEDURE p() BEGIN DECLARE x INT; IF x THEN SELECT 1; ELSE SELECT 2; END IF; " +
          "l: LOOP LEAVE l; END LOOP l; CASE x WHEN 1 THEN SELECT 3; END CASE; SELECT CASE WHEN x THEN 1 END; END; SELECT 9",
      ),
      2,
    );
    assert.equal(count("CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; SET NEW.b = 2; END"), 1);
    assert.equal(count("CREATE FUNCTION f() RETURNS INT RETURN 1; SELECT f()"), 2);
    assert.equal(count("BEGIN NOT ATOMIC SELECT 1; SELECT 2; END; SELECT 3"), 2);
    assert.equal(count("CREATE VIEW v AS SELECT CASE WHEN a THEN 1 END AS c FROM t; SELECT 1"), 2);
    assert.equal(count("CREATE DEFINER = 'root'@'%' EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t; END; SELECT 1"), 2);
    // A table or column named like a routine type is not a stored-program body.
    assert.equal(count("CREATE TABLE log (event INT, begin INT); SELECT 1"), 2);
    assert.equal(count("CREATE TABLE event (a INT); SELECT 1"), 2);
  });

  test("an unterminated string or comment is a lex error for the backend to report", () => {
    for (const sql of ["SELECT 'abc", "SELECT 1 /* x", "USE `db", "SET NAMES 'utf8", "/*!40101 SET NAMES utf8"]) {
      const c = other(sql);
      assert.equal(c.lexError, true, sql);
    }
    const c = other("SELECT a.b FROM t WHERE x = 'oops");
    assert.equal(c.firstKeyword, "SELECT");
    assert.deepEqual(c.qualifiers, ["a"]);
    assert.equal(other("SELECT 1").lexError, false);
  });
});
