import { MAX_PACKET_PAYLOAD } from "./constants.ts";

export interface Packet {
  /** Sequence id of the last physical packet that made up this payload. */
  sequenceId: number;
  payload: Uint8Array;
  /**
   * The packet as it came, header included, when it arrived in one piece within one chunk: a view,
   * so a command can be sent on to a backend without being framed again.
   */
  frame?: Uint8Array;
}

/**
 * Reassembles packets from a byte stream cut at arbitrary boundaries ("MySQL Packets": 3-byte length,
 * 1-byte sequence id). A payload of 0xFFFFFF bytes is continued by the next packet, so such runs are
 * joined into one logical payload. Payloads that lie whole inside one chunk are returned as views
 * without copying.
 */
export class PacketReader {
  /** Unconsumed input: `chunks[0]` from `offset` on, then the other chunks whole. */
  private chunks: Uint8Array[] = [];
  private offset = 0;
  private total = 0;
  private parts: Uint8Array[] = [];
  private partsLength = 0;

  constructor(private readonly maxPayload = 1024 * 1024 * 1024) {}

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** Bytes received but not yet returned as a packet. */
  get buffered(): number {
    return this.total + this.partsLength;
  }

  /** Takes every byte received but not yet returned as a packet (a half-read packet is dropped from `parts` too). */
  takeRaw(): Uint8Array {
    const raw = this.take(this.total);
    this.parts = [];
    this.partsLength = 0;
    return raw;
  }

  /** The next complete packet, or undefined when more bytes are needed. Throws RangeError past maxPayload. */
  next(): Packet | undefined {
    for (;;) {
      if (this.total < 4) return undefined;
      const length = this.byteAt(0) | (this.byteAt(1) << 8) | (this.byteAt(2) << 16);
      const sequenceId = this.byteAt(3);
      if (this.partsLength + length > this.maxPayload) {
        throw new RangeError(`packet of more than ${this.maxPayload} bytes`);
      }
      if (this.total < 4 + length) return undefined;
      const first = this.chunks[0]!;
      const frame = this.offset + 4 + length <= first.length ? first.subarray(this.offset, this.offset + 4 + length) : undefined;
      this.skip(4);
      const payload = this.take(length);
      if (length === MAX_PACKET_PAYLOAD) {
        this.parts.push(payload);
        this.partsLength += length;
        continue;
      }
      if (this.parts.length === 0) return { sequenceId, payload, frame };
      this.parts.push(payload);
      const joined = new Uint8Array(this.partsLength + length);
      let at = 0;
      for (const part of this.parts) {
        joined.set(part, at);
        at += part.length;
      }
      this.parts = [];
      this.partsLength = 0;
      return { sequenceId, payload: joined };
    }
  }

  private byteAt(index: number): number {
    let i = this.offset + index;
    for (const chunk of this.chunks) {
      if (i < chunk.length) return chunk[i]!;
      i -= chunk.length;
    }
    throw new RangeError("read past buffered input");
  }

  private skip(count: number): void {
    this.take(count);
  }

  /** The next `count` bytes: a view when they lie in one chunk, else a copy joined from several. */
  private take(count: number): Uint8Array {
    this.total -= count;
    const first = this.chunks[0];
    if (count === 0) return new Uint8Array(0);
    if (first && this.offset + count <= first.length) {
      const view = first.subarray(this.offset, this.offset + count);
      this.offset += count;
      if (this.offset === first.length) this.dropFirst();
      return view;
    }
    const out = new Uint8Array(count);
    let at = 0;
    while (at < count) {
      const chunk = this.chunks[0]!;
      const n = Math.min(count - at, chunk.length - this.offset);
      out.set(chunk.subarray(this.offset, this.offset + n), at);
      at += n;
      this.offset += n;
      if (this.offset === chunk.length) this.dropFirst();
    }
    return out;
  }

  private dropFirst(): void {
    this.chunks.shift();
    this.offset = 0;
  }
}
