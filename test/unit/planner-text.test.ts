import { describe, it } from "node:test";
import assert from "node:assert/strict";

import { parameterize, type ParameterizedStatement } from "../../src/core/planner/parameterize.ts";
import { clauseEnd, outlineSelect, type SelectOutline, type TextRange } from "../../src/core/planner/select-outline.ts";
import { applyEdits, clauseBodyStart, sameExpression, splitClauseItems, withoutAlias } from "../../src/core/planner/text-edits.ts";
import type { SqlValue } from "../../src/core/vindexes/sql-value.ts";

function parameterized(sql: string): ParameterizedStatement {
  const result = parameterize(sql);
  assert.ok(result, `parameterize(${JSON.stringify(sql)}) lexes`);
  return result;
}

/** A literal's value in a comparable form. */
function shown(value: SqlValue): string {
  switch (value.kind) {
    case "int":
    case "uint":
      return `${value.kind}:${value.value}`;
    case "decimal":
    case "float":
      return `${value.kind}:${value.text}`;
    case "string":
      return `string:${Array.from(value.bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
    case "null":
      return "null";
  }
}

const hexOf = (text: string) => Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("");

describe("parameterize", () => {
  it("replaces each value literal by :__sgN and keeps its exact source and typed value", () => {
    const sql = "SELECT * FROM t WHERE a = 1e3 AND b = _utf8mb4'abc' AND c = X'41' AND d = -5 AND e = 1.50 AND f = 18446744073709551615";
    const p = parameterized(sql);
    assert.equal(p.text, "SELECT * FROM t WHERE a = :__sg0 AND b = :__sg1 AND c = :__sg2 AND d = -:__sg3 AND e = :__sg4 AND f = :__sg5");
    assert.deepEqual(
      p.literals.map((l) => l.source),
      ["1e3", "_utf8mb4'abc'", "X'41'", "5", "1.50", "18446744073709551615"],
    );
    assert.deepEqual(p.literals.map((l) => shown(l.value)), [
      "float:1e3",
      `string:${hexOf("abc")}`,
      "string:41",
      "int:5",
      "decimal:1.50",
      "uint:18446744073709551615",
    ]);
  });

  it("types strings by their unescaped value and hex/bit literals as bytes", () => {
    const p = parameterized("SELECT 'it''s', \"d\\\"q\", N'n', 0x4142, b'101', 0b11, x'0a'");
    assert.deepEqual(p.literals.map((l) => l.source), ["'it''s'", '"d\\"q"', "N'n'", "0x4142", "b'101'", "0b11", "x'0a'"]);
    assert.deepEqual(p.literals.map((l) => shown(l.value)), [
      `string:${hexOf("it's")}`,
      `string:${hexOf('d"q')}`,
      `string:${hexOf("n")}`,
      "string:4142",
      "string:05",
      "string:03",
      "string:0a",
    ]);
  });

  it("keeps the sign of a negative number outside the placeholder", () => {
    const p = parameterized("SELECT * FROM t WHERE id = -5 OR id IN (-1, - 2)");
    assert.equal(p.text, "SELECT * FROM t WHERE id = -:__sg0 OR id IN (-:__sg1, - :__sg2)");
    assert.deepEqual(p.literals.map((l) => l.source), ["5", "1", "2"]);
  });

  it("leaves column positions of ORDER BY / GROUP BY in the text, but not LIMIT values", () => {
    const p = parameterized("SELECT a, b, count(*) FROM t GROUP BY 1, 2 WITH ROLLUP ORDER BY 2 DESC, 1 LIMIT 10");
    assert.equal(p.text, "SELECT a, b, count(*) FROM t GROUP BY 1, 2 WITH ROLLUP ORDER BY 2 DESC, 1 LIMIT :__sg0");
    assert.deepEqual(p.literals.map((l) => l.source), ["10"]);
  });

  it("a number in an ORDER BY expression is a value, a position inside GROUP_CONCAT(... ORDER BY n) is not", () => {
    const p = parameterized("SELECT GROUP_CONCAT(a ORDER BY 1), b FROM t ORDER BY b + 1, FIELD(b, 3, 4)");
    assert.equal(p.text, "SELECT GROUP_CONCAT(a ORDER BY 1), b FROM t ORDER BY b + :__sg0, FIELD(b, :__sg1, :__sg2)");
  });

  it("keeps syntax literals verbatim: type lengths, aliases, INTERVAL amounts, typed literals", () => {
    const sql =
      "SELECT CAST(x AS DECIMAL(10,2)) AS 'alias', CAST(y AS CHAR(3)) FROM t WHERE d > DATE '2020-01-01' - INTERVAL 1 DAY AND ts < TIMESTAMP '2020-01-01 00:00:00' AND n LIKE 'a!%' ESCAPE '!' AND z = 7";
    const p = parameterized(sql);
    assert.equal(
      p.text,
      "SELECT CAST(x AS DECIMAL(10,2)) AS 'alias', CAST(y AS CHAR(3)) FROM t WHERE d > DATE '2020-01-01' - INTERVAL 1 DAY AND ts < TIMESTAMP '2020-01-01 00:00:00' AND n LIKE :__sg0 ESCAPE '!' AND z = :__sg1",
    );
    assert.deepEqual(p.literals.map((l) => l.source), ["'a!%'", "7"]);
  });

  it("opens executable comments (their literals become values too) and keeps plain comments and hints", () => {
    const p = parameterized("SELECT /*+ MAX_EXECUTION_TIME(1000) */ /*!80000 SQL_NO_CACHE */ a /* note */ FROM t /*!50700 WHERE id = 3 */");
    assert.ok(!p.text.includes("/*!") && !p.text.includes("50700"), p.text);
    assert.match(p.text, /^SELECT \/\*\+ MAX_EXECUTION_TIME\(1000\) \*\/ +SQL_NO_CACHE +a \/\* note \*\/ FROM t +WHERE id = :__sg0 *$/);
    assert.equal(p.text.length, "SELECT /*+ MAX_EXECUTION_TIME(1000) */ /*!80000 SQL_NO_CACHE */ a /* note */ FROM t /*!50700 WHERE id = :__sg0 */".length, "markers become spaces");
    assert.deepEqual(p.literals.map((l) => l.source), ["3"]);
    const mariadb = parameterized("SELECT /*M!100100 1 + */ 2");
    assert.match(mariadb.text, /^SELECT +:__sg0 \+ +:__sg1$/);
  });

  it("gives two statements that differ only in their values the same text", () => {
    const a = parameterized("SELECT * FROM customer WHERE customer_id = 1 AND email = 'a@x' LIMIT 5");
    const b = parameterized("SELECT * FROM customer WHERE customer_id = 123456 AND email = _latin1'zz' LIMIT 99");
    assert.equal(a.text, b.text);
    assert.notDeepEqual(a.literals, b.literals);
    const c = parameterized("SELECT * FROM customer WHERE customer_id = 1 AND email = 'a@x' ORDER BY 2 LIMIT 5");
    assert.notEqual(a.text, c.text);
  });

  it("returns undefined when the statement does not lex", () => {
    assert.equal(parameterize("SELECT 'unterminated"), undefined);
    assert.equal(parameterize("SELECT /*!80000 1"), undefined);
  });

  it(
    "keeps a REGEXP pattern, an alias and a backquoted identifier that contain `*/` exactly",

    () => {
      for (const sql of ["SELECT a FROM t WHERE name REGEXP 'a*/b'", "SELECT a AS 'x*/y' FROM t", "SELECT `we*/rd` FROM t", "SELECT a FROM t WHERE name REGEXP '/*!50000 x'"]) {
        assert.equal(parameterized(sql).text, sql);
      }
    },
  );

  it(
    "adjacent strings ('1' '2', which MySQL reads as '12') stay one value",

    () => {
      const p = parameterized("SELECT * FROM customer WHERE customer_id = '1' '2'");
      assert.equal(p.literals.length, 1, p.text);
      assert.equal(shown(p.literals[0]!.value), `string:${hexOf("12")}`);
    },
  );
});

describe("outlineSelect", () => {
  const texts = (sql: string, outline: SelectOutline) => outline.items.map((r) => sql.slice(r.start, r.end));
  const clauseTexts = (sql: string, outline: SelectOutline) =>
    Object.fromEntries(Object.keys(outline.clauses).map((c) => [c, sql.slice(outline.clauses[c as keyof SelectOutline["clauses"]]!, clauseEnd(outline, c as keyof SelectOutline["clauses"]))]));

  it("splits the select items at depth-0 commas and finds each clause's start", () => {
    const sql = "SELECT a, f(b, c) AS x, (SELECT y, z FROM u) s FROM t WHERE k IN (1, 2) GROUP BY a HAVING count(*) > 1 ORDER BY a DESC LIMIT 3 FOR UPDATE";
    const outline = outlineSelect(sql)!;
    assert.deepEqual(texts(sql, outline), ["a", "f(b, c) AS x", "(SELECT y, z FROM u) s"]);
    assert.equal(sql.slice(0, outline.itemsStart), "SELECT");
    assert.deepEqual(clauseTexts(sql, outline), {
      FROM: "FROM t ",
      WHERE: "WHERE k IN (1, 2) ",
      GROUP: "GROUP BY a ",
      HAVING: "HAVING count(*) > 1 ",
      ORDER: "ORDER BY a DESC ",
      LIMIT: "LIMIT 3 ",
      TAIL: "FOR UPDATE",
    });
    assert.equal(outline.end, sql.length);
  });

  it("skips modifiers before the items", () => {
    const sql = "SELECT DISTINCT SQL_CALC_FOUND_ROWS a , b FROM t";
    const outline = outlineSelect(sql)!;
    assert.equal(sql.slice(0, outline.itemsStart), "SELECT DISTINCT SQL_CALC_FOUND_ROWS");
    assert.deepEqual(texts(sql, outline), ["a", "b"]);
  });

  it("ignores clause words inside parentheses (GROUP_CONCAT ORDER BY, EXTRACT FROM, window specs)", () => {
    const sql = "SELECT GROUP_CONCAT(x ORDER BY y SEPARATOR ','), EXTRACT(YEAR FROM d), CASE WHEN a THEN 1 ELSE 2 END FROM t WINDOW w AS (ORDER BY a) ORDER BY 1;";
    const outline = outlineSelect(sql)!;
    assert.deepEqual(texts(sql, outline), ["GROUP_CONCAT(x ORDER BY y SEPARATOR ',')", "EXTRACT(YEAR FROM d)", "CASE WHEN a THEN 1 ELSE 2 END"]);
    assert.deepEqual(Object.keys(outline.clauses), ["FROM", "WINDOW", "ORDER"]);
    assert.equal(sql.slice(outline.clauses.ORDER!, outline.end), "ORDER BY 1", "the outline ends before the `;`");
  });

  it("stops at UNION: only the first SELECT's items and clauses", () => {
    const sql = "SELECT a FROM t WHERE x = 1 UNION SELECT b FROM u ORDER BY 1";
    const outline = outlineSelect(sql)!;
    assert.deepEqual(texts(sql, outline), ["a"]);
    assert.deepEqual(Object.keys(outline.clauses), ["FROM", "WHERE", "UNION"]);
    assert.equal(sql.slice(0, outline.end), "SELECT a FROM t WHERE x = 1");
    assert.equal(clauseEnd(outline, "ORDER"), -1);
  });

  it("outlines a SELECT starting at an offset, and refuses what does not lex", () => {
    const sql = "SELECT * FROM (SELECT a, b FROM t LIMIT 2) d";
    const inner = sql.indexOf("SELECT a");
    const outline = outlineSelect(sql.slice(0, sql.lastIndexOf(")")), inner)!;
    assert.deepEqual(texts(sql, outline), ["a", "b"]);
    assert.equal(outlineSelect("SELECT 'x"), undefined);
    assert.equal(outlineSelect("DELETE FROM t"), undefined);
  });
});

describe("text edits", () => {
  it("splitClauseItems splits at depth-0 commas and reads ASC/DESC off each item", () => {
    const sql = "SELECT a FROM t ORDER BY a DESC, f(b, c) ASC, 2, `desc`, d COLLATE utf8mb4_bin DESC LIMIT 1";
    const outline = outlineSelect(sql)!;
    const items = splitClauseItems(sql, clauseBodyStart(sql, outline.clauses.ORDER!), clauseEnd(outline, "ORDER"));
    assert.deepEqual(
      items.map((i) => [sql.slice(i.start, i.end), sql.slice(i.expression.start, i.expression.end), i.descending]),
      [
        ["a DESC", "a", true],
        ["f(b, c) ASC", "f(b, c)", false],
        ["2", "2", false],
        ["`desc`", "`desc`", false],
        ["d COLLATE utf8mb4_bin DESC", "d COLLATE utf8mb4_bin", true],
      ],
    );
  });

  it("clauseBodyStart is past `GROUP BY` / `ORDER BY` / `LIMIT` / `HAVING`", () => {
    const sql = "SELECT a FROM t GROUP  BY a HAVING n > 1 ORDER\nBY a LIMIT 5";
    assert.equal(sql.slice(clauseBodyStart(sql, sql.indexOf("GROUP"))), " a HAVING n > 1 ORDER\nBY a LIMIT 5");
    assert.equal(sql.slice(clauseBodyStart(sql, sql.indexOf("HAVING"))), " n > 1 ORDER\nBY a LIMIT 5");
    assert.equal(sql.slice(clauseBodyStart(sql, sql.indexOf("ORDER"))), " a LIMIT 5");
    assert.equal(sql.slice(clauseBodyStart(sql, sql.indexOf("LIMIT"))), " 5");
  });

  it("withoutAlias drops `AS alias`, a bare alias and a quoted alias, and nothing when there is none", () => {
    const sql = "SELECT count(*) AS n, x y, z, a AS 'q', (b + c) AS `s` FROM t";
    const outline = outlineSelect(sql)!;
    const hasAlias = [true, true, false, true, true];
    const slice = (r: TextRange) => sql.slice(r.start, r.end);
    assert.deepEqual(outline.items.map((r, i) => slice(withoutAlias(sql, r, hasAlias[i]!))), ["count(*)", "x", "z", "a", "(b + c)"]);
  });

  it("applyEdits applies non-overlapping edits given in any order; inserts at one position keep their order", () => {
    assert.equal(
      applyEdits("abcdef", [
        { start: 4, end: 4, text: "X" },
        { start: 1, end: 3, text: "__" },
        { start: 4, end: 4, text: "Y" },
        { start: 6, end: 6, text: "!" },
      ]),
      "a__dXYef!",
    );
    assert.equal(applyEdits("SELECT a FROM t LIMIT 5", [{ start: 16, end: 23, text: "LIMIT \u0001LIMIT\u0001 " }]), "SELECT a FROM t LIMIT \u0001LIMIT\u0001 ");
    assert.equal(applyEdits("unchanged", []), "unchanged");
  });

  it("sameExpression ignores spacing, case and backquotes only", () => {
    assert.equal(sameExpression("COUNT( * )", "count(*)"), true);
    assert.equal(sameExpression("`c`.`email`", "c . email"), true);
    assert.equal(sameExpression("a + b", "a - b"), false);
    assert.equal(sameExpression("email", "emails"), false);
  });
});
