import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";

import {
  desCryptHalves,
  desDecryptBlock,
  desEncryptBlock,
  desKeySchedule,
  desOut,
  desRoundKeyGroups,
  ZERO_KEY_SCHEDULE,
} from "../../src/core/vindexes/des.ts";

function unhex(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Published DES known answers, [key, plaintext, ciphertext]: the FIPS 81 example ("Now is t"), the
 * textbook walk-through key 133457799BBCDFF1, and vectors from the NBS/Rivest validation sets.
 */
const VECTORS: ReadonlyArray<readonly [string, string, string]> = [
  ["0123456789abcdef", "4e6f772069732074", "3fa40e8a984d4815"],
  ["133457799bbcdff1", "0123456789abcdef", "85e813540f0ab405"],
  ["0000000000000000", "0000000000000000", "8ca64de9c1b123a7"],
  ["ffffffffffffffff", "ffffffffffffffff", "7359b2163e4edc58"],
  ["3000000000000000", "1000000000000001", "958e6e627a05557b"],
  ["1111111111111111", "1111111111111111", "f40379ab9e0ec533"],
  ["0123456789abcdef", "1111111111111111", "17668dfc7292532d"],
  ["1111111111111111", "0123456789abcdef", "8a5ae1f81ab8f2dd"],
  ["fedcba9876543210", "0123456789abcdef", "ed39d950fa74bcc4"],
  ["0101010101010101", "8000000000000000", "95f8a5e5dd31d900"],
  ["0101010101010101", "4000000000000000", "dd7f121ca5015619"],
  ["0101010101010101", "2000000000000000", "2e8653104f3834ea"],
  ["8001010101010101", "0000000000000000", "95a8d72813daa94d"],
  ["7ca110454a1a6e57", "01a1d6d039776742", "690f5b0d9a26939b"],
  ["0131d9619dc1376e", "5cd54ca83def57da", "7a389d10354bd271"],
];

describe("DES", () => {
  it("encrypts and decrypts the published known-answer vectors", () => {
    for (const [key, plain, cipher] of VECTORS) {
      const schedule = desKeySchedule(unhex(key));
      assert.equal(hex(desEncryptBlock(schedule, unhex(plain))), cipher, `encrypt ${plain} under ${key}`);
      assert.equal(hex(desDecryptBlock(schedule, unhex(cipher))), plain, `decrypt ${cipher} under ${key}`);
    }
  });

  it("under the zero key gives Vitess's hash(1) = 166b40b44aba4bd6", () => {
    assert.equal(hex(desEncryptBlock(ZERO_KEY_SCHEDULE, unhex("0000000000000001"))), "166b40b44aba4bd6");
    assert.equal(hex(desDecryptBlock(ZERO_KEY_SCHEDULE, unhex("166b40b44aba4bd6"))), "0000000000000001");
  });

  it("derives the textbook round keys; the zero key's are all zero; decryption reverses them", () => {
    const groups = desRoundKeyGroups(unhex("133457799bbcdff1"));
    // K1 and K16 of the worked example: 000110 110000 001011 101111 111111 000111 000001 110010, ...
    assert.deepEqual(groups[0], [0b000110, 0b110000, 0b001011, 0b101111, 0b111111, 0b000111, 0b000001, 0b110010]);
    assert.deepEqual(groups[15], [0b110010, 0b110011, 0b110110, 0b001011, 0b000011, 0b100001, 0b011111, 0b110101]);
    assert.ok(ZERO_KEY_SCHEDULE.encrypt.every((k) => k === 0));
    const s = desKeySchedule(unhex("133457799bbcdff1"));
    assert.deepEqual([...s.decrypt.subarray(30, 32)], [...s.encrypt.subarray(0, 2)]);
    assert.equal(s.encrypt[0], (0b000110 << 24) | (0b001011 << 16) | (0b111111 << 8) | 0b000001);
  });

  it("ignores the key's parity bits, as DES does", () => {
    const block = unhex("0123456789abcdef");
    assert.equal(hex(desEncryptBlock(desKeySchedule(unhex("0101010101010101")), block)), hex(desEncryptBlock(ZERO_KEY_SCHEDULE, block)));
  });

  it("rejects keys and blocks that are not 8 bytes", () => {
    assert.throws(() => desKeySchedule(new Uint8Array(7)), /DES key must be 8 bytes, got 7/);
    assert.throws(() => desEncryptBlock(ZERO_KEY_SCHEDULE, new Uint8Array(9)), /DES block must be 8 bytes, got 9/);
  });

  it("reads blocks at any offset of a larger buffer", () => {
    const buffer = new Uint8Array(11);
    buffer.set(unhex("4e6f772069732074"), 3);
    assert.equal(hex(desEncryptBlock(desKeySchedule(unhex("0123456789abcdef")), buffer.subarray(3, 11))), "3fa40e8a984d4815");
  });

  it("property: decrypt(encrypt(x)) == x for any key and block", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.uint8Array({ minLength: 8, maxLength: 8 }), (key, block) => {
        const schedule = desKeySchedule(key);
        const cipher = desEncryptBlock(schedule, block);
        assert.deepEqual(desDecryptBlock(schedule, cipher), block);
      }),
      { numRuns: 300 },
    );
  });

  it("property: the halves entry point agrees with the byte-block one", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (hi, lo) => {
        const block = new Uint8Array(8);
        new DataView(block.buffer).setUint32(0, hi);
        new DataView(block.buffer).setUint32(4, lo);
        desCryptHalves(ZERO_KEY_SCHEDULE.encrypt, hi, lo);
        const view = new DataView(desEncryptBlock(ZERO_KEY_SCHEDULE, block).buffer);
        assert.equal(desOut[0]! >>> 0, view.getUint32(0));
        assert.equal(desOut[1]! >>> 0, view.getUint32(4));
      }),
      { numRuns: 300 },
    );
  });
});
