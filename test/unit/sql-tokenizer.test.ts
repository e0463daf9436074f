import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { KEYWORDS, keywordName, lookupKeyword } from "../../src/core/sql/keywords.ts";
import { Lexer, TK_EOF, TK_NUMBER, TK_WORD, tokenize, type Token } from "../../src/core/sql/tokenizer.ts";

/** `[kind, text]` pairs: compact expectations. */
function kt(sql: string): [string, string][] {
  return tokenize(sql).map((t) => [t.kind, t.text]);
}

function only(sql: string): Token {
  const tokens = tokenize(sql);
  assert.equal(tokens.length, 1, `expected one token in ${JSON.stringify(sql)}, got ${JSON.stringify(tokens)}`);
  return tokens[0]!;
}

describe("tokenize: words and identifiers", () => {
  test("words keep their text and get an uppercase form, offsets point into the input", () => {
    const tokens = tokenize("select Foo_1 $x");
    assert.deepEqual(tokens, [
      { kind: "word", start: 0, end: 6, text: "select", upper: "SELECT" },
      { kind: "word", start: 7, end: 12, text: "Foo_1", upper: "FOO_1" },
      { kind: "word", start: 13, end: 15, text: "$x", upper: "$X" },
    ]);
  });

  test("non-ASCII characters are identifier characters", () => {
    assert.deepEqual(kt("SELECT café, 名前"), [["word", "SELECT"], ["word", "café"], ["operator", ","], ["word", "名前"]]);
  });

  test("backquoted identifiers are unescaped (doubled backquote, no backslash escapes)", () => {
    assert.deepEqual(only("`a``b`"), { kind: "quoted-identifier", start: 0, end: 6, text: "`a``b`", value: "a`b" });
    assert.equal(only("`a\\n`").value, "a\\n");
    assert.equal(only("`select`").value, "select");
  });

  test("identifiers may start with digits but are not all digits", () => {
    assert.deepEqual(kt("123abc 1e 1ea 0xZZ 0b12 0X1"), [
      ["word", "123abc"], ["word", "1e"], ["word", "1ea"], ["word", "0xZZ"], ["word", "0b12"], ["word", "0X1"],
    ]);
  });

  test("after `ident.` a leading digit starts an identifier, not a number", () => {
    assert.deepEqual(kt("db.1tbl t.5 `x`.2"), [
      ["word", "db"], ["operator", "."], ["word", "1tbl"],
      ["word", "t"], ["operator", "."], ["word", "5"],
      ["quoted-identifier", "`x`"], ["operator", "."], ["word", "2"],
    ]);
  });
});

describe("tokenize: strings", () => {
  test("single and double quotes, backslash escapes and doubled quotes", () => {
    assert.equal(only("'it''s'").value, "it's");
    assert.equal(only(`"say ""hi"""`).value, 'say "hi"');
    assert.equal(only(String.raw`'a\'b\"c\\d'`).value, `a'b"c\\d`);
    assert.equal(only(String.raw`'\0\b\n\r\t\Z'`).value, "\0\b\n\r\t\x1a");
    assert.equal(only(String.raw`'\%\_\q'`).value, "\\%\\_q");
    assert.equal(only(`"it's"`).value, "it's");
    assert.equal(only("''").value, "");
  });

  test("a quote inside the other kind of quotes is plain text", () => {
    assert.deepEqual(kt(`'a"b' "c'd"`), [["string", `'a"b'`], ["string", `"c'd"`]]);
  });

  test("semicolons, comment markers and keywords inside strings stay inside", () => {
    assert.deepEqual(kt("'x; -- /* SELECT' 1"), [["string", "'x; -- /* SELECT'"], ["number", "1"]]);
  });

  test("charset introducers and national strings", () => {
    assert.deepEqual(only("_utf8mb4'x'"), {
      kind: "string", start: 0, end: 11, text: "_utf8mb4'x'", value: "x", introducer: "_utf8mb4",
    });
    assert.deepEqual(only(`_latin1"y"`).introducer, "_latin1");
    assert.deepEqual(only("N'z'"), { kind: "string", start: 0, end: 4, text: "N'z'", value: "z", introducer: "N" });
    assert.equal(only("n'z'").introducer, "n");
    // Not glued to a quote: just a word.
    assert.deepEqual(kt("_utf8mb4 'x'"), [["word", "_utf8mb4"], ["string", "'x'"]]);
  });

  test("hex and bit literals", () => {
    assert.deepEqual(only("X'0A'"), { kind: "hex", start: 0, end: 5, text: "X'0A'", value: "0A" });
    assert.deepEqual(only("x'ff'").kind, "hex");
    assert.deepEqual(only("0x0aF"), { kind: "hex", start: 0, end: 5, text: "0x0aF", value: "0aF" });
    assert.deepEqual(only("b'0101'"), { kind: "bit", start: 0, end: 7, text: "b'0101'", value: "0101" });
    assert.deepEqual(only("B'1'").kind, "bit");
    assert.deepEqual(only("0b01"), { kind: "bit", start: 0, end: 4, text: "0b01", value: "01" });
  });
});

describe("tokenize: numbers", () => {
  test("integers, decimals, exponents, leading dot", () => {
    assert.deepEqual(kt("42 3.14 1e3 1E-3 2.5e+10 .5 .5e2 7."), [
      ["number", "42"], ["number", "3.14"], ["number", "1e3"], ["number", "1E-3"],
      ["number", "2.5e+10"], ["number", ".5"], ["number", ".5e2"], ["number", "7."],
    ]);
  });

  test("a sign is a separate operator", () => {
    assert.deepEqual(kt("-1+2"), [["operator", "-"], ["number", "1"], ["operator", "+"], ["number", "2"]]);
  });

  test("a dot between spaced numbers is a decimal point", () => {
    assert.deepEqual(kt("a .5"), [["word", "a"], ["number", ".5"]]);
  });
});

describe("tokenize: variables and parameters", () => {
  test("user variables: bare, with dots, quoted", () => {
    assert.deepEqual(only("@name"), { kind: "user-variable", start: 0, end: 5, text: "@name", value: "name" });
    assert.equal(only("@a.b_$1").value, "a.b_$1");
    assert.equal(only("@'my var'").value, "my var");
    assert.equal(only(`@"x""y"`).value, 'x"y');
    assert.equal(only("@`q`").value, "q");
  });

  test("a lone @ is an operator (user@host forms)", () => {
    assert.deepEqual(kt("'u'@'h'"), [["string", "'u'"], ["user-variable", "@'h'"]]);
    assert.deepEqual(kt("@ x"), [["operator", "@"], ["word", "x"]]);
  });

  test("system variables with and without scope", () => {
    assert.deepEqual(only("@@Version"), {
      kind: "system-variable", start: 0, end: 9, text: "@@Version", value: "version",
    });
    assert.deepEqual(only("@@SESSION.sql_mode"), {
      kind: "system-variable", start: 0, end: 18, text: "@@SESSION.sql_mode", value: "sql_mode", scope: "session",
    });
    assert.equal(only("@@global.max_connections").scope, "global");
    assert.equal(only("@@local.x").scope, "local");
    assert.equal(only("@@persist.x").scope, "persist");
    assert.equal(only("@@persist_only.x").scope, "persist_only");
    assert.deepEqual(only("@@`version`").value, "version");
    const structured = only("@@hot_cache.key_buffer_size");
    assert.equal(structured.value, "hot_cache.key_buffer_size");
    assert.equal(structured.scope, undefined);
    assert.deepEqual(kt("@@x+1"), [["system-variable", "@@x"], ["operator", "+"], ["number", "1"]]);
  });

  test("? is a parameter", () => {
    assert.deepEqual(kt("id=?"), [["word", "id"], ["operator", "="], ["param", "?"]]);
  });
});

describe("tokenize: operators", () => {
  test("multi-character operators", () => {
    assert.deepEqual(
      kt("a:=b<=>c<=d>=e<>f!=g<<h>>i&&j||k->l->>m").filter(([kind]) => kind === "operator").map(([, text]) => text),
      [":=", "<=>", "<=", ">=", "<>", "!=", "<<", ">>", "&&", "||", "->", "->>"],
    );
  });

  test("punctuation", () => {
    assert.deepEqual(kt("(a,b);").map(([, text]) => text), ["(", "a", ",", "b", ")", ";"]);
  });
});

describe("tokenize: comments", () => {
  test("-- needs whitespace, a control character or the end after it", () => {
    assert.deepEqual(kt("1 -- c\n2"), [["number", "1"], ["number", "2"]]);
    assert.deepEqual(kt("1 --\t c\n2"), [["number", "1"], ["number", "2"]]);
    assert.deepEqual(kt("1 --"), [["number", "1"]]);
    assert.deepEqual(kt("1--2"), [["number", "1"], ["operator", "-"], ["operator", "-"], ["number", "2"]]);
  });

  test("# and /* */ comments, optimizer hints", () => {
    assert.deepEqual(kt("a # c ; 'x\nb /* c ; ' */ c /*+ BKA(t) */ d"), [
      ["word", "a"], ["word", "b"], ["word", "c"], ["word", "d"],
    ]);
    assert.deepEqual(kt("a/**/b"), [["word", "a"], ["word", "b"]]);
  });

  test("executable comments are lexed as code, with and without a version", () => {
    assert.deepEqual(kt("/*!40101 SET NAMES utf8 */"), [["word", "SET"], ["word", "NAMES"], ["word", "utf8"]]);
    assert.deepEqual(kt("/*! STRAIGHT_JOIN */ x"), [["word", "STRAIGHT_JOIN"], ["word", "x"]]);
    assert.deepEqual(kt("/*!80000 1 */+2"), [["number", "1"], ["operator", "+"], ["number", "2"]]);
    assert.deepEqual(kt("/*M!100100 a */"), [["word", "a"]]);
    assert.deepEqual(kt("/*!1 */"), [["number", "1"]]);
    const [t] = tokenize("/*!40101 SET */");
    assert.equal(t!.start, 9);
  });

  test("outside an executable comment */ is two operators", () => {
    assert.deepEqual(kt("a*/b"), [["word", "a"], ["operator", "*"], ["operator", "/"], ["word", "b"]]);
  });
});

describe("tokenize: errors", () => {
  test("unterminated strings, identifiers, variables and comments end in an error token", () => {
    for (const sql of ["SELECT 'abc", 'SELECT "a\\"', "SELECT `x", "SELECT @'x", "SELECT X'0A", "SELECT /* x", "@@`x"]) {
      const tokens = tokenize(sql);
      const last = tokens[tokens.length - 1]!;
      assert.equal(last.kind, "error", sql);
      assert.equal(last.end, sql.length, sql);
    }
    assert.deepEqual(kt("SELECT 'abc"), [["word", "SELECT"], ["error", "'abc"]]);
  });

  test("an executable comment that never closes is an error", () => {
    assert.deepEqual(kt("/*!40101 SET x"), [["word", "SET"], ["word", "x"], ["error", ""]]);
  });
});

describe("Lexer", () => {
  test("pull API yields the same boundaries as tokenize and can be reused", () => {
    const lexer = new Lexer();
    for (const sql of ["SELECT a.b FROM t WHERE x = 'y;' -- c", "SET @x := 1.5e3"]) {
      lexer.reset(sql);
      const seen: [number, number][] = [];
      while (lexer.next() !== TK_EOF) seen.push([lexer.start, lexer.end]);
      assert.deepEqual(seen, tokenize(sql).map((t) => [t.start, t.end]));
    }
    lexer.reset("x 1");
    assert.equal(lexer.next(), TK_WORD);
    assert.equal(lexer.next(), TK_NUMBER);
    assert.equal(lexer.next(), TK_EOF);
    assert.equal(lexer.next(), TK_EOF);
  });
});

describe("keyword table", () => {
  test("every keyword is found in any case, at any offset; other words are not", () => {
    for (const [word, id] of Object.entries(KEYWORDS)) {
      assert.equal(keywordName(id), word);
      for (const spelling of [word, word.toLowerCase(), word[0] + word.slice(1).toLowerCase()]) {
        const sql = `(${spelling})`;
        assert.equal(lookupKeyword(sql, 1, sql.length - 1), id, spelling);
      }
    }
    for (const word of ["SELECTS", "SELEC", "sbtest1", "x", "customer", "product", "FROMM", "SE_ECT", "ÉVENT", "a".repeat(30)]) {
      assert.equal(lookupKeyword(word, 0, word.length), 0, word);
    }
  });
});

describe("tokenize: properties", () => {
  const sqlish = fc
    .array(
      fc.constantFrom(
      "'", '"', "`", "\\", "@", "@@", ".", "-", "--", " ", "\n", "#", "/*", "*/", "/*!", "/*!50700", "/*+", ";",
        "0x", "0b", "1", "e", "X'", "_utf8", "N", "a", "é", ":=", "?", "(", ")", "*",
      ),
      { maxLength: 40 },
    )
    .map((parts) => parts.join(""));
  // Any UTF-16 code unit, lone surrogates included.
  const codeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 });

  test("never throws; tokens are ordered, non-overlapping and inside the input", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), codeUnits, sqlish), (sql) => {
        const tokens = tokenize(sql);
        let previousEnd = 0;
        for (const t of tokens) {
          assert.ok(t.start >= previousEnd, `token ${JSON.stringify(t)} overlaps in ${JSON.stringify(sql)}`);
          assert.ok(t.end >= t.start && t.end <= sql.length);
          assert.ok(t.end > t.start || t.kind === "error", "only an error token may be empty");
          assert.equal(t.text, sql.slice(t.start, t.end));
          previousEnd = t.end;
        }
        const errors = tokens.filter((t) => t.kind === "error");
        assert.ok(errors.length <= 1 && (errors.length === 0 || tokens[tokens.length - 1]!.kind === "error"));
      }),
      { numRuns: 3000 },
    );
  });
});
