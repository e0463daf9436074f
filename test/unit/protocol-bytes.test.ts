import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";

import { ByteReader, ByteWriter, ProtocolError, decodeUtf8, encodeUtf8 } from "../../src/core/protocol/bytes.ts";

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

function written(build: (writer: ByteWriter) => unknown): Uint8Array {
  const writer = new ByteWriter(1);
  build(writer);
  return writer.finish();
}

/** Boundaries of "Protocol::LengthEncodedInteger": value -> exact wire bytes. */
const LENENC_CASES: Array<[number | bigint, string]> = [
  [0, "00"],
  [1, "01"],
  [0xfa, "fa"],
  [0xfb, "fc fb 00"],
  [0xfc, "fc fc 00"],
  [0xff, "fc ff 00"],
  [0xffff, "fc ff ff"],
  [0x10000, "fd 00 00 01"],
  [0xabcdef, "fd ef cd ab"],
  [0xffffff, "fd ff ff ff"],
  [0x1000000, "fe 00 00 00 01 00 00 00 00"],
  [0xffffffff, "fe ff ff ff ff 00 00 00 00"],
  [0x100000000, "fe 00 00 00 00 01 00 00 00"],
  [Number.MAX_SAFE_INTEGER, "fe ff ff ff ff ff ff 1f 00"],
  [2n ** 53n, "fe 00 00 00 00 00 00 20 00"],
  [2n ** 63n, "fe 00 00 00 00 00 00 00 80"],
  [2n ** 64n - 1n, "fe ff ff ff ff ff ff ff ff"],
];

describe("ByteWriter / ByteReader: length-encoded integers", () => {
  for (const [value, wire] of LENENC_CASES) {
    it(`${value} <-> ${wire}`, () => {
      const bytes = written((w) => w.lenenc(value));
      assert.equal(hex(bytes), wire);
      const reader = new ByteReader(bytes);
      const expected = typeof value === "bigint" && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
      assert.equal(reader.lenencBig(), expected);
      assert.equal(reader.remaining, 0);
    });
  }

  it("a small bigint is written in the short form", () => {
    assert.equal(hex(written((w) => w.lenenc(0xfan))), "fa");
    assert.equal(hex(written((w) => w.lenenc(0xfbn))), "fc fb 00");
    assert.equal(hex(written((w) => w.lenenc(0xffffffn))), "fd ff ff ff");
  });

  it("0xFB is the NULL marker: lenencOrNull gives null, lenenc/lenencBig throw", () => {
    assert.equal(new ByteReader(Uint8Array.of(0xfb)).lenencOrNull(), null);
    assert.throws(() => new ByteReader(Uint8Array.of(0xfb)).lenenc(), ProtocolError);
    assert.throws(() => new ByteReader(Uint8Array.of(0xfb)).lenencBig(), ProtocolError);
  });

  it("0xFF is not a valid prefix", () => {
    assert.throws(() => new ByteReader(Uint8Array.of(0xff)).lenencOrNull(), ProtocolError);
  });

  it("lenenc() refuses values beyond 2^53-1, lenencBig() returns them as bigint", () => {
    const bytes = written((w) => w.lenenc(2n ** 53n));
    assert.throws(() => new ByteReader(bytes).lenenc(), /too large/);
    assert.equal(new ByteReader(bytes).lenencBig(), 2n ** 53n);
    assert.equal(new ByteReader(written((w) => w.lenenc(Number.MAX_SAFE_INTEGER))).lenenc(), Number.MAX_SAFE_INTEGER);
  });

  it("a truncated lenenc throws ProtocolError for every prefix", () => {
    for (const [value] of LENENC_CASES) {
      const bytes = written((w) => w.lenenc(value));
      for (let cut = 0; cut < bytes.length; cut++) {
        assert.throws(() => new ByteReader(bytes.subarray(0, cut)).lenencOrNull(), ProtocolError, `${value} cut at ${cut}`);
      }
    }
  });

  it("round trips any value in [0, 2^64) (property)", () => {
    const arbitrary = fc.oneof(
      fc.integer({ min: 0, max: 0x1000100 }),
      fc.constantFrom(0xfa, 0xfb, 0xfc, 0xffff, 0x10000, 0xffffff, 0x1000000, Number.MAX_SAFE_INTEGER),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    );
    fc.assert(
      fc.property(arbitrary, fc.uint8Array({ maxLength: 4 }), (value, trailer) => {
        const bytes = written((w) => w.lenenc(value).bytes(trailer));
        const reader = new ByteReader(bytes);
        const decoded = reader.lenencBig();
        assert.equal(BigInt(decoded), BigInt(value));
        // Decoded as a number exactly when the value is a safe integer.
        assert.equal(typeof decoded, BigInt(value) <= BigInt(Number.MAX_SAFE_INTEGER) ? "number" : "bigint");
        // Shortest form: 1, 3, 4 or 9 bytes by range.
        const v = BigInt(value);
        const expectedLength = v < 0xfbn ? 1 : v < 0x10000n ? 3 : v < 0x1000000n ? 4 : 9;
        assert.equal(reader.offset, expectedLength);
        assert.deepEqual(reader.rest(), trailer);
      }),
      { numRuns: 500 },
    );
  });
});

describe("ByteWriter / ByteReader: fixed-width integers", () => {
  it("u8/u16/u24/u32 are little endian and round trip their extremes", () => {
    const bytes = written((w) => w.u8(0xab).u16(0x1234).u24(0x56789a).u32(0xdeadbeef).u32(0).u16(0xffff).u24(0xffffff).u32(0xffffffff));
    assert.equal(hex(bytes), "ab 34 12 9a 78 56 ef be ad de 00 00 00 00 ff ff ff ff ff ff ff ff ff");
    const r = new ByteReader(bytes);
    assert.equal(r.u8(), 0xab);
    assert.equal(r.u16(), 0x1234);
    assert.equal(r.u24(), 0x56789a);
    assert.equal(r.u32(), 0xdeadbeef);
    assert.equal(r.u32(), 0);
    assert.equal(r.u16(), 0xffff);
    assert.equal(r.u24(), 0xffffff);
    assert.equal(r.u32(), 0xffffffff, "u32 must stay unsigned");
    assert.equal(r.remaining, 0);
  });

  it("u64 is a number up to 2^53-1 and a bigint beyond", () => {
    const cases: Array<[number | bigint, number | bigint]> = [
      [0, 0],
      [0xffffffff, 0xffffffff],
      [0x100000000, 0x100000000],
      [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
      [2n ** 53n, 2n ** 53n],
      [2n ** 64n - 1n, 2n ** 64n - 1n],
      [0x0123456789abcdefn, 0x0123456789abcdefn],
    ];
    for (const [input, expected] of cases) {
      const bytes = written((w) => w.u64(input));
      assert.equal(bytes.length, 8);
      assert.equal(new ByteReader(bytes).u64(), expected, `u64 ${input}`);
    }
    assert.equal(hex(written((w) => w.u64(0x0123456789abcdefn))), "ef cd ab 89 67 45 23 01");
  });

  it("fixed-width reads past the end throw ProtocolError and leave the offset", () => {
    const reads: Array<[string, number, (r: ByteReader) => unknown]> = [
      ["u8", 1, (r) => r.u8()],
      ["u16", 2, (r) => r.u16()],
      ["u24", 3, (r) => r.u24()],
      ["u32", 4, (r) => r.u32()],
      ["u64", 8, (r) => r.u64()],
    ];
    for (const [name, width, read] of reads) {
      const reader = new ByteReader(new Uint8Array(width - 1));
      assert.throws(() => read(reader), ProtocolError, name);
      if (width < 8) assert.equal(reader.offset, 0, `${name} offset after a failed read`);
      assert.doesNotThrow(() => read(new ByteReader(new Uint8Array(width))), name);
    }
  });

  it("bytesN / skip / lenencBytes past the end throw ProtocolError", () => {
    assert.throws(() => new ByteReader(new Uint8Array(3)).bytesN(4), ProtocolError);
    assert.throws(() => new ByteReader(new Uint8Array(3)).skip(4), ProtocolError);
    // Declares 5 bytes, carries 4.
    assert.throws(() => new ByteReader(Uint8Array.of(5, 1, 2, 3, 4)).lenencBytes(), ProtocolError);
    assert.deepEqual(new ByteReader(Uint8Array.of(4, 1, 2, 3, 4)).lenencBytes(), Uint8Array.of(1, 2, 3, 4));
  });

  it("ProtocolError is an Error named ProtocolError", () => {
    try {
      new ByteReader(new Uint8Array(0)).u8();
      assert.fail("u8 on an empty reader must throw");
    } catch (e) {
      assert.ok(e instanceof ProtocolError && e instanceof Error);
      assert.equal(e.name, "ProtocolError");
      assert.match(e.message, /truncated/);
    }
  });
});

describe("ByteWriter / ByteReader: strings", () => {
  it("NUL-terminated strings, including UTF-8 and the empty string", () => {
    const bytes = written((w) => w.nulString("root").nulString("").nulString("héllo ✓").u8(7));
    assert.equal(hex(bytes.subarray(0, 6)), "72 6f 6f 74 00 00");
    const r = new ByteReader(bytes);
    assert.equal(r.nulString(), "root");
    assert.equal(r.nulString(), "");
    assert.equal(r.nulString(), "héllo ✓");
    assert.equal(r.u8(), 7);
    assert.equal(r.remaining, 0);
  });

  it("a NUL string without its terminator takes the rest of the payload", () => {
    const r = new ByteReader(encodeUtf8("mysql_native_password"));
    assert.equal(r.nulString(), "mysql_native_password");
    assert.equal(r.remaining, 0);
    assert.equal(new ByteReader(new Uint8Array(0)).nulString(), "");
  });

  it("length-encoded strings round trip across the 0xFB length boundary", () => {
    for (const length of [0, 1, 0xfa, 0xfb, 0xfc, 300, 0x10000]) {
      const text = "x".repeat(length);
      const bytes = written((w) => w.lenencString(text));
      const r = new ByteReader(bytes);
      assert.equal(r.lenencString(), text, `length ${length}`);
      assert.equal(r.remaining, 0);
    }
  });

  it("fixed strings, zeros and rest", () => {
    const bytes = written((w) => w.string("ab").zeros(3).bytes(Uint8Array.of(9, 8)));
    assert.equal(hex(bytes), "61 62 00 00 00 09 08");
    const r = new ByteReader(bytes);
    r.skip(2);
    assert.deepEqual(r.bytesN(3), new Uint8Array(3));
    assert.deepEqual(r.rest(), Uint8Array.of(9, 8));
    assert.deepEqual(r.rest(), new Uint8Array(0));
  });

  it("strings round trip through UTF-8 (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string({ unit: "grapheme" }), (a, b) => {
        const clean = a.replaceAll("\0", "");
        const r = new ByteReader(written((w) => w.nulString(clean).lenencString(b)));
        assert.equal(r.nulString(), clean);
        assert.equal(r.lenencString(), b);
        assert.equal(r.remaining, 0);
        assert.equal(decodeUtf8(encodeUtf8(b)), b);
      }),
      { numRuns: 200 },
    );
  });

  it("the writer grows past its initial capacity without losing bytes", () => {
    const writer = new ByteWriter(1);
    for (let i = 0; i < 1000; i++) writer.u16(i);
    const r = new ByteReader(writer.finish());
    assert.equal(writer.length, 2000);
    for (let i = 0; i < 1000; i++) assert.equal(r.u16(), i);
  });
});
