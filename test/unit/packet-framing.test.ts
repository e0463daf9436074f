import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";

import { MAX_PACKET_PAYLOAD } from "../../src/core/protocol/constants.ts";
import { PacketReader, type Packet } from "../../src/core/protocol/packet-reader.ts";
import { framePacket, framedLength, PacketWriter } from "../../src/core/protocol/packet-writer.ts";

const MAX = MAX_PACKET_PAYLOAD;

/** A payload of `length` bytes with content that differs per payload and per position. */
function patterned(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 7 + (i >>> 16)) & 0xff;
  return out;
}

function sameBytes(actual: Uint8Array, expected: Uint8Array, label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) assert.fail(`${label}: byte ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

/** Physical packets a payload of `length` bytes is framed into. */
function physicalCount(length: number): number {
  return Math.floor(length / MAX) + 1;
}

interface Stream {
  bytes: Uint8Array;
  /** Offset just past each payload's last packet. */
  ends: number[];
  /** Sequence id the reader must report for each payload (its last physical packet's). */
  sequenceIds: number[];
  /** Offsets of every physical packet header. */
  headers: number[];
}

function frameStream(payloads: readonly Uint8Array[], firstSequenceId: number): Stream {
  const writer = new PacketWriter(firstSequenceId);
  const ends: number[] = [];
  const sequenceIds: number[] = [];
  const headers: number[] = [];
  let at = 0;
  let seq = firstSequenceId;
  for (const payload of payloads) {
    writer.add(payload);
    for (let i = 0; i < physicalCount(payload.length); i++) headers.push(at + i * (MAX + 4));
    at += framedLength(payload.length);
    seq = (seq + physicalCount(payload.length)) & 0xff;
    ends.push(at);
    sequenceIds.push((seq + 255) & 0xff);
  }
  const bytes = writer.take();
  assert.equal(bytes.length, at);
  assert.equal(writer.sequenceId, seq, "the writer continues the sequence");
  return { bytes, ends, sequenceIds, headers };
}

/**
 * Feeds `stream` cut at `cuts` and checks that every payload comes out whole, in order, with the right
 * sequence id, and not before its last byte arrived.
 */
function decodeChunked(stream: Stream, payloads: readonly Uint8Array[], cuts: readonly number[]): void {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < stream.bytes.length))].sort((a, b) => a - b);
  const reader = new PacketReader();
  const out: Packet[] = [];
  let fed = 0;
  for (const end of [...points, stream.bytes.length]) {
    // Copies, as a socket would deliver fresh memory; slices of one buffer would hide copy bugs.
    reader.push(stream.bytes.slice(fed, end));
    fed = end;
    for (let packet = reader.next(); packet; packet = reader.next()) out.push(packet);
    const due = stream.ends.filter((e) => e <= fed).length;
    assert.equal(out.length, due, `after ${fed} of ${stream.bytes.length} bytes`);
  }
  assert.equal(reader.buffered, 0);
  assert.equal(reader.next(), undefined);
  out.forEach((packet, i) => {
    sameBytes(packet.payload, payloads[i]!, `payload ${i}`);
    assert.equal(packet.sequenceId, stream.sequenceIds[i], `sequence id of payload ${i}`);
  });
}

describe("PacketReader over arbitrary chunking", () => {
  it("decodes small payloads whatever the cut points, down to 1-byte chunks (property)", () => {
    const payloads = fc.array(
      fc.oneof(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ minLength: 250, maxLength: 300 })),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(payloads, fc.nat(255), fc.array(fc.nat(4000), { maxLength: 40 }), fc.boolean(), (list, seq, cuts, everyByte) => {
        const stream = frameStream(list, seq);
        const all = everyByte ? Array.from({ length: stream.bytes.length }, (_, i) => i) : cuts;
        decodeChunked(stream, list, all);
      }),
      { numRuns: 300 },
    );
  });

  it("decodes payloads at and around the 16 MiB continuation boundary (property, few runs)", () => {
    const bigSize = fc.constantFrom(0, 1, MAX - 1, MAX, MAX + 1, 2 * MAX);
    const plan = fc.record({
      sizes: fc.array(fc.oneof(bigSize, fc.nat(10)), { minLength: 1, maxLength: 3 }),
      seq: fc.nat(255),
      // Cut points: inside a header (split in two), just before / after one, or anywhere.
      cuts: fc.array(fc.tuple(fc.nat(), fc.integer({ min: -2, max: 3 }), fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true })), {
        maxLength: 6,
      }),
    });
    fc.assert(
      fc.property(plan, ({ sizes, seq, cuts }) => {
        const payloads = sizes.map((size, i) => patterned(size, i + seq));
        const stream = frameStream(payloads, seq);
        const points = cuts.map(([pick, delta, atHeader, fraction]) =>
          atHeader ? stream.headers[pick % stream.headers.length]! + delta : Math.floor(fraction * stream.bytes.length),
        );
        decodeChunked(stream, payloads, points);
      }),
      {
        numRuns: 5,
        examples: [
          [{ sizes: [MAX - 1, MAX, MAX + 1, 2 * MAX], seq: 254, cuts: [[1, 2, true, 0], [2, 1, true, 0], [3, 3, true, 0], [4, 0, true, 0]] }],
        ],
      },
    );
  });

  it("a 16 MiB payload delivered in socket-sized 64 KiB chunks", () => {
    const payloads = [patterned(MAX + 100, 3), Uint8Array.of(1)];
    const stream = frameStream(payloads, 0);
    const cuts: number[] = [];
    for (let at = 65536; at < stream.bytes.length; at += 65536) cuts.push(at);
    decodeChunked(stream, payloads, cuts);
  });

  it("returns whole-chunk payloads as views without copying", () => {
    const chunk = framePacket(Uint8Array.of(1, 2, 3), 0);
    const reader = new PacketReader();
    reader.push(chunk);
    const packet = reader.next()!;
    assert.equal(packet.payload.buffer, chunk.buffer);
    assert.deepEqual(packet.payload, Uint8Array.of(1, 2, 3));
  });
});

describe("framing of long payloads", () => {
  it("framedLength counts one header per 0xFFFFFF bytes plus the last (possibly empty) packet", () => {
    assert.equal(framedLength(0), 4);
    assert.equal(framedLength(MAX - 1), MAX - 1 + 4);
    assert.equal(framedLength(MAX), MAX + 8);
    assert.equal(framedLength(MAX + 1), MAX + 1 + 8);
    assert.equal(framedLength(2 * MAX), 2 * MAX + 12);
  });

  function headersOf(framed: Uint8Array): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let at = 0; at < framed.length; ) {
      const length = framed[at]! | (framed[at + 1]! << 8) | (framed[at + 2]! << 16);
      out.push([length, framed[at + 3]!]);
      at += 4 + length;
    }
    return out;
  }

  it("splits with consecutive sequence ids and ends an exact multiple with an empty packet", () => {
    assert.deepEqual(headersOf(framePacket(new Uint8Array(MAX - 1), 7)), [[MAX - 1, 7]]);
    assert.deepEqual(headersOf(framePacket(new Uint8Array(MAX), 7)), [[MAX, 7], [0, 8]]);
    assert.deepEqual(headersOf(framePacket(new Uint8Array(MAX + 1), 7)), [[MAX, 7], [1, 8]]);
    assert.deepEqual(headersOf(framePacket(new Uint8Array(2 * MAX), 7)), [[MAX, 7], [MAX, 8], [0, 9]]);
    // Sequence ids wrap modulo 256.
    assert.deepEqual(headersOf(framePacket(new Uint8Array(2 * MAX + 5), 255)), [[MAX, 255], [MAX, 0], [5, 1]]);
  });

  it("the split keeps the payload bytes in order", () => {
    const payload = patterned(MAX + 10, 9);
    const framed = framePacket(payload, 0);
    sameBytes(framed.subarray(4, 4 + MAX), payload.subarray(0, MAX), "first packet");
    sameBytes(framed.subarray(MAX + 8), payload.subarray(MAX), "continuation");
  });

  it("PacketWriter frames several payloads in one buffer and continues the sequence", () => {
    const writer = new PacketWriter(1);
    assert.equal(writer.isEmpty, true);
    writer.add(Uint8Array.of(0xaa)).add(new Uint8Array(0)).add(Uint8Array.of(1, 2));
    assert.equal(writer.isEmpty, false);
    assert.deepEqual([...writer.take()], [1, 0, 0, 1, 0xaa, 0, 0, 0, 2, 2, 0, 0, 3, 1, 2]);
    assert.equal(writer.sequenceId, 4);
    assert.equal(writer.isEmpty, true);
    assert.deepEqual([...writer.add(Uint8Array.of(5)).take()], [1, 0, 0, 4, 5]);
  });
});

describe("PacketReader maxPayload", () => {
  it("accepts a payload of exactly maxPayload and throws RangeError past it", () => {
    const atLimit = new PacketReader(100);
    atLimit.push(framePacket(new Uint8Array(100), 0));
    assert.equal(atLimit.next()?.payload.length, 100);

    const past = new PacketReader(100);
    past.push(framePacket(new Uint8Array(101), 0));
    assert.throws(() => past.next(), RangeError);
  });

  it("throws as soon as the header announces too much, before the payload arrives", () => {
    const reader = new PacketReader(1024);
    reader.push(Uint8Array.of(0x01, 0x04, 0x00, 0x00)); // 1025 bytes announced
    assert.throws(() => reader.next(), RangeError);
  });

  it("counts the joined length of continuation packets", () => {
    const payload = new Uint8Array(MAX + 11);
    const tooSmall = new PacketReader(MAX + 10);
    tooSmall.push(framePacket(payload, 0));
    assert.throws(() => tooSmall.next(), RangeError);

    const enough = new PacketReader(MAX + 11);
    enough.push(framePacket(payload, 0));
    assert.equal(enough.next()?.payload.length, MAX + 11);
  });
});

describe("PacketReader frames", () => {
  it("returns a packet's own bytes, header included, when it lies whole in one chunk, and nothing when split", () => {
    const a = framePacket(Uint8Array.of(3, 65, 66), 0);
    const b = framePacket(Uint8Array.of(14), 0);
    const whole = new PacketReader();
    whole.push(new Uint8Array([...a, ...b]));
    const first = whole.next()!;
    assert.deepEqual(first.frame, a);
    assert.equal(first.frame!.buffer, first.payload.buffer, "a view, not a copy");
    assert.deepEqual(whole.next()!.frame, b);
    const split = new PacketReader();
    split.push(a.subarray(0, 5));
    split.push(a.subarray(5));
    const joined = split.next()!;
    assert.deepEqual(joined.payload, Uint8Array.of(3, 65, 66));
    assert.equal(joined.frame, undefined);
  });
});
