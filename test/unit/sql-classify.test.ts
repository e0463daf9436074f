import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { classifyStatement, type Classified, type OtherStatement } from "../../src/core/sql/classify.ts";

function other(sql: string): OtherStatement {
  const c = classifyStatement(sql);
  assert.equal(c.kind, "other", `${sql} → ${JSON.stringify(c)}`);
  return c as OtherStatement;
}

function assertKind(sql: string, kind: Classified["kind"]): void {
  assert.equal(classifyStatement(sql).kind, kind, sql);
}

describe("classify: empty", () => {
  test("whitespace, comments and bare semicolons", () => {
    for (const sql of ["", "   \n\t", "-- hi", "# x\n", "/* c */", "/*+ hint */", " ; ;", "/*!40101 */"]) {
      assert.deepEqual(classifyStatement(sql), { kind: "empty" }, JSON.stringify(sql));
    }
  });
});

describe("classify: USE", () => {
  test("plain, backquoted, any case, comments and trailing semicolon", () => {
    assert.deepEqual(classifyStatement("USE commerce"), { kind: "use", database: "commerce" });
    assert.deepEqual(classifyStatement("use `my``db`;  "), { kind: "use", database: "my`db" });
    assert.deepEqual(classifyStatement("/* a */ UsE /* b */ Commerce -- c\n;;"), { kind: "use", database: "Commerce" });
  });

  test("malformed USE goes to the backend", () => {
    assertKind("USE", "other");
    assertKind("USE a b", "other");
    assertKind("USE 'a'", "other");
    assertKind("USE a; SELECT 1", "other");
  });
});

describe("classify: SET", () => {
  const set = (sql: string) => {
    const c = classifyStatement(sql);
    assert.equal(c.kind, "set", `${sql} → ${JSON.stringify(c)}`);
    return c.kind === "set" ? c.assignments : [];
  };

  test("SET NAMES with and without COLLATE, quoted names, DEFAULT", () => {
    assert.deepEqual(set("SET NAMES utf8mb4"), [{ type: "names", charset: "utf8mb4" }]);
    assert.deepEqual(set("set names 'UTF8MB4' collate `utf8mb4_0900_ai_ci`;"), [
      { type: "names", charset: "utf8mb4", collation: "utf8mb4_0900_ai_ci" },
    ]);
    assert.deepEqual(set("SET NAMES DEFAULT"), [{ type: "names", charset: "default" }]);
  });

  test("executable comment wrappers classify like the statement inside", () => {
    assert.deepEqual(set("/*!40101 SET NAMES utf8 */"), [{ type: "names", charset: "utf8" }]);
    assert.deepEqual(set("/*!40101 SET NAMES utf8 */;"), [{ type: "names", charset: "utf8" }]);
    assert.deepEqual(set("/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */"), [
      { type: "user", name: "old_sql_mode", valueText: "@@SQL_MODE", literal: false },
      { type: "system", scope: "session", name: "sql_mode", valueText: "'NO_AUTO_VALUE_ON_ZERO'", literal: true },
    ]);
  });

  test("SET CHARACTER SET and SET CHARSET", () => {
    assert.deepEqual(set("SET CHARACTER SET latin1"), [{ type: "charset", charset: "latin1" }]);
    assert.deepEqual(set("SET CHARSET 'UTF8'"), [{ type: "charset", charset: "utf8" }]);
  });

  test("SET TRANSACTION with every scope keeps the characteristics text", () => {
    assert.deepEqual(set("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"), [
      { type: "transaction", scope: "next", text: "ISOLATION LEVEL READ COMMITTED" },
    ]);
    assert.deepEqual(set("SET SESSION TRANSACTION READ ONLY, ISOLATION LEVEL  SERIALIZABLE ;"), [
      { type: "transaction", scope: "session", text: "READ ONLY, ISOLATION LEVEL  SERIALIZABLE" },
    ]);
    assert.equal(set("SET LOCAL TRANSACTION READ WRITE")[0]!.type, "transaction");
    for (const [keyword, scope] of [["GLOBAL", "global"], ["PERSIST", "persist"], ["PERSIST_ONLY", "persist_only"]]) {
      assert.deepEqual(set(`SET ${keyword} TRANSACTION READ WRITE`), [{ type: "transaction", scope, text: "READ WRITE" }]);
    }
    assertKind("SET TRANSACTION", "other");
  });

  test("system variables: @@ prefixes, scope keywords, bare names, = and :=", () => {
    const sys = (sql: string) => set(sql).map((a) => (a.type === "system" ? [a.scope, a.name, a.valueText, a.literal] : a));
    assert.deepEqual(sys("SET @@autocommit = 1"), [["session", "autocommit", "1", true]]);
    assert.deepEqual(sys("SET @@SESSION.Autocommit=0"), [["session", "autocommit", "0", true]]);
    assert.deepEqual(sys("SET @@local.x := 2"), [["session", "x", "2", true]]);
    assert.deepEqual(sys("SET @@global.max_connections = 100"), [["global", "max_connections", "100", true]]);
    assert.deepEqual(sys("SET @@persist.x = 1"), [["persist", "x", "1", true]]);
    assert.deepEqual(sys("SET @@persist_only.x = 1"), [["persist_only", "x", "1", true]]);
    assert.deepEqual(sys("SET SESSION sql_mode = 'ANSI'"), [["session", "sql_mode", "'ANSI'", true]]);
    assert.deepEqual(sys("SET LOCAL wait_timeout=10"), [["session", "wait_timeout", "10", true]]);
    assert.deepEqual(sys("SET GLOBAL x = 1"), [["global", "x", "1", true]]);
    assert.deepEqual(sys("SET PERSIST x = 1"), [["persist", "x", "1", true]]);
    assert.deepEqual(sys("SET Autocommit = ON"), [["session", "autocommit", "ON", true]]);
    assert.deepEqual(sys("SET `autocommit` = OFF"), [["session", "autocommit", "OFF", true]]);
    assert.deepEqual(sys("SET GLOBAL hot_cache.key_buffer_size = 1024"), [["global", "hot_cache.key_buffer_size", "1024", true]]);
  });

  test("a scope keyword sticks to later unscoped assignments, an @@ prefix does not", () => {
    const scopes = set("SET GLOBAL a = 1, b = 2, @@session.c = 3, d = 4, SESSION e = 5, f = 6").map((a) =>
      a.type === "system" ? `${a.name}:${a.scope}` : a.type,
    );
    assert.deepEqual(scopes, ["a:global", "b:global", "c:session", "d:global", "e:session", "f:session"]);
  });

  test("literal values", () => {
    const literal = (value: string) => {
      const [a] = set(`SET x = ${value}`);
      assert.ok(a !== undefined && a.type === "system");
      assert.equal(a.valueText, value.trim());
      return a.literal;
    };
    const literals = [
      "1", "-1", "+2.5", "'a'", `"b"`, "x'0A'", "0x0A", "b'1'", "NULL", "DEFAULT", "ON", "off", "TRUE", "false",
      "READ-COMMITTED", "REPEATABLE-READ", "utf8mb4_bin", "_utf8mb4'x'",
    ];
    for (const v of literals) {
      assert.equal(literal(v), true, v);
    }
    for (const v of ["1 + 1", "@@y", "@y", "CONCAT('a', 'b')", "(SELECT 1)", "- 1", "READ - COMMITTED", "a.b", "?", "`x`"]) {
      assert.equal(literal(v), false, v);
    }
  });

  test("values keep their original text, commas inside parentheses don't split", () => {
    assert.deepEqual(set("SET @a = CONCAT('x,y', (1, 2)) , sql_mode = CONCAT(@@sql_mode, ',ANSI') ;"), [
      { type: "user", name: "a", valueText: "CONCAT('x,y', (1, 2))", literal: false },
      { type: "system", scope: "session", name: "sql_mode", valueText: "CONCAT(@@sql_mode, ',ANSI')", literal: false },
    ]);
    assert.deepEqual(set("SET x = 1 /* why */ + 2 -- c"), [
      { type: "system", scope: "session", name: "x", valueText: "1 /* why */ + 2", literal: false },
    ]);
  });

  test("user variables: = and :=, quoted names, names are case-insensitive", () => {
    assert.deepEqual(set("SET @X = 5"), [{ type: "user", name: "x", valueText: "5", literal: true }]);
    assert.deepEqual(set("SET @`my var` := 'v', @'q' = NULL"), [
      { type: "user", name: "my var", valueText: "'v'", literal: true },
      { type: "user", name: "q", valueText: "NULL", literal: true },
    ]);
  });

  test("mixed assignment kinds in one statement", () => {
    assert.deepEqual(set("SET NAMES utf8mb4, @a = 1, autocommit = 0, CHARACTER SET latin1"), [
      { type: "names", charset: "utf8mb4" },
      { type: "user", name: "a", valueText: "1", literal: true },
      { type: "system", scope: "session", name: "autocommit", valueText: "0", literal: true },
      { type: "charset", charset: "latin1" },
    ]);
  });

  test("SET forms the gateway leaves to the backend", () => {
    for (const sql of [
      "SET PASSWORD = 'x'", "SET PASSWORD FOR u = 'x'", "SET ROLE r", "SET DEFAULT ROLE ALL TO u",
      "SET RESOURCE GROUP g", "SET STATEMENT max_statement_time=1 FOR SELECT 1", "SET", "SET x", "SET x =",
      "SET x = 1,", "SET x = 1; SET y = 2",
    ]) {
      assertKind(sql, "other");
    }
  });
});

describe("classify: transactions", () => {
  test("BEGIN and START TRANSACTION", () => {
    assert.deepEqual(classifyStatement("BEGIN"), { kind: "begin", text: "BEGIN", characteristics: [] });
    assert.deepEqual(classifyStatement(" begin work ; "), { kind: "begin", text: "begin work", characteristics: [] });
    assert.deepEqual(classifyStatement("START TRANSACTION"), { kind: "begin", text: "START TRANSACTION", characteristics: [] });
    assert.deepEqual(classifyStatement("start transaction read only, WITH CONSISTENT SNAPSHOT;"), {
      kind: "begin",
      text: "start transaction read only, WITH CONSISTENT SNAPSHOT",
      characteristics: ["READ ONLY", "WITH CONSISTENT SNAPSHOT"],
    });
    assert.deepEqual(classifyStatement("START TRANSACTION READ WRITE").kind, "begin");
  });

  test("malformed or compound BEGIN goes to the backend", () => {
    for (const sql of [
      "BEGIN NOT ATOMIC SELECT 1; END", "BEGIN x", "START TRANSACTION READ", "START TRANSACTION READ ONLY,", "START",
      "START SLAVE",
    ]) {
      assertKind(sql, "other");
    }
  });

  test("COMMIT and ROLLBACK, with WORK", () => {
    assert.deepEqual(classifyStatement("COMMIT"), { kind: "commit" });
    assert.deepEqual(classifyStatement("commit work;"), { kind: "commit" });
    assert.deepEqual(classifyStatement("ROLLBACK"), { kind: "rollback" });
    assert.deepEqual(classifyStatement("/* x */ ROLLBACK WORK"), { kind: "rollback" });
  });

  test("chaining, release and savepoints are not plain commit/rollback", () => {
    for (const sql of [
      "COMMIT AND CHAIN", "COMMIT WORK AND NO CHAIN", "COMMIT RELEASE", "COMMIT NO RELEASE", "ROLLBACK TO SAVEPOINT s",
      "ROLLBACK WORK TO s", "ROLLBACK AND CHAIN",
    ]) {
      assertKind(sql, "other");
    }
    assert.deepEqual(other("COMMIT AND CHAIN").sessionPinReasons, ["transaction"]);
    assert.deepEqual(other("COMMIT AND NO CHAIN").sessionPinReasons, []);
  });
});

describe("classify: SHOW DATABASES", () => {
  test("DATABASES and SCHEMAS, optional LIKE", () => {
    assert.deepEqual(classifyStatement("SHOW DATABASES"), { kind: "show-databases", like: undefined });
    assert.deepEqual(classifyStatement("show schemas;"), { kind: "show-databases", like: undefined });
    assert.deepEqual(classifyStatement("SHOW DATABASES LIKE 'comm\\_%'"), { kind: "show-databases", like: "comm\\_%" });
    assert.deepEqual(classifyStatement(`SHOW SCHEMAS LIKE "it''s"`), { kind: "show-databases", like: "it''s" });
  });

  test("WHERE and other SHOW statements go to the backend", () => {
    for (const sql of ["SHOW DATABASES WHERE `Database` = 'x'", "SHOW TABLES", "SHOW DATABASES LIKE x", "SHOW DATABASE"]) {
      assertKind(sql, "other");
    }
    assert.equal(other("SHOW TABLES").isReadOnly, true);
  });
});

describe("classify: gateway SELECTs", () => {
  const columns = (sql: string) => {
    const c = classifyStatement(sql);
    assert.equal(c.kind, "select-gateway", `${sql} → ${JSON.stringify(c)}`);
    return c.kind === "select-gateway" ? c : undefined;
  };

  test("the mysql CLI's connect query", () => {
    assert.deepEqual(classifyStatement("select @@version_comment limit 1"), {
      kind: "select-gateway",
      columns: [{ name: "@@version_comment", value: "version_comment" }],
      limit: 1,
    });
  });

  test("every gateway-owned value, named as typed", () => {
    const c = columns(
      "SELECT @@version, @@VERSION_COMMENT, @@session.version, @@GLOBAL.Version, database(), SCHEMA(), CONNECTION_ID(), " +
        "USER(), CURRENT_USER(), CURRENT_USER, current_user, SESSION_USER(), SYSTEM_USER(), Version( ), @@`version`",
    );
    assert.deepEqual(c?.columns, [
      { name: "@@version", value: "version" },
      { name: "@@VERSION_COMMENT", value: "version_comment" },
      { name: "@@session.version", value: "version" },
      { name: "@@GLOBAL.Version", value: "version" },
      { name: "database()", value: "database" },
      { name: "SCHEMA()", value: "database" },
      { name: "CONNECTION_ID()", value: "connection_id" },
      { name: "USER()", value: "user" },
      { name: "CURRENT_USER()", value: "current_user" },
      { name: "CURRENT_USER", value: "current_user" },
      { name: "current_user", value: "current_user" },
      { name: "SESSION_USER()", value: "user" },
      { name: "SYSTEM_USER()", value: "user" },
      { name: "Version( )", value: "version" },
      { name: "@@`version`", value: "version" },
    ]);
    assert.equal(c?.limit, undefined);
  });

  test("spacing and comments inside an item are kept, around it trimmed", () => {
    assert.deepEqual(columns("SELECT   DATABASE (  )  ;")?.columns, [{ name: "DATABASE (  )", value: "database" }]);
    assert.deepEqual(columns("SELECT /* a */ USER(/* b */) /* c */")?.columns, [{ name: "USER(/* b */)", value: "user" }]);
  });

  test("aliases: AS, bare, backquoted, quoted strings", () => {
    assert.deepEqual(
      columns("SELECT DATABASE() AS db, USER() u, @@version `v``x`, CONNECTION_ID() 'id', CURRENT_USER AS \"who\"")?.columns,
      [
        { name: "db", value: "database" },
        { name: "u", value: "user" },
        { name: "v`x", value: "version" },
        { name: "id", value: "connection_id" },
        { name: "who", value: "current_user" },
      ],
    );
  });

  test("LIMIT and FROM DUAL", () => {
    assert.equal(columns("SELECT DATABASE() LIMIT 0")?.limit, 0);
    assert.equal(columns("SELECT DATABASE() FROM DUAL")?.limit, undefined);
    assert.equal(columns("SELECT DATABASE() x FROM dual LIMIT 5;")?.limit, 5);
  });

  test("anything else in the SELECT sends it to the backend", () => {
    for (const sql of [
      "SELECT 1", "SELECT DATABASE(), 1", "SELECT NOW()", "SELECT @@sql_mode", "SELECT @@persist.version",
      "SELECT DATABASE() FROM t", "SELECT DATABASE() WHERE 1", "SELECT DATABASE() LIMIT 1, 1", "SELECT DATABASE() LIMIT ?",
      "SELECT DATABASE() LIMIT 1.5", "SELECT DISTINCT DATABASE()", "SELECT DATABASE", "SELECT USER", "SELECT DATABASE(x)",
      "SELECT DATABASE() AS", "SELECT DATABASE() AS 1", "SELECT DATABASE() INTO @d", "SELECT DATABASE() UNION SELECT 1",
      "SELECT DATABASE(); SELECT 1", "SELECT DATABASE() FOR UPDATE", "SELECT", "SELECT DATABASE() a b",
    ]) {
      assertKind(sql, "other");
    }
  });
});

describe("classify: properties", () => {
  test("never throws and always returns a known kind", () => {
    const kinds = new Set(["empty", "use", "set", "begin", "commit", "rollback", "show-databases", "select-gateway", "other"]);
    const words = fc.constantFrom(
      "SELECT", "SET", "USE", "BEGIN", "END", "COMMIT", "ROLLBACK", "SHOW", "DATABASES", "LIMIT", "FROM", "WITH", "AS", "CREATE",
      "PROCEDURE", "CASE", "IF", "NAMES", "GLOBAL", "TRANSACTION", "DATABASE()", "@@version", "@x", ":=", "=", ",", ";", "(", ")",
      ".", "'s'", "`q`", "1", "/*!", "*/", "--", "\n", " ", "'", "INTO", "FOR", "UPDATE",
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 60 }), fc.array(words, { maxLength: 25 }).map((w) => w.join(" "))),
        (sql) => {
          const c = classifyStatement(sql);
          assert.ok(kinds.has(c.kind), JSON.stringify(c));
          if (c.kind === "other") assert.ok(c.statementCount >= 0 && (c.lexError || c.statementCount > 0));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
