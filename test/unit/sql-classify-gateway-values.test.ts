import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { classifyStatement, type OtherStatement } from "../../src/core/sql/classify.ts";
import { gatewayLiteral, rewriteGatewayValues, type GatewayLiterals } from "../../src/core/sql/rewrite-gateway-values.ts";
import { tokenize } from "../../src/core/sql/tokenizer.ts";

const LITERALS: GatewayLiterals = {
  version: gatewayLiteral("8.0.40-shardgate"),
  version_comment: gatewayLiteral("shardgate"),
  database: gatewayLiteral("commerce"),
  connection_id: gatewayLiteral(42),
  user: gatewayLiteral("app@10.0.0.7"),
  current_user: gatewayLiteral("app@%"),
};
const VERSION = "'8.0.40-shardgate'";
const USER = "'app@10.0.0.7'";

function rewrite(sql: string): string | undefined {
  return rewriteGatewayValues(sql, LITERALS);
}

function flagged(sql: string): boolean {
  const c = classifyStatement(sql);
  assert.equal(c.kind, "other", `${sql} → ${JSON.stringify(c)}`);
  return (c as OtherStatement).gatewayValues;
}

describe("classify: gatewayValues flag", () => {
  test("set by each gateway-owned value, in any case and scope", () => {
    for (const sql of [
      "SELECT @@version, 1", "SELECT @@VERSION_COMMENT, 1", "SELECT @@global.version, 1", "SELECT @@`version`, 1",
      "SELECT VERSION(), 1", "SELECT 1 FROM t WHERE DATABASE() = 'x'", "SELECT schema ( ), 1", "SELECT CONNECTION_ID() + 1",
      "SELECT USER(), 1", "SELECT SESSION_USER(), 1", "SELECT SYSTEM_USER(), 1", "SELECT CURRENT_USER, 1",
      "SELECT current_user(), 1", "DELETE FROM t WHERE id = CONNECTION_ID()", "SELECT 1; SELECT @@version",
      "SELECT @@session.VERSION_comment, 1", "SELECT @@local.Version, 1",
    ]) {
      assert.equal(flagged(sql), true, sql);
    }
  });

  test("not set by look-alikes: names without parentheses, other variables, strings, comments, identifiers", () => {
    for (const sql of [
      "SELECT c FROM sbtest1 WHERE id=42", "SELECT user FROM t", "SELECT version, database_name FROM t", "SELECT @@version_compile_os, 1",
      "SELECT @@innodb_version, 1", "SELECT @version, 1", "SELECT 'USER()', 1", "SELECT `USER()`, 1", "SELECT 1 /* USER() */",
      "SELECT 1 -- @@version\n", "SELECT usr(), 1", "SELECT @@version_commentx, 1", "SELECT @@xversion, 1", "SELECT @@ersion, 1",
    ]) {
      assert.equal(flagged(sql), false, sql);
    }
  });
});

describe("gatewayLiteral", () => {
  test("integers bare, NULL, strings quoted and escaped; non-ASCII strings with the utf8mb4 introducer", () => {
    assert.equal(gatewayLiteral(42), "42");
    assert.equal(gatewayLiteral(null), "NULL");
    assert.equal(gatewayLiteral("8.0"), "'8.0'");
    assert.equal(gatewayLiteral("it's a \\ back"), "'it''s a \\\\ back'");
    assert.equal(gatewayLiteral("é ✓"), "_utf8mb4'é ✓'");
  });
});

describe("rewriteGatewayValues", () => {
  test("the statements of the bug", () => {
    assert.equal(rewrite("SELECT @@version AS v, 1 AS one"), `SELECT ${VERSION} AS v, 1 AS one`);
    assert.equal(rewrite("SELECT @@version, sku FROM product LIMIT 1"), `SELECT ${VERSION} AS \`@@version\`, sku FROM product LIMIT 1`);
    assert.equal(rewrite("SELECT CONNECTION_ID() = CONNECTION_ID()"), "SELECT 42 = 42 AS `CONNECTION_ID() = CONNECTION_ID()`");
    assert.equal(
      rewrite("SELECT sku FROM product WHERE DATABASE() = 'commerce' LIMIT 1"),
      "SELECT sku FROM product WHERE 'commerce' = 'commerce' LIMIT 1",
    );
    assert.equal(rewrite("SELECT CONCAT(USER(), '!')"), `SELECT CONCAT(${USER}, '!') AS \`CONCAT(USER(), '!')\``);
    assert.equal(rewrite("SELECT * FROM customer WHERE id = CONNECTION_ID()"), "SELECT * FROM customer WHERE id = 42");
  });

  test("every value, as gateway-answers.ts answers it", () => {
    assert.equal(
      rewrite(
        "SELECT 1, @@version, @@VERSION_COMMENT, @@global.version, @@`version`, VERSION(), Database(), SCHEMA( ), " +
          "CONNECTION_ID(), USER(), SESSION_USER(), SYSTEM_USER(), CURRENT_USER(), CURRENT_USER",
      ),
      `SELECT 1, ${VERSION} AS \`@@version\`, 'shardgate' AS \`@@VERSION_COMMENT\`, ${VERSION} AS \`@@global.version\`, ` +
        `${VERSION} AS \`@@\`\`version\`\`\`, ${VERSION} AS \`VERSION()\`, 'commerce' AS \`Database()\`, ` +
        `'commerce' AS \`SCHEMA( )\`, 42 AS \`CONNECTION_ID()\`, ${USER} AS \`USER()\`, ${USER} AS \`SESSION_USER()\`, ` +
        `${USER} AS \`SYSTEM_USER()\`, 'app@%' AS \`CURRENT_USER()\`, 'app@%' AS \`CURRENT_USER\``,
    );
    const noDatabase = { ...LITERALS, database: gatewayLiteral(null) };
    assert.equal(rewriteGatewayValues("SELECT DATABASE(), 1", noDatabase), "SELECT NULL AS `DATABASE()`, 1");
  });

  test("strings, comments, identifiers and look-alikes are never touched", () => {
    const untouched = [
      "SELECT 'USER()', \"@@version\", `CONNECTION_ID()` FROM t",
      "SELECT 1 /* USER() */ -- DATABASE()\n# VERSION()\n",
      "SELECT user, version, `database` FROM t",
      "SELECT db.user(), t.current_user, sys.version() FROM t",
      "SELECT @@version_compile_os, @@innodb_version, @version, @@persist.version",
      "SELECT usr(), USER(1) FROM t",
      "INSERT INTO user () VALUES ()",
      "INSERT version () VALUES ()",
      "CALL version()",
      "SELECT 1",
    ];
    for (const sql of untouched) assert.equal(rewrite(sql), undefined, sql);
    assert.equal(
      rewrite("SELECT 'it''s USER()', `a``USER()` , USER() /* USER() */ FROM t WHERE c = 'CONNECTION_ID()'"),
      `SELECT 'it''s USER()', \`a\`\`USER()\` , ${USER} AS \`USER()\` /* USER() */ FROM t WHERE c = 'CONNECTION_ID()'`,
    );
  });

  test("aliased items keep their alias; unaliased ones are named by their text as typed", () => {
    assert.equal(
      rewrite("SELECT USER() u, @@version `v``x`, CURRENT_USER AS who, DATABASE() 'd', CONNECTION_ID() AS \"id\", DATABASE ( /* c */ )"),
      `SELECT ${USER} u, ${VERSION} \`v\`\`x\`, 'app@%' AS who, 'commerce' AS 'd', 42 AS "id", ` +
        "'commerce' AS `DATABASE ( /* c */ )`",
    );
    // Expressions ending in words that are not aliases.
    assert.equal(
      rewrite("SELECT USER() IS NOT NULL, USER() COLLATE utf8mb4_bin, CASE WHEN 1 THEN USER() END, NOW() + INTERVAL CONNECTION_ID() DAY"),
      `SELECT ${USER} IS NOT NULL AS \`USER() IS NOT NULL\`, ${USER} COLLATE utf8mb4_bin AS \`USER() COLLATE utf8mb4_bin\`, ` +
        `CASE WHEN 1 THEN ${USER} END AS \`CASE WHEN 1 THEN USER() END\`, NOW() + INTERVAL 42 DAY AS \`NOW() + INTERVAL CONNECTION_ID() DAY\``,
    );
    assert.equal(rewrite("SELECT CASE WHEN 1 THEN USER() END c, 1 + CURRENT_USER"), `SELECT CASE WHEN 1 THEN ${USER} END c, 1 + 'app@%' AS \`1 + CURRENT_USER\``);
  });

  test("select lists of subqueries, derived tables, UNION parts and RETURNING are aliased too", () => {
    assert.equal(
      rewrite("SELECT * FROM (SELECT DISTINCT @@version_comment, (SELECT VERSION())) d WHERE x IN (SELECT SCHEMA()) UNION SELECT USER(), 2"),
      "SELECT * FROM (SELECT DISTINCT 'shardgate' AS `@@version_comment`, " +
        `(SELECT ${VERSION} AS \`VERSION()\`) AS \`(SELECT VERSION())\`) d WHERE x IN (SELECT 'commerce' AS \`SCHEMA()\`) ` +
        `UNION SELECT ${USER} AS \`USER()\`, 2`,
    );
    assert.equal(
      rewrite("INSERT INTO t (u) VALUES (CURRENT_USER) RETURNING id, CURRENT_USER"),
      "INSERT INTO t (u) VALUES ('app@%') RETURNING id, 'app@%' AS `CURRENT_USER`",
    );
    assert.equal(
      rewrite("WITH c AS (SELECT USER()) SELECT * FROM c"),
      `WITH c AS (SELECT ${USER} AS \`USER()\`) SELECT * FROM c`,
    );
  });

  test("column names that can't be identifiers are left to the literal", () => {
    assert.equal(rewrite("SELECT CONCAT(USER(), '😀')"), `SELECT CONCAT(${USER}, '😀')`);
  });

  test("the literal never merges with its neighbours", () => {
    // An adjacent string would be concatenated, a glued word would lex as one identifier.
    assert.equal(rewrite("SELECT USER()'u'"), `SELECT ${USER} AS 'u'`);
    assert.equal(rewrite("SELECT CONNECTION_ID()AS c"), "SELECT 42 AS c");
    assert.equal(rewrite("SELECT CONNECTION_ID()FROM t"), "SELECT 42  AS `CONNECTION_ID()`FROM t");
    // `'a' CURRENT_USER` is an error in MySQL; it stays one.
    assert.equal(rewrite("SELECT 'a' CURRENT_USER"), "SELECT 'a' ('app@%') AS `'a' CURRENT_USER`");
  });

  test("a lone connection id in ORDER BY / GROUP BY stays a constant, not a column position", () => {
    assert.equal(
      rewrite("SELECT id FROM t GROUP BY id, CONNECTION_ID() ORDER BY CONNECTION_ID() DESC, CONNECTION_ID() + 1 LIMIT 1"),
      "SELECT id FROM t GROUP BY id, (42+0) ORDER BY (42+0) DESC, 42 + 1 LIMIT 1",
    );
    assert.equal(rewrite("SELECT id FROM t WHERE id IN (1, CONNECTION_ID())"), "SELECT id FROM t WHERE id IN (1, 42)");
  });

  test("writes, DO, CALL arguments, KILL and EXPLAIN", () => {
    assert.equal(rewrite("UPDATE t SET owner = USER() WHERE id = 1"), `UPDATE t SET owner = ${USER} WHERE id = 1`);
    assert.equal(rewrite("INSERT INTO t (who, db) VALUES (CURRENT_USER(), DATABASE())"), "INSERT INTO t (who, db) VALUES ('app@%', 'commerce')");
    assert.equal(rewrite("DELETE FROM sessions WHERE conn = CONNECTION_ID()"), "DELETE FROM sessions WHERE conn = 42");
    assert.equal(rewrite("DO GET_LOCK(USER(), 1)"), `DO GET_LOCK(${USER}, 1)`);
    assert.equal(rewrite("CALL p(USER())"), `CALL p(${USER})`);
    assert.equal(rewrite("SELECT HIGH_PRIORITY USER(), 1"), `SELECT HIGH_PRIORITY ${USER} AS \`USER()\`, 1`);
    assert.equal(rewrite("INSERT HIGH_PRIORITY INTO t SELECT HIGH_PRIORITY USER()"), `INSERT HIGH_PRIORITY INTO t SELECT HIGH_PRIORITY ${USER} AS \`USER()\``);
    assert.equal(rewrite("SELECT REPLACE(USER(), '@', '#'), INSERT(VERSION(), 1, 0, 'v')"), `SELECT REPLACE(${USER}, '@', '#') AS \`REPLACE(USER(), '@', '#')\`, INSERT(${VERSION}, 1, 0, 'v') AS \`INSERT(VERSION(), 1, 0, 'v')\``);
    assert.equal(rewrite("KILL QUERY CONNECTION_ID()"), "KILL QUERY 42");
    assert.equal(rewrite("EXPLAIN SELECT * FROM t WHERE id = CONNECTION_ID()"), "EXPLAIN SELECT * FROM t WHERE id = 42");
  });

  test("statements that store or name rather than compute are left as written", () => {
    for (const sql of [
      "CREATE VIEW v AS SELECT USER()",
      "CREATE TABLE t (who VARCHAR(100) DEFAULT (CURRENT_USER()))",
      "CREATE DEFINER = CURRENT_USER TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.who = USER()",
      "ALTER TABLE t ALTER who SET DEFAULT (USER())",
      "SHOW GRANTS FOR CURRENT_USER()",
      "GRANT SELECT ON *.* TO CURRENT_USER",
      "SET PASSWORD FOR CURRENT_USER() = PASSWORD('x')",
      "SET DEFAULT ROLE ALL TO CURRENT_USER",
      "SET @@version = 1",
    ]) {
      assert.equal(rewrite(sql), undefined, sql);
    }
  });

  test("multi-statement batches: each statement rewritten on its own", () => {
    assert.equal(
      rewrite("SELECT @@version; SELECT USER(), 1;UPDATE t SET a = CONNECTION_ID();\nSET @a = USER(), @@version_comment = 2"),
      `SELECT ${VERSION} AS \`@@version\`; SELECT ${USER} AS \`USER()\`, 1;UPDATE t SET a = 42;\n` +
        `SET @a = ${USER}, @@version_comment = 2`,
    );
    assert.equal(rewrite("SHOW GRANTS FOR CURRENT_USER; SELECT CURRENT_USER"), "SHOW GRANTS FOR CURRENT_USER; SELECT 'app@%' AS `CURRENT_USER`");
  });

  test("nothing after a statement that may hold a stored-program body (its `;` don't end it)", () => {
    assert.equal(rewrite("SELECT USER(); CREATE PROCEDURE p() BEGIN SELECT USER(); END; SELECT USER()"), `SELECT ${USER} AS \`USER()\`; CREATE PROCEDURE p() BEGIN SELECT USER(); END; SELECT USER()`);
    assert.equal(rewrite("BEGIN NOT ATOMIC SELECT USER(); END"), undefined);
    assert.equal(rewrite("lbl: LOOP SELECT USER(); END LOOP"), undefined);
    // A transaction's BEGIN is not a body.
    assert.equal(rewrite("BEGIN; SELECT USER(); COMMIT"), `BEGIN; SELECT ${USER} AS \`USER()\`; COMMIT`);
  });

  test("executable comments are code: their values are rewritten, the comment kept", () => {
    assert.equal(rewrite("SELECT 1 /*!50000 , USER() */"), `SELECT 1 /*!50000 , ${USER} AS \`USER()\` */`);
  });

  test("property: strings and identifiers survive as written, and a second rewrite finds nothing", () => {
    const parts = fc.constantFrom(
      "SELECT", "USER()", "@@version", "CONNECTION_ID()", "CURRENT_USER", "DATABASE()", "'USER()'", "`@@version`", "\"x\"",
      ",", "FROM", "t", "WHERE", "=", "1", "(", ")", "AS", "a", ";", "/* USER() */", "ORDER BY", "+", "'s'", "UNION", "SET", "@v",
    );
    const added = new Set(Object.values(LITERALS));
    const texts = (text: string, kind: string) => tokenize(text).filter((tk) => tk.kind === kind && !added.has(tk.text)).map((tk) => tk.text);
    fc.assert(
      fc.property(fc.array(parts, { maxLength: 20 }), (words) => {
        const sql = words.join(" ");
        const out = rewrite(sql);
        if (out === undefined) return;
        assert.deepEqual(texts(out, "string"), texts(sql, "string"), `${sql} → ${out}`);
        const idents = texts(out, "quoted-identifier");
        for (const id of texts(sql, "quoted-identifier")) assert.ok(idents.includes(id), `${sql} → ${out}`);
        assert.equal(rewrite(out), undefined, `${sql} → ${out}`);
      }),
      { numRuns: 3000 },
    );
  });
});
