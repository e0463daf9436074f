import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { collationById, CollationId, knownCollationIds, type Collation } from "../../src/core/collations/collation.ts";
import { UnsupportedComparison } from "../../src/core/collations/unsupported-comparison.ts";
import { forEachExplicitWeight, encodeWeightTable } from "../../src/core/collations/weight-table.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);
/** latin1 bytes of a string whose characters are all U+0000..U+00FF. */
const latin1 = (s: string) => Uint8Array.from([...s].map((ch) => ch.codePointAt(0)!));

function collation(id: number): Collation {
  const found = collationById(id);
  assert.ok(found, `collation ${id}`);
  return found;
}

/** Asserts the sign of compare(a, b) for each [a, b, sign], and that the equality keys agree. */
function expectOrder(c: Collation, cases: ReadonlyArray<readonly [string, string, -1 | 0 | 1]>, encode = utf8): void {
  for (const [a, b, sign] of cases) {
    const [x, y] = [encode(a), encode(b)];
    assert.equal(Math.sign(c.compare(x, y)), sign, `${c.name}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    assert.equal(Math.sign(c.compare(y, x)), -sign || 0, `${c.name}: ${JSON.stringify(b)} vs ${JSON.stringify(a)}`);
    assert.equal(Buffer.from(c.key(x)).equals(Buffer.from(c.key(y))), sign === 0, `${c.name} keys: ${JSON.stringify(a)}, ${JSON.stringify(b)}`);
  }
}

describe("collation registry", () => {
  it("knows the collations it can reproduce and nothing else", () => {
    for (const id of [8, 33, 45, 46, 47, 63, 83, 192, 224, 1032, 1057, 1069, 1070, 1071, 1107, 1216, 1248]) {
      assert.equal(collation(id).id, id);
    }
    assert.equal(collation(45).name, "utf8mb4_general_ci");
    assert.equal(collationById(CollationId.UTF8MB4_0900_AI_CI), undefined);
    assert.equal(collationById(2304), undefined, "utf8mb4_uca1400_ai_ci");
    assert.equal(collationById(9999), undefined);
    assert.deepEqual(knownCollationIds(), [8, 33, 45, 46, 47, 63, 83, 192, 224, 1032, 1057, 1069, 1070, 1071, 1107, 1216, 1248]);
  });
});

// The expected signs below are MariaDB 10.11's STRCMP results.
describe("utf8mb4_general_ci", () => {
  const c = collation(CollationId.UTF8MB4_GENERAL_CI);
  it("ignores case and Latin-1 accents, weighs ß as s", () => {
    expectOrder(c, [
      ["Émile", "emile", 0], ["Émile", "f", -1], ["eu", "EU", 0], ["Ä", "A", 0], ["Å", "Z", -1],
      ["ß", "s", 0], ["ß", "ss", -1], ["ı", "i", 0], ["İ", "i", 0], ["ø", "o", 1], ["ł", "l", 1],
      ["æ", "ae", 1], ["Œ", "oe", 1], ["ǅ", "dž", 1], ["ﬁ", "fi", 1], ["ς", "σ", 0], ["Ω", "ω", 0], ["µ", "μ", 0],
      ["й", "и", 1], ["ё", "е", 0], ["a-b", "ab", -1],
    ]);
  });
  it("is PAD SPACE: trailing spaces do not count, a tail compares with spaces", () => {
    expectOrder(c, [["a", "a  ", 0], ["", "   ", 0], ["a\t", "a", -1], ["a", "a!", -1], ["a ", "a\u0000", 1], ["ab", "a b", 1]]);
  });
  it("weighs every supplementary character 0xFFFD", () => {
    expectOrder(c, [["😀", "🎉", 0], ["😀", "\uFFFD", 0], ["😀", "z", 1], ["x😀", "x𝒜 ", 0]]);
  });
  it("refuses malformed UTF-8 rather than guessing", () => {
    for (const bad of [[0xff], [0xc3], [0xe2, 0x82], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80]]) {
      assert.throws(() => c.compare(Uint8Array.from(bad), utf8("a")), UnsupportedComparison);
      assert.throws(() => c.key(Uint8Array.from(bad)), UnsupportedComparison);
    }
  });
  it("has a NO PAD twin and a utf8mb3 twin that refuses 4-byte characters", () => {
    expectOrder(collation(CollationId.UTF8MB4_GENERAL_NOPAD_CI), [["a", "a ", -1], ["A", "a", 0], ["a\t", "a", 1]]);
    const mb3 = collation(CollationId.UTF8MB3_GENERAL_CI);
    expectOrder(mb3, [["Émile", "emile", 0], ["a", "a ", 0]]);
    assert.throws(() => mb3.compare(utf8("😀"), utf8("a")), /malformed byte sequence at offset 0 for collation utf8mb3_general_ci/);
  });
});

describe("utf8mb4_unicode_ci (UCA 4.0.0)", () => {
  const c = collation(CollationId.UTF8MB4_UNICODE_CI);
  it("expands, ignores combining marks, and orders letters by the UCA table", () => {
    expectOrder(c, [
      ["ß", "ss", 0], ["ß", "s", 1], ["straße", "STRASSE", 0], ["e\u0301", "é", 0], ["Émile", "emile", 0],
      ["ǅ", "dž", 0], ["ﬁ", "fi", 0], ["Œ", "oe", 0], ["ĳ", "ij", 0], ["æ", "ae", 1], ["ı", "i", 1], ["İ", "i", 0],
      ["ø", "o", 1], ["ø", "p", -1], ["ł", "l", 1], ["ł", "m", -1], ["Å", "Z", -1], ["ς", "Σ", 0], ["й", "и", 1], ["ё", "е", 0],
      ["½", "1/2", 1], ["a-b", "ab", -1],
    ]);
  });
  it("differs from general_ci exactly where UCA does", () => {
    const general = collation(CollationId.UTF8MB4_GENERAL_CI);
    for (const [a, b] of [["ß", "ss"], ["ı", "i"], ["ǅ", "dž"]] as const) {
      assert.notEqual(Math.sign(general.compare(utf8(a), utf8(b))), Math.sign(c.compare(utf8(a), utf8(b))), `${a} vs ${b}`);
    }
  });
  it("is PAD SPACE over the weight stream; ignorables vanish anywhere", () => {
    expectOrder(c, [["a", "a   ", 0], ["a\t", "a", -1], ["a", "a \u0301", 0], ["a\u0000", "a", 0], ["ab", "a b", 1]]);
    expectOrder(collation(CollationId.UTF8MB4_UNICODE_NOPAD_CI), [["a", "a ", -1], ["a", "a\u0301", 0], ["ß", "ss", 0]]);
  });
  it("weighs supplementary characters 0xFFFD and CJK by implicit weights", () => {
    // U+FFFD itself has a table weight (0x0DC6), below the 0xFFFD every supplementary character gets.
    expectOrder(c, [["😀", "🎉", 0], ["😀", "\uFFFD", 1], ["中", "丁", 1], ["中", "가", -1], ["中", "😀", -1]]);
  });
  it("refuses malformed UTF-8, and 4-byte characters in utf8mb3_unicode_ci", () => {
    assert.throws(() => c.compare(utf8("a"), Uint8Array.from([0x61, 0xe2, 0x28, 0xa1])), /offset 1 for collation utf8mb4_unicode_ci/);
    assert.throws(() => collation(CollationId.UTF8MB3_UNICODE_CI).compare(utf8("a"), utf8("a😀")), UnsupportedComparison);
  });
});

describe("_bin and binary collations", () => {
  it("utf8mb4_bin orders by code point and is PAD SPACE", () => {
    expectOrder(collation(CollationId.UTF8MB4_BIN), [["a", "a  ", 0], ["a\t", "a", -1], ["A", "a", -1], ["é", "z", 1], ["😀", "\uFFFD", 1]]);
    expectOrder(collation(CollationId.UTF8MB4_NOPAD_BIN), [["a", "a ", -1], ["a\t", "a", 1]]);
  });
  it("binary is NO PAD memcmp", () => {
    expectOrder(collation(CollationId.BINARY), [["a", "a ", -1], ["a", "a\u0000", -1], ["B", "a", -1], ["", "", 0]]);
  });
});

describe("latin1 collations take latin1 bytes", () => {
  it("latin1_swedish_ci sorts Å Ä Ö after Z, Ü with Y, and is PAD SPACE", () => {
    expectOrder(
      collation(CollationId.LATIN1_SWEDISH_CI),
      [["Å", "Z", 1], ["å", "Å", 0], ["ä", "Æ", 0], ["Ä", "Å", 1], ["Ö", "Ä", 1], ["Ü", "y", 0], ["é", "E", 0], ["Ø", "Ö", 1], ["a", "A  ", 0], ["a\t", "a", -1]],
      latin1,
    );
    expectOrder(collation(CollationId.LATIN1_SWEDISH_NOPAD_CI), [["a", "A ", -1], ["å", "Å", 0]], latin1);
  });
  it("latin1_bin is bytewise PAD SPACE", () => {
    expectOrder(collation(CollationId.LATIN1_BIN), [["a", "a ", 0], ["A", "a", -1], ["é", "z", 1]], latin1);
  });
});

describe("weight table text form", () => {
  it("round-trips a table through encodeWeightTable and forEachExplicitWeight", () => {
    const weights = (cp: number): number[] =>
      cp === 0x41 ? [] : cp >= 0x61 && cp <= 0x7a ? [cp - 0x20] : cp === 0xdf ? [0x53, 0x53] : cp >= 0x100 && cp < 0x110 ? [0x41] : [cp];
    const text = encodeWeightTable(weights, (cp, w) => w.length === 1 && w[0] === cp);
    const seen = new Map<number, readonly number[]>();
    forEachExplicitWeight(text, (cp, w) => seen.set(cp, w));
    for (let cp = 0; cp < 0x10000; cp++) {
      assert.deepEqual(seen.get(cp) ?? [cp], weights(cp), `U+${cp.toString(16)}`);
    }
    assert.match(text, /q1a:41/);
    assert.throws(() => forEachExplicitWeight("i10000 41", () => {}), /past U\+FFFF/);
    assert.throws(() => forEachExplicitWeight("sx:41", () => {}), /bad weight table token/);
  });
});
