import { MAX_PACKET_PAYLOAD } from "./constants.ts";

export interface Packet {
  /** Sequence id of the last physical packet that made up this payload. */
  sequenceId: number;
  payload: Uint8Array;
}

/**
 * Reassembles packets from a byte stream cut at arbitrary boundaries ("MySQL Packets": 3-byte length,
 * 1-byte sequence id). A payload of 0xFFFFFF bytes is continued by the next packet, so such runs are
 * joined into one logical payload. Payloads that lie whole inside one chunk are returned as views
 * without copying.
 */
export class PacketReader {
  private pending: Uint8Array = new Uint8Array(0);
  private pendingOffset = 0;
  private parts: Uint8Array[] = [];
  private partsLength = 0;

  constructor(private readonly maxPayload = 1024 * 1024 * 1024) {}

  push(chunk: Uint8Array): void {
    if (this.pendingOffset >= this.pending.length) {
      this.pending = chunk;
      this.pendingOffset = 0;
      return;
    }
    const left = this.pending.subarray(this.pendingOffset);
    const joined = new Uint8Array(left.length + chunk.length);
    joined.set(left);
    joined.set(chunk, left.length);
    this.pending = joined;
    this.pendingOffset = 0;
  }

  /** Bytes received but not yet returned as a packet. */
  get buffered(): number {
    return this.pending.length - this.pendingOffset + this.partsLength;
  }

  /** The next complete packet, or undefined when more bytes are needed. Throws RangeError past maxPayload. */
  next(): Packet | undefined {
    for (;;) {
      const bytes = this.pending;
      const offset = this.pendingOffset;
      if (bytes.length - offset < 4) return undefined;
      const length = bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16);
      const sequenceId = bytes[offset + 3]!;
      if (this.partsLength + length > this.maxPayload) {
        throw new RangeError(`packet of more than ${this.maxPayload} bytes`);
      }
      const end = offset + 4 + length;
      if (bytes.length < end) return undefined;
      const payload = bytes.subarray(offset + 4, end);
      this.pendingOffset = end;
      if (length === MAX_PACKET_PAYLOAD) {
        this.parts.push(payload);
        this.partsLength += length;
        continue;
      }
      if (this.parts.length === 0) return { sequenceId, payload };
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
}
