/** Encoding and decoding of the protocol's basic data types ("Basic Data Types": fixed and length-encoded). */
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

export function encodeUtf8(text: string): Uint8Array {
  return textEncoder.encode(text);
}

/** The parts one after another, in one new buffer. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const result = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

export function decodeUtf8(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}

export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
}

/** Reads a packet payload front to back; every read is bounds-checked and throws ProtocolError past the end. */
export class ByteReader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(count: number): void {
    if (this.offset + count > this.bytes.length) {
      throw new ProtocolError(`truncated packet: need ${count} bytes at offset ${this.offset} of ${this.bytes.length}`);
    }
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.offset++]!;
  }

  u16(): number {
    this.need(2);
    const b = this.bytes;
    const o = this.offset;
    this.offset += 2;
    return b[o]! | (b[o + 1]! << 8);
  }

  u24(): number {
    this.need(3);
    const b = this.bytes;
    const o = this.offset;
    this.offset += 3;
    return b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16);
  }

  u32(): number {
    this.need(4);
    const b = this.bytes;
    const o = this.offset;
    this.offset += 4;
    return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + b[o + 3]! * 0x1000000;
  }

  /** Unsigned 64-bit little endian, as a number when it fits exactly, else a bigint. */
  u64(): number | bigint {
    const low = this.u32();
    const high = this.u32();
    if (high < 0x200000) return high * 0x100000000 + low;
    return (BigInt(high) << 32n) | BigInt(low);
  }

  /** Length-encoded integer; `null` for the 0xFB NULL marker of text rows. */
  lenencOrNull(): number | bigint | null {
    const first = this.u8();
    if (first < 0xfb) return first;
    if (first === 0xfb) return null;
    if (first === 0xfc) return this.u16();
    if (first === 0xfd) return this.u24();
    if (first === 0xfe) return this.u64();
    throw new ProtocolError("invalid length-encoded integer prefix 0xff");
  }

  lenenc(): number {
    const value = this.lenencOrNull();
    if (value === null) throw new ProtocolError("unexpected NULL length-encoded integer");
    if (typeof value === "bigint") throw new ProtocolError("length-encoded integer too large");
    return value;
  }

  /** Length-encoded integer that may exceed 2^53 (affected rows, insert ids). */
  lenencBig(): number | bigint {
    const value = this.lenencOrNull();
    if (value === null) throw new ProtocolError("unexpected NULL length-encoded integer");
    return value;
  }

  bytesN(count: number): Uint8Array {
    this.need(count);
    const out = this.bytes.subarray(this.offset, this.offset + count);
    this.offset += count;
    return out;
  }

  lenencBytes(): Uint8Array {
    return this.bytesN(this.lenenc());
  }

  lenencString(): string {
    return decodeUtf8(this.lenencBytes());
  }

  /** NUL-terminated bytes; without a terminator the rest of the payload (some clients omit it at the end). */
  nulBytes(): Uint8Array {
    const end = this.bytes.indexOf(0, this.offset);
    if (end < 0) return this.rest();
    const out = this.bytes.subarray(this.offset, end);
    this.offset = end + 1;
    return out;
  }

  nulString(): string {
    return decodeUtf8(this.nulBytes());
  }

  rest(): Uint8Array {
    const out = this.bytes.subarray(this.offset);
    this.offset = this.bytes.length;
    return out;
  }

  skip(count: number): void {
    this.need(count);
    this.offset += count;
  }
}

/** Builds a payload; grows geometrically. */
export class ByteWriter {
  private buffer: Uint8Array;
  length = 0;

  constructor(initialCapacity = 64) {
    this.buffer = new Uint8Array(initialCapacity);
  }

  private ensure(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  u8(value: number): this {
    this.ensure(1);
    this.buffer[this.length++] = value;
    return this;
  }

  u16(value: number): this {
    this.ensure(2);
    this.buffer[this.length++] = value & 0xff;
    this.buffer[this.length++] = (value >>> 8) & 0xff;
    return this;
  }

  u24(value: number): this {
    this.ensure(3);
    this.buffer[this.length++] = value & 0xff;
    this.buffer[this.length++] = (value >>> 8) & 0xff;
    this.buffer[this.length++] = (value >>> 16) & 0xff;
    return this;
  }

  u32(value: number): this {
    this.ensure(4);
    this.buffer[this.length++] = value & 0xff;
    this.buffer[this.length++] = (value >>> 8) & 0xff;
    this.buffer[this.length++] = (value >>> 16) & 0xff;
    this.buffer[this.length++] = (value >>> 24) & 0xff;
    return this;
  }

  u64(value: number | bigint): this {
    const big = BigInt(value);
    this.u32(Number(big & 0xffffffffn));
    return this.u32(Number((big >> 32n) & 0xffffffffn));
  }

  lenenc(value: number | bigint): this {
    if (typeof value === "bigint") {
      if (value < 0x1000000n) return this.lenenc(Number(value));
      return this.u8(0xfe).u64(value);
    }
    if (value < 0xfb) return this.u8(value);
    if (value < 0x10000) return this.u8(0xfc).u16(value);
    if (value < 0x1000000) return this.u8(0xfd).u24(value);
    return this.u8(0xfe).u64(value);
  }

  bytes(data: Uint8Array): this {
    this.ensure(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
    return this;
  }

  zeros(count: number): this {
    this.ensure(count);
    this.buffer.fill(0, this.length, this.length + count);
    this.length += count;
    return this;
  }

  lenencBytes(data: Uint8Array): this {
    return this.lenenc(data.length).bytes(data);
  }

  lenencString(text: string): this {
    return this.lenencBytes(encodeUtf8(text));
  }

  nulString(text: string): this {
    return this.bytes(encodeUtf8(text)).u8(0);
  }

  string(text: string): this {
    return this.bytes(encodeUtf8(text));
  }

  finish(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}
