import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UnsupportedComparison } from "../../src/core/collations/unsupported-comparison.ts";
import { compareColumnValues, valueComparator, type ComparableColumn } from "../../src/core/collations/value-compare.ts";
import { ColumnFlag, ColumnType } from "../../src/core/protocol/constants.ts";

const text = (s: string) => new TextEncoder().encode(s);
const column = (type: number, extra: Partial<ComparableColumn> = {}): ComparableColumn => ({ type, flags: 0, characterSet: 63, decimals: 0, ...extra });

/** Asserts that `values`, listed in ascending order (equal neighbours grouped in arrays), compare so. */
function expectAscending(col: ComparableColumn, values: ReadonlyArray<string | null | ReadonlyArray<string>>): void {
  const groups = values.map((v) => (Array.isArray(v) ? v : [v]) as ReadonlyArray<string | null>);
  const encode = (v: string | null) => (v === null ? null : text(v));
  groups.forEach((group, i) =>
    groups.forEach((other, j) => {
      for (const a of group) {
        for (const b of other) {
          const expected = Math.sign(i - j);
          assert.equal(Math.sign(compareColumnValues(col, encode(a), encode(b))), expected, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
        }
      }
    }),
  );
}

describe("compareColumnValues", () => {
  it("sorts NULL first", () => {
    expectAscending(column(ColumnType.LONG), [null, "-5", "0", "7"]);
    expectAscending(column(ColumnType.VAR_STRING, { characterSet: 45 }), [null, "", "a"]);
  });

  it("compares integers by value, signed and unsigned alike, ZEROFILL's zeros ignored", () => {
    expectAscending(column(ColumnType.LONGLONG), ["-9223372036854775808", "-10", "-9", "-1", ["0", "-0", "000"], ["5", "0005"], "9", "10", "9223372036854775807"]);
    const unsigned = column(ColumnType.LONGLONG, { flags: ColumnFlag.UNSIGNED });
    expectAscending(unsigned, ["0", "9223372036854775808", "18446744073709551614", "18446744073709551615"]);
    // The same comparator orders a signed -1 before the unsigned maximum, which a 64-bit reinterpretation would not.
    assert.ok(compareColumnValues(unsigned, text("-1"), text("18446744073709551615")) < 0);
    for (const type of [ColumnType.TINY, ColumnType.SHORT, ColumnType.INT24, ColumnType.LONG]) expectAscending(column(type), ["-128", "-2", "3", "10", "127"]);
  });

  it("compares DECIMAL text exactly, with no floating point", () => {
    expectAscending(column(ColumnType.NEWDECIMAL, { decimals: 3 }), [
      "-123456789012345678901234567890.5",
      "-10.000",
      "-9.999",
      "-0.01",
      "-0.001",
      ["0", "0.000", "-0.00", "000.0"],
      "0.001",
      ["0.1", "0.10", "000.100"],
      "9.999",
      "10.25",
      "123456789012345678901234567890.49",
      "123456789012345678901234567890.5",
    ]);
    // 0.1 + 0.2 style traps: distinct decimals a double would merge.
    expectAscending(column(ColumnType.DECIMAL), ["9007199254740992.0", "9007199254740992.1", "9007199254740993"]);
  });

  it("compares DOUBLE text numerically; refuses FLOAT and fixed-decimals DOUBLE, whose text is rounded", () => {
    expectAscending(column(ColumnType.DOUBLE, { decimals: 31 }), ["-1.5e300", "-1", "-1e-300", ["0", "-0"], "5e-324", "0.3", "0.30000000000000004", "9", "10", "1.7976931348623157e308"]);
    assert.throws(() => valueComparator(column(ColumnType.FLOAT, { decimals: 31 })), UnsupportedComparison);
    assert.throws(() => compareColumnValues(column(ColumnType.DOUBLE, { decimals: 2 }), text("1.00"), text("1.00")), /2 fixed decimals/);
  });

  it("orders TIME by sign and hours beyond 24", () => {
    expectAscending(column(ColumnType.TIME, { decimals: 2 }), [
      "-838:59:59.00",
      "-100:00:00",
      "-99:59:59",
      "-01:00:00",
      "-00:00:01",
      "-00:00:00.01",
      ["00:00:00", "-00:00:00", "00:00:00.00"],
      "00:00:00.5",
      "00:00:01",
      "23:59:59.99",
      "24:00:00",
      "99:00:00",
      "100:00:00",
      "838:59:59",
    ]);
  });

  it("orders dates and datetimes by their text, zero dates first", () => {
    expectAscending(column(ColumnType.DATE), ["0000-00-00", "1000-01-01", "2024-02-29", "9999-12-31"]);
    expectAscending(column(ColumnType.DATETIME, { decimals: 6 }), [
      "0000-00-00 00:00:00",
      ["2024-01-01 00:00:00", "2024-01-01 00:00:00.000000"],
      "2024-01-01 00:00:00.000001",
      ["2024-01-01 10:00:00.5", "2024-01-01 10:00:00.500000"],
      "2024-01-01 10:00:01",
    ]);
    expectAscending(column(ColumnType.TIMESTAMP), ["1970-01-01 00:00:01", "2038-01-19 03:14:07"]);
  });

  it("orders YEAR as a number and refuses the ambiguous two-digit YEAR(2)", () => {
    expectAscending(column(ColumnType.YEAR), ["0000", "1901", "2024", "2155"]);
    assert.throws(() => compareColumnValues(column(ColumnType.YEAR), text("69"), text("70")), UnsupportedComparison);
  });

  it("orders BIT bytes as unsigned big-endian numbers and binary strings bytewise, NO PAD", () => {
    const bit = column(ColumnType.BIT);
    assert.ok(compareColumnValues(bit, Uint8Array.of(0x01, 0x00), Uint8Array.of(0x00, 0xff)) > 0);
    assert.equal(compareColumnValues(bit, Uint8Array.of(0x00, 0x05), Uint8Array.of(0x05)), 0);
    const varbinary = column(ColumnType.VAR_STRING, { flags: ColumnFlag.BINARY });
    assert.ok(compareColumnValues(varbinary, text("a"), text("a ")) < 0);
    assert.ok(compareColumnValues(column(ColumnType.BLOB, { flags: ColumnFlag.BLOB | ColumnFlag.BINARY }), text("B"), text("a")) < 0);
  });

  it("compares strings with the column's collation", () => {
    const general = column(ColumnType.VAR_STRING, { characterSet: 45 });
    expectAscending(general, [["a", "A", "a  ", "á"], "b", ["Émile", "emile", "EMILE "], "f"]);
    expectAscending(column(ColumnType.STRING, { characterSet: 224 }), ["s", ["ß", "ss", "SS"], "st"]);
    expectAscending(column(ColumnType.BLOB, { characterSet: 46, flags: ColumnFlag.BLOB }), ["A", ["a", "a "], "b"]);
  });

  it("refuses what it cannot reproduce: ENUM, SET, JSON, GEOMETRY, unknown collations", () => {
    const refused: ComparableColumn[] = [
      column(ColumnType.STRING, { flags: ColumnFlag.ENUM, characterSet: 45 }),
      column(ColumnType.STRING, { flags: ColumnFlag.SET, characterSet: 45 }),
      column(ColumnType.ENUM, { characterSet: 45 }),
      column(ColumnType.SET, { characterSet: 45 }),
      column(ColumnType.JSON),
      column(ColumnType.GEOMETRY),
      column(ColumnType.VAR_STRING, { characterSet: 255 }),
      column(ColumnType.VAR_STRING, { characterSet: 2304 }),
      column(0x42),
    ];
    for (const col of refused) {
      assert.throws(() => compareColumnValues(col, text("a"), text("b")), UnsupportedComparison, JSON.stringify(col));
      // Refused even when a value is NULL, so a plan fails before rows flow rather than on the first non-NULL.
      assert.throws(() => compareColumnValues(col, null, null), UnsupportedComparison);
    }
    assert.throws(() => valueComparator(column(ColumnType.VAR_STRING, { characterSet: 255 })), /collation id 255/);
    assert.equal(compareColumnValues(column(ColumnType.NULL), null, null), 0);
  });
});
