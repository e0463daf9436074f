import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";

import { parseShardName } from "../../src/core/config/key-range.ts";
import { BinaryVindex } from "../../src/core/vindexes/binary.ts";
import { BinaryMd5Vindex } from "../../src/core/vindexes/binary-md5.ts";
import { HashVindex } from "../../src/core/vindexes/hash.ts";
import { normalizeKeyspaceId, shardForKeyspaceId, vitessKeyRangeContains } from "../../src/core/vindexes/key-range-routing.ts";
import { LookupUniqueVindex } from "../../src/core/vindexes/lookup-unique.ts";
import { md5 } from "../../src/core/vindexes/md5.ts";
import { NumericVindex } from "../../src/core/vindexes/numeric.ts";
import { createVindex, VINDEX_TYPES } from "../../src/core/vindexes/registry.ts";
import {
  formatSqlValue,
  INT64_MAX,
  INT64_MIN,
  SQL_NULL,
  sqlFloat,
  sqlHexLiteral,
  sqlInt,
  sqlString,
  sqlUint,
  UINT64_MAX,
  type SqlValue,
} from "../../src/core/vindexes/sql-value.ts";
import { looseCollationKey, UnicodeLooseMd5Vindex } from "../../src/core/vindexes/unicode-loose-md5.ts";
import { isFunctional, isReversible, type LookupBackend, type LookupRow } from "../../src/core/vindexes/vindex.ts";
import { xxhash64, XxhashVindex } from "../../src/core/vindexes/xxhash.ts";

const utf8 = new TextEncoder();

function unhex(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function hex(bytes: Uint8Array | null): string | null {
  return bytes === null ? null : Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function base64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

describe("md5", () => {
  it("matches the RFC 1321 test suite", () => {
    const suite: Array<[string, string]> = [
      ["", "d41d8cd98f00b204e9800998ecf8427e"],
      ["a", "0cc175b9c0f1b6a831c399e269772661"],
      ["abc", "900150983cd24fb0d6963f7d28e17f72"],
      ["message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
      ["abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"],
      ["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"],
      ["1234567890".repeat(8), "57edf4a22be3c955ac49da2e2107b67a"],
    ];
    for (const [input, digest] of suite) assert.equal(hex(md5(utf8.encode(input))), digest, `MD5("${input}")`);
  });

  it("pads correctly around the block boundaries", () => {
    // 55 bytes leave room for the length in the last block, 56 need one more; 64 and 120 likewise.
    const digests: Array<[number, string]> = [
      [55, "ef1772b6dff9a122358552954ad0df65"],
      [56, "3b0c8ac703f828b04c6c197006d17218"],
      [63, "b06521f39153d618550606be297466d5"],
      [64, "014842d480b571495a4a0363793f7367"],
      [65, "c743a45e0d2e6a95cb859adae0248435"],
      [119, "8a7bd0732ed6a28ce75f6dabc90e1613"],
      [120, "5f61c0ccad4cac44c75ff505e1f1e537"],
    ];
    for (const [n, digest] of digests) assert.equal(hex(md5(utf8.encode("a".repeat(n)))), digest, `MD5("a" x ${n})`);
  });
});

describe("xxhash vindex", () => {
  const vindex = new XxhashVindex();

  it("maps Vitess's xxhash_test.go TestXXHashMap values (the value's text, little-endian XXH64)", async () => {
    const cases: Array<[SqlValue, string]> = [
      [sqlString("test1"), "d01ab7e4d6978f0b"],
      [sqlString("test2"), "87eb11714c0a0e89"],
      [sqlString("testaverylongvaluetomakesurethisworks"), "81d8c38e0d850e6a"],
      [sqlInt(1), "d46405367612b4b7"],
      [SQL_NULL, "99e9d85137db46ef"],
      [sqlInt(-1), "d8e2a6a7c8c7623d"],
      [sqlUint(UINT64_MAX), "477cfa8d6d8f1f8d"],
      [sqlInt(INT64_MAX), "b37eb01f7bffafd8"],
      [sqlUint(INT64_MAX), "b37eb01f7bffafd8"],
      [sqlInt(INT64_MIN), "102c27ddb26a609e"],
    ];
    assert.deepEqual((await vindex.map(cases.map(([v]) => v))).map(hex), cases.map(([, id]) => id));
  });

  it("TestXXHashVerify: UINT64 1 and 2 differ, a hex literal hashes its bytes", () => {
    assert.equal(hex(vindex.mapValue(sqlUint(1))), "d46405367612b4b7");
    assert.notEqual(hex(vindex.mapValue(sqlUint(2))), "d46405367612b4b7");
    assert.deepEqual(vindex.mapValue(sqlHexLiteral("9efa")), vindex.mapValue(sqlString(unhex("9efa"))));
  });

  it("is XXH64 with seed 0 (reference values of the algorithm)", () => {
    assert.equal(xxhash64(new Uint8Array(0)), 0xef46db3751d8e999n);
    assert.equal(xxhash64(utf8.encode("a")), 0xd24ec4f1a98c6e5bn);
    assert.equal(xxhash64(utf8.encode("abc")), 0x44bc2cf5ad770999n);
  });
});

describe("numeric, binary, binary_md5 vindexes", () => {
  it("numeric maps Vitess's numeric_test.go TestNumericMap values (a DOUBLE maps to nothing)", async () => {
    const numeric = new NumericVindex();
    const values = [1, 2, 3, 1.1, 4, 5, 6, 7, 8].map((n) => (Number.isInteger(n) ? sqlInt(n) : sqlFloat(String(n))));
    const want = [1, 2, 3, null, 4, 5, 6, 7, 8].map((n) => (n === null ? null : `00000000000000${n.toString(16).padStart(2, "0")}`));
    assert.deepEqual((await numeric.map(values)).map(hex), want);
    assert.deepEqual(numeric.reverseMap([unhex("0000000000000001")]), [{ kind: "uint", value: 1n }]);
    assert.throws(() => numeric.reverseMap([utf8.encode("aa")]), { message: "Numeric.ReverseMap: length of keyspaceId is not 8: 2" });
    // ToUint64: no wrap-around for negatives (unlike hash), strings are parsed.
    assert.equal(numeric.mapValue(sqlInt(-1)), null);
    assert.equal(hex(numeric.mapValue(sqlString("258"))), "0000000000000102");
    assert.equal(hex(numeric.mapValue(sqlUint(UINT64_MAX))), "ffffffffffffffff");
    assert.equal(numeric.cost, 0);
  });

  it("binary maps Vitess's binary_test.go TestBinaryMap values and reverse-maps", async () => {
    const binary = new BinaryVindex();
    const got = await binary.map([sqlString("test1"), SQL_NULL, sqlString("test2")]);
    assert.deepEqual(got.map(hex), [hex(utf8.encode("test1")), "", hex(utf8.encode("test2"))]);
    assert.deepEqual(binary.reverseMap([unhex("0000000000000001")]), [{ kind: "string", bytes: unhex("0000000000000001") }]);
    const source = utf8.encode("abc");
    const id = binary.mapValue(sqlString(source));
    source[0] = 0x7a;
    assert.equal(hex(id), "616263", "the id does not alias the value's buffer");
  });

  it("binary_md5 maps Vitess's binarymd5_test.go TestBinaryMD5Map values", async () => {
    const vindex = new BinaryMd5Vindex();
    const got = await vindex.map([sqlString("Test"), sqlString("TEST"), sqlString("Test")]);
    assert.deepEqual(got.map(hex), ["0cbc6611f5540bd0809a388dc95a615b", "033bd94b1168d7e4f0d644c3c95e35bf", "0cbc6611f5540bd0809a388dc95a615b"]);
    assert.notDeepEqual(vindex.mapValue(sqlString("TEst")), got[0], "TestBinaryMD5Verify: case matters");
  });
});

describe("unicode_loose_md5 vindex", () => {
  const vindex = new UnicodeLooseMd5Vindex();
  const TEST = "0b5edbb401fd7524393690491d64f1f5";

  it("maps Vitess's unicodeloosemd5_test.go TestUnicodeLooseMD5Map values", async () => {
    const cases: Array<[string, string]> = [
      ["Test", TEST],
      ["TEST", TEST],
      ["Te\u0301st", TEST],
      ["Tést", TEST],
      ["Bést", "c2b2332e4f73d00741026249706f2fb6"],
      ["Test ", TEST],
      [" Test", "a2e3515c7e8df1ffd2ccfc11c6b19dd1"],
      ["Test\t", "82456dd87a9c7a02b1c2056b5abaa272"],
      ["TéstLooong", "9683e12b80430cd453f5dfdfba81c9a5"],
      ["T", "ac0f9179f51db87fe8ecc0cf40cab97a"],
    ];
    assert.deepEqual((await vindex.map(cases.map(([s]) => sqlString(s)))).map(hex), cases.map(([, id]) => id));
  });

  it("builds the collation keys of unicode_test.go TestNormalization", () => {
    const cases: Array<[string, string]> = [
      ["Test", "1816164c17f31816"],
      ["TEST", "1816164c17f31816"],
      ["Te\u0301st", "1816164c17f31816"],
      ["Tést", "1816164c17f31816"],
      ["Bést", "1605164c17f31816"],
      ["Test ", "1816164c17f31816"],
      [" Test", "01091816164c17f31816"],
      ["Test\t", "1816164c17f318160100"],
      ["TéstLooong", "1816164c17f318161711177117711771174f1691"],
      ["T", "1816"],
    ];
    for (const [input, key] of cases) assert.equal(hex(looseCollationKey(utf8.encode(input))), key, input);
  });

  it("matches Vitess's testdata/unicode_hash_golden.json (Estonian and Latvian Wikipedia text)", () => {
    const golden: Array<[string, string]> = [
      ["QWxiZXJ0IEVpbnN0ZWluICgxNC4gbcOkcnRzIDE4NzkgVWxtLCBTYWtzYW1hYSDigJMgMTguIGFwcmlsbCAxOTU1IFByaW5jZXRvbiwgVVNBKSBvbGkgU2Frc2FtYWFsdCBww6RyaXQgbmluZyBoaWxqZW0gxaB2ZWl0c2kgamEgQW1lZXJpa2Egw5xoZW5kcmlpa2lkZSBrb2Rha29uZHN1c2VnYSBqdXVkaSByYWh2dXNlc3QgZsO8w7xzaWthdGVvcmVldGlrLiBQYWxqdWQgcGVhdmFkIHRlZGEgMjAuIHNhamFuZGkgc3V1cmltYWtzIHRlYWRsYXNla3MuCkp1YmEgbm9vcmVsdCBoYWtrYXMgRWluc3RlaW4gYXJ2YW1hLCBldCBOZXd0b25pIHNlYWR1c3Rlc3QgZWkgcGlpc2Ega2xhc3Npa2FsaXNlIG1laGFhbmlrYSBzZWFkdXN0ZSDDvGhlbmRhbWlzZWtzIGVsZWt0cm9tYWduZXR2w6RsamEgc2VhZHVzdGVnYS4gU2VsbGluZSBzZWlzdWtvaHQgdmlpcyB0YSBsw7VwdWtzIGVyaXJlbGF0aWl2c3VzdGVvb3JpYSB2w6RsamF0w7bDtnRhbWlzZWxlLiBTZWVqw6RyZWwgdGFpcGFzIHRhLCBldCByZWxhdGlpdnN1c2UgcMO1aGltw7V0ZXQgc2FhYiBsYWllbmRhZGEgZ3Jhdml0YXRzaW9vbml2w6RsamFsZSwgamEgc2VlasOkcmVsIGF2YWxkYXMgdGEgMTkxNiDDvGxkcmVsYXRpaXZzdXN0ZW9vcmlhLiBUYSBqw6R0a2FzIHTDtsO2ZCBzdGF0aXN0aWxpc2UgbWVoYWFuaWthIGphIGt2YW50bWVoYWFuaWthIGFsYWwsIG1pcyB2aWlzIHRhIG9zYWtlc3RlIHRlb29yaWEgamEgQnJvd25pIGxpaWt1bWlzZSBzZWxnaXRhbWlzZW5pLiBUYSB1dXJpcyBrYSB2YWxndXNlIHNvb2p1c2xpa2tlLi4u", "lOk+8WWSIcWS7p8cu/85xQ=="],
      ["QWxiZXJ0cyBFaW7FoXRlaW5zIChBbGJlcnQgRWluc3RlaW47IGR6aW1pcyAxODc5LiBnYWRhIDE0LiBtYXJ0xIEsIG1pcmlzIDE5NTUuIGdhZGEgMTguIGFwcsSrbMSrKSBiaWphIGVicmVqdSBpemNlbHNtZXMgZml6acS3aXMsIGt1cnUgYmllxb5pIHV6c2thdGEgcGFyIGlldsSTcm9qYW3EgWtvIDIwLiBnYWRzaW10YSB6aW7EgXRuaWVrdS4gTm96xKttxKtnxIFrYWlzIEVpbsWhdGVpbmEgaWVndWxkxKtqdW1zIGZpemlrxIEgaXIgcmVsYXRpdml0xIF0ZXMgdGVvcmlqYXMgaXp2ZWlkZS4gRWluxaF0ZWluYW0gYmlqdXNpIGxpZWxhIG5vesSrbWUgYXLEqyBrdmFudHUgbWVoxIFuaWthcywgc3RhdGlzdGlza8SBcyBtZWjEgW5pa2FzIHVuIGtvc21vbG/Eo2lqYXMgYXR0xKtzdMSrYsSBLiAxOTIxLiBnYWTEgSB2acWGYW0gdGlrYSBwaWXFocS3aXJ0YSBOb2JlbGEgcHLEk21pamEgZml6aWvEgSBwYXIgZm90b2VsZWt0cmlza8SBIGVmZWt0YSBza2FpZHJvanVtdSB1biAicGFyIG5vcGVsbmllbSB0ZW9yxJN0aXNrxIFzIGZpemlrYXMgbGFixIEiLiBWacWGYSB2xIFyZMSBIG5vc2F1a3RhIHZpZW7Eq2JhLCBrbyBsaWV0byBmb3RvxLfEq21pasSBLCBhc3Rlcm/Eq2RzLCBrxIEgYXLEqyDEt8SrbWlza2FpcyBlbGVtZW50cyBlaW7FoXRlaW5panMuCkVpbsWhdGVpbnMgYmlqYSBhcsSrIGl6Z3Vkcm90xIFqcywgdmnFhsWhIGl6Z3Vkcm9qaXMgYXTFocS3aXLEq2d1cyB0ZWhuaXNrdXMgcmlzaW7EgWp1bXVzLCBwaWVtxJNyYW0sIMW+aXJva29tcGFzYW0sIGxlZHVzc2thcGltLCBkemlyZGVzIGFwYXLEgXRhbS4gS29wxIEgYXIga29sxJPEo2kuLi4=", "gewNSqa5vSbyz+D0mjsv8w=="],
    ];
    for (const [input, digest] of golden) assert.deepEqual(vindex.mapValue(sqlString(base64(input))), base64(digest));
  });

  it("folds case, accents, expansions and the l· contraction as golang.org/x/text/collate does", () => {
    // Keyspace ids computed with the collator Vitess uses (Loose, English/CLDR root).
    const groups: Array<[string[], string]> = [
      [["Straße", "STRASSE"], "495c70488e5e25057ffc85349b4ba143"],
      [["Col·legi", "Collegi", "COL·LEGI", "Col\u0387legi"], "d04f80ebff5b1343676c6a11d8f47669"],
      [["Ærøskøbing", "AEROSKOBING"], "847d03c18a1bc91eec2570723520363d"],
      [["Tiếng Việt", "TIENG VIET"], "c96f66b909f5babd635e3e0182135146"],
      [["Ελληνικά", "ΕΛΛΗΝΙΚΆ"], "afbe898909fe4a01c283f8c883cf8ba4"],
      [["naïve café", "NAIVE CAFE", "nai\u0308ve cafe\u0301   "], "57ceb6decf833ced074449cd3e873808"],
      [["€ 5 – ½"], "0fe6b248e448603c05243221473f7c71"],
    ];
    for (const [inputs, id] of groups) for (const s of inputs) assert.equal(hex(vindex.mapValue(sqlString(s))), id, s);
  });

  it("rejects invalid UTF-8 (unicode_test.go TestInvalidUnicodeNormalization) and uncovered characters", async () => {
    const invalid = [
      "99eb9d18a44784045d87f3c67cf22746",
      "448615bbda08313f6a8eb668d20bf505",
      "8a5bdf2c7fc48445",
      "eda080", // a surrogate
      "c0af", // an overlong "/"
      "e282", // truncated
    ];
    for (const bytes of invalid) {
      await assert.rejects(vindex.map([sqlString(unhex(bytes))]), /invalid UTF-8/, bytes);
    }
    assert.throws(() => vindex.mapValue(sqlString("Привет")), /no collation weights for U\+041F/);
    assert.throws(() => vindex.mapValue(sqlString("東京")), /U\+6771/);
  });

  it("maps numbers by their text and NULL as the empty string", () => {
    assert.deepEqual(vindex.mapValue(sqlInt(42)), vindex.mapValue(sqlString("42")));
    assert.equal(hex(looseCollationKey(new Uint8Array(0))), "");
    assert.equal(hex(vindex.mapValue(SQL_NULL)), "d41d8cd98f00b204e9800998ecf8427e");
  });
});

/** An in-memory lookup table that records the calls it gets. */
class FakeLookup implements LookupBackend {
  rows: Array<{ from: SqlValue[]; ksid: Uint8Array }> = [];
  calls: string[] = [];

  async select(table: string, from: string, to: string, values: readonly SqlValue[]): Promise<Map<SqlValue, Uint8Array[]>> {
    this.calls.push(`select ${from}, ${to} from ${table} where ${from} in (${values.map(formatSqlValue).join(", ")})`);
    const found = new Map<SqlValue, Uint8Array[]>();
    for (const value of values) {
      const ids = this.rows.filter((r) => formatSqlValue(r.from[0]!) === formatSqlValue(value)).map((r) => r.ksid);
      if (ids.length > 0) found.set(value, ids);
    }
    return found;
  }

  async insert(table: string, from: readonly string[], to: string, rows: readonly LookupRow[], options: { ignore: boolean }): Promise<void> {
    const list = rows.map((r) => `(${r.from.map(formatSqlValue).join(", ")}, ${hex(r.keyspaceId)})`).join(", ");
    this.calls.push(`insert${options.ignore ? " ignore" : ""} into ${table}(${[...from, to].join(", ")}) values ${list}`);
    for (const r of rows) this.rows.push({ from: [...r.from], ksid: r.keyspaceId });
  }

  async delete(table: string, from: readonly string[], to: string, rows: readonly LookupRow[]): Promise<void> {
    for (const r of rows) {
      this.calls.push(`delete from ${table} where ${from[0]} = ${formatSqlValue(r.from[0]!)} and ${to} = ${hex(r.keyspaceId)}`);
      this.rows = this.rows.filter((x) => !(formatSqlValue(x.from[0]!) === formatSqlValue(r.from[0]!) && hex(x.ksid) === hex(r.keyspaceId)));
    }
  }
}

describe("lookup_unique vindex", () => {
  const params = { table: "user_idx", from: "email", to: "keyspace_id" };
  const ID1 = unhex("166b40b44aba4bd6");
  const ID2 = unhex("06e7ea22ce92708f");

  it("maps through the lookup table: found, missing, NULL (no query for it)", async () => {
    const backend = new FakeLookup();
    const vindex = new LookupUniqueVindex(params, backend);
    await vindex.create([{ from: [sqlString("b@x")], keyspaceId: ID2 }, { from: [sqlString("a@x")], keyspaceId: ID1 }]);
    assert.deepEqual(backend.calls, ["insert into user_idx(email, keyspace_id) values ('a@x', 166b40b44aba4bd6), ('b@x', 06e7ea22ce92708f)"]);
    const got = await vindex.map([sqlString("a@x"), sqlString("zz"), SQL_NULL, sqlString("b@x")]);
    assert.deepEqual(got.map(hex), ["166b40b44aba4bd6", null, null, "06e7ea22ce92708f"]);
    assert.equal(backend.calls[1], "select email, keyspace_id from user_idx where email in ('a@x', 'zz', 'b@x')");
    backend.calls.length = 0;
    assert.deepEqual(await vindex.map([SQL_NULL]), [null]);
    assert.deepEqual(backend.calls, []);
    assert.deepEqual([vindex.type, vindex.cost, vindex.unique, vindex.needsLookup], ["lookup_unique", 10, true, true]);
  });

  it("fails on two rows for one value, as Vitess's MapResult", async () => {
    const backend = new FakeLookup();
    backend.rows.push({ from: [sqlInt(7)], ksid: ID1 }, { from: [sqlInt(7)], ksid: ID2 });
    const vindex = new LookupUniqueVindex(params, backend);
    await assert.rejects(vindex.map([sqlInt(7)]), { message: "lookup_unique: unexpected multiple results from vindex user_idx: 7" });
  });

  it("create refuses NULL values unless ignore_nulls, checks the column count, passes INSERT IGNORE", async () => {
    const backend = new FakeLookup();
    const strict = new LookupUniqueVindex(params, backend);
    await assert.rejects(strict.create([{ from: [SQL_NULL], keyspaceId: ID1 }]), /input has null values: row: 0, col: 0/);
    await assert.rejects(strict.create([{ from: [sqlInt(1), sqlInt(2)], keyspaceId: ID1 }]), /column vindex count does not match/);
    const lenient = new LookupUniqueVindex({ ...params, ignore_nulls: "true" }, backend);
    await lenient.create([{ from: [SQL_NULL], keyspaceId: ID1 }, { from: [sqlInt(3)], keyspaceId: ID2 }], { ignore: true });
    assert.deepEqual(backend.calls, ["insert ignore into user_idx(email, keyspace_id) values (3, 06e7ea22ce92708f)"]);
  });

  it("delete removes the entries, except with autocommit", async () => {
    const backend = new FakeLookup();
    const vindex = new LookupUniqueVindex(params, backend);
    await vindex.create([{ from: [sqlInt(1)], keyspaceId: ID1 }]);
    await vindex.delete([{ from: [sqlInt(1)], keyspaceId: ID1 }]);
    assert.deepEqual(await vindex.map([sqlInt(1)]), [null]);
    const auto = new LookupUniqueVindex({ ...params, autocommit: "true" }, backend);
    backend.calls.length = 0;
    await auto.delete([{ from: [sqlInt(1)], keyspaceId: ID1 }]);
    assert.deepEqual(backend.calls, []);
  });

  it("validates its params like Vitess", () => {
    const backend = new FakeLookup();
    assert.throws(() => new LookupUniqueVindex({ from: "a", to: "b" }, backend), /missing required param "table"/);
    assert.throws(() => new LookupUniqueVindex({ ...params, autocommit: "yes" }, backend), /autocommit value must be 'true' or 'false': 'yes'/);
    assert.throws(() => new LookupUniqueVindex({ ...params, read_lock: "maybe" }, backend), /invalid read_lock value: maybe/);
    assert.throws(() => new LookupUniqueVindex({ ...params, write_only: "true" }, backend), /write_only=true .* not supported/);
    const v = new LookupUniqueVindex({ ...params, from: "a, b", hello: "world", read_lock: "shared" }, backend);
    assert.deepEqual(v.settings.fromColumns, ["a", "b"]);
    assert.equal(v.settings.readLock, "shared");
    assert.deepEqual(v.unknownParams, ["hello"]);
  });
});

describe("vindex registry", () => {
  it("creates every Vitess type it knows", () => {
    assert.deepEqual(VINDEX_TYPES, ["binary", "binary_md5", "hash", "lookup_unique", "numeric", "unicode_loose_md5", "xxhash"]);
    for (const type of VINDEX_TYPES) {
      const vindex = createVindex(type, { table: "t", from: "c", to: "k" }, { lookupBackend: new FakeLookup() });
      assert.equal(vindex.type, type);
    }
    assert.ok(createVindex("hash") instanceof HashVindex);
    const kinds = VINDEX_TYPES.map((type) => {
      const v = createVindex(type, { table: "t", from: "c", to: "k" }, { lookupBackend: new FakeLookup() });
      return `${type}:${isFunctional(v) ? "f" : ""}${isReversible(v) ? "r" : ""}`;
    });
    assert.deepEqual(kinds, ["binary:fr", "binary_md5:f", "hash:fr", "lookup_unique:", "numeric:fr", "unicode_loose_md5:f", "xxhash:f"]);
  });

  it("explains unknown and unsupported types and a missing lookup backend", () => {
    assert.throws(() => createVindex("md5"), {
      message: 'unknown vindex type "md5"; known types: binary, binary_md5, hash, lookup_unique, numeric, unicode_loose_md5, xxhash',
    });
    assert.throws(() => createVindex("reverse_bits"), /"reverse_bits" exists in Vitess but is not supported by shardgate yet/);
    assert.throws(() => createVindex("toString"), /unknown vindex type "toString"/);
    assert.throws(() => createVindex("lookup_unique", { table: "t", from: "c", to: "k" }), /needs a lookup backend/);
  });
});

describe("shard selection by keyspace id", () => {
  const layout = (names: string[]) => names.map((name) => ({ name, keyRange: parseShardName(name) }));
  const hash = new HashVindex();
  const shardOf = (shards: ReturnType<typeof layout>, value: SqlValue) => shardForKeyspaceId(shards, hash.mapValue(value)!)?.name;

  it("routes hashed ids across -80/80- and -40,40-80,80-c0,c0-", () => {
    const two = layout(["-80", "80-"]);
    const four = layout(["-40", "40-80", "80-c0", "c0-"]);
    // hash(1)=16.., hash(3)=4e.., hash(-1)=35.., hash(4)=d2.., hash(6)=f0.., hash(INT64_MIN)=95..
    const cases: Array<[SqlValue, string, string]> = [
      [sqlInt(1), "-80", "-40"],
      [sqlInt(3), "-80", "40-80"],
      [sqlInt(-1), "-80", "-40"],
      [sqlInt(4), "80-", "c0-"],
      [sqlInt(6), "80-", "c0-"],
      [sqlInt(INT64_MIN), "80-", "80-c0"],
    ];
    for (const [value, inTwo, inFour] of cases) {
      assert.equal(shardOf(two, value), inTwo, `${formatSqlValue(value)} in -80/80-`);
      assert.equal(shardOf(four, value), inFour, `${formatSqlValue(value)} in four shards`);
    }
  });

  it("start is inclusive, end exclusive, unbounded ends, gaps find nothing", () => {
    const two = layout(["-80", "80-"]);
    assert.equal(shardForKeyspaceId(two, unhex("8000000000000000"))?.name, "80-");
    assert.equal(shardForKeyspaceId(two, unhex("7fffffffffffffff"))?.name, "-80");
    assert.equal(shardForKeyspaceId(two, new Uint8Array(0))?.name, "-80");
    assert.equal(shardForKeyspaceId(layout(["-"]), unhex("ff"))?.name, "-");
    assert.equal(shardForKeyspaceId(layout(["-40", "80-"]), unhex("50"))?.name, undefined);
  });

  it("ignores trailing zero bytes like Vitess's key.Normalize", () => {
    assert.deepEqual(normalizeKeyspaceId(unhex("80000000")), unhex("80"));
    // -80 then 8000- is contiguous for Vitess: the one-byte id 0x80 belongs to 8000-.
    assert.equal(shardForKeyspaceId(layout(["-80", "8000-"]), unhex("80"))?.name, "8000-");
    assert.equal(vitessKeyRangeContains(parseShardName("-8000"), unhex("80")), false);
    assert.equal(vitessKeyRangeContains({ start: unhex("00"), end: new Uint8Array(0) }, new Uint8Array(0)), true);
  });

  it("property: over a generated even layout every 8-byte id lands in exactly one shard", () => {
    const names = Array.from({ length: 16 }, (_, i) => {
      const start = i === 0 ? "" : (i * 16).toString(16).padStart(2, "0");
      const end = i === 15 ? "" : ((i + 1) * 16).toString(16).padStart(2, "0");
      return `${start}-${end}`;
    });
    const shards = layout(names);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (id) => {
        const owners = shards.filter((s) => vitessKeyRangeContains(s.keyRange, id));
        assert.equal(owners.length, 1);
        assert.equal(shardForKeyspaceId(shards, id), owners[0]);
        assert.equal(names.indexOf(owners[0]!.name), id[0]! >> 4);
      }),
    );
  });
});
