import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";

import { HashVindex, hashInput, vitessHash, vitessUnhash } from "../../src/core/vindexes/hash.ts";
import {
  INT64_MAX,
  INT64_MIN,
  SQL_NULL,
  sqlDecimal,
  sqlFloat,
  sqlInt,
  sqlNumericLiteral,
  sqlString,
  sqlUint,
  sqlValueFrom,
  UINT64_MAX,
  type SqlValue,
} from "../../src/core/vindexes/sql-value.ts";

function unhex(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function hex(bytes: Uint8Array | null): string | null {
  return bytes === null ? null : Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const vindex = new HashVindex();

/**
 * Vitess go/vt/vtgate/vindexes/hash_test.go, TestHashMap and TestHashReverseMap: the Go byte-string
 * literals written as hex ("\x16k@\xb4J\xbaK\xd6" is 166b40b44aba4bd6).
 */
const VITESS_MAP: ReadonlyArray<readonly [SqlValue, string | null]> = [
  [sqlInt(1), "166b40b44aba4bd6"],
  [sqlInt(2), "06e7ea22ce92708f"],
  [sqlInt(3), "4eb190c9a2fa169c"],
  [SQL_NULL, null],
  [sqlInt(4), "d2fd8867d50d2dfe"],
  [sqlInt(5), "70bb023c810ca87a"],
  [sqlInt(6), "f098480ac4c4be71"],
  [sqlInt(0), "8ca64de9c1b123a7"],
  [sqlInt(-1), "355550b2150e2451"],
  [sqlUint(UINT64_MAX), "355550b2150e2451"],
  [sqlInt(INT64_MAX), "f77d48aadda1f1bb"],
  [sqlUint(INT64_MAX), "f77d48aadda1f1bb"],
  [sqlInt(INT64_MIN), "95f8a5e5dd31d900"],
];

describe("hash vindex", () => {
  it("maps Vitess's TestHashMap values to the published keyspace ids", async () => {
    const got = await vindex.map(VITESS_MAP.map(([value]) => value));
    assert.deepEqual(got.map(hex), VITESS_MAP.map(([, id]) => id));
  });

  it("maps the older hash_autoinc vectors (hash_auto_test.go TestHashAutoConvert)", () => {
    const cases: Array<[bigint, string]> = [
      [11n, "aefc44491cfe474c"],
      [0x100000000000000n, "0d9f279ba5d87260"],
      [0x800000000000000n, "20b9e767b2fb1456"],
    ];
    for (const [value, id] of cases) {
      assert.equal(hex(vitessHash(value)), id);
      assert.equal(vitessUnhash(unhex(id)), value);
    }
  });

  it("reverse-maps the published ids to UINT64 values (TestHashReverseMap)", () => {
    const ids = VITESS_MAP.filter(([, id]) => id !== null).map(([, id]) => unhex(id!));
    const want = [1n, 2n, 3n, 4n, 5n, 6n, 0n, UINT64_MAX, UINT64_MAX, INT64_MAX, INT64_MAX, 1n << 63n];
    assert.deepEqual(vindex.reverseMap(ids), want.map((value) => ({ kind: "uint", value })));
  });

  it("rejects a keyspace id that is not 8 bytes, with Vitess's message (TestHashReverseMapNeg)", () => {
    assert.throws(
      () => vindex.reverseMap([unhex("166b40b44aba4bd6166b40b44aba4bd6")]),
      { message: "invalid keyspace id: 166b40b44aba4bd6166b40b44aba4bd6" },
    );
    assert.throws(() => vitessUnhash(unhex("6161")), { message: "invalid keyspace id: 6161" });
  });

  it("converts values like Vitess: signed ints wrap, anything else goes through ToUint64", async () => {
    const one = "166b40b44aba4bd6";
    const cases: Array<[SqlValue, string | null]> = [
      [sqlString("1"), one],
      [sqlString("+1"), one],
      [sqlString("0001"), one],
      [sqlNumericLiteral("1"), one],
      [sqlString("-0"), "8ca64de9c1b123a7"],
      [sqlString("18446744073709551615"), "355550b2150e2451"],
      [sqlNumericLiteral("18446744073709551615"), "355550b2150e2451"],
      // No keyspace id (Vitess key.DestinationNone): negative or fractional text, junk, decimals, floats.
      [sqlString("-1"), null],
      [sqlString("18446744073709551616"), null],
      [sqlString("aa"), null],
      [sqlString(" 1"), null],
      [sqlString("1.0"), null],
      [sqlString("0x10"), null],
      [sqlString(""), null],
      [sqlDecimal("1.5"), null],
      [sqlDecimal("2"), null],
      [sqlFloat("1e3"), null],
    ];
    const got = await vindex.map(cases.map(([v]) => v));
    assert.deepEqual(got.map(hex), cases.map(([, id]) => id));
  });

  it("hashInput: INT64 keeps its bit pattern", () => {
    assert.equal(hashInput(sqlInt(-2)), UINT64_MAX - 1n);
    assert.equal(hashInput(sqlUint(7)), 7n);
    assert.equal(hashInput(SQL_NULL), undefined);
  });

  it("describes itself like Vitess's Hash", () => {
    assert.equal(vindex.type, "hash");
    assert.equal(vindex.cost, 1);
    assert.equal(vindex.unique, true);
    assert.equal(vindex.needsLookup, false);
    assert.equal(hex(vindex.mapValue(sqlInt(1))), "166b40b44aba4bd6");
  });

  it("property: any INT64 or UINT64 reverse-maps to its uint64 bit pattern", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: INT64_MIN, max: UINT64_MAX }), (n) => {
        const value = n > INT64_MAX ? sqlUint(n) : sqlInt(n);
        const id = vindex.mapValue(value);
        assert.ok(id !== null && id.length === 8);
        assert.deepEqual(vindex.reverseMap([id]), [{ kind: "uint", value: BigInt.asUintN(64, n) }]);
        assert.deepEqual(vitessHash(BigInt.asUintN(64, n)), id);
      }),
      { numRuns: 500 },
    );
  });

  it("property: distinct values get distinct ids (DES is a permutation)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: UINT64_MAX }), fc.bigInt({ min: 0n, max: UINT64_MAX }), (a, b) => {
        fc.pre(a !== b);
        assert.notDeepEqual(vitessHash(a), vitessHash(b));
      }),
      { numRuns: 200 },
    );
  });
});

describe("SQL values", () => {
  it("builds values from JS values", () => {
    assert.deepEqual(sqlValueFrom(5), { kind: "int", value: 5n });
    assert.deepEqual(sqlValueFrom(2n ** 63n), { kind: "uint", value: 2n ** 63n });
    assert.deepEqual(sqlValueFrom(1.5), { kind: "float", text: "1.5" });
    assert.deepEqual(sqlValueFrom(true), { kind: "int", value: 1n });
    assert.deepEqual(sqlValueFrom(null), SQL_NULL);
    assert.deepEqual(sqlValueFrom("é"), { kind: "string", bytes: unhex("c3a9") });
    assert.throws(() => sqlValueFrom(2n ** 64n), RangeError);
    assert.throws(() => sqlValueFrom(Number.NaN), RangeError);
    assert.throws(() => sqlValueFrom({}), TypeError);
    assert.throws(() => sqlInt(2n ** 63n), /outside the INT64 range/);
  });

  it("types numeric literals as MySQL's parser does", () => {
    assert.deepEqual(sqlNumericLiteral("9223372036854775807"), { kind: "int", value: INT64_MAX });
    assert.deepEqual(sqlNumericLiteral("9223372036854775808"), { kind: "uint", value: INT64_MAX + 1n });
    assert.deepEqual(sqlNumericLiteral("18446744073709551616"), { kind: "decimal", text: "18446744073709551616" });
    assert.deepEqual(sqlNumericLiteral("-9223372036854775808"), { kind: "int", value: INT64_MIN });
    assert.deepEqual(sqlNumericLiteral("1.50"), { kind: "decimal", text: "1.50" });
    assert.deepEqual(sqlNumericLiteral("1e3"), { kind: "float", text: "1e3" });
    assert.throws(() => sqlNumericLiteral("0x10"), SyntaxError);
  });
});
