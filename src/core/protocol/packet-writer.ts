import { MAX_PACKET_PAYLOAD } from "./constants.ts";

/** Size of `payload` once framed, counting the continuation packets a long payload needs. */
export function framedLength(payloadLength: number): number {
  const packets = Math.floor(payloadLength / MAX_PACKET_PAYLOAD) + 1;
  return payloadLength + packets * 4;
}

/**
 * Frames one payload into `target` at `offset` starting at `sequenceId`; returns the next sequence id.
 * A payload of 0xFFFFFF bytes or more is split, and one that is an exact multiple ends with an empty packet,
 * as the protocol requires so the reader knows the payload ended.
 */
export function framePayloadInto(target: Uint8Array, offset: number, payload: Uint8Array, sequenceId: number): number {
  let at = offset;
  let start = 0;
  let seq = sequenceId;
  for (;;) {
    const length = Math.min(MAX_PACKET_PAYLOAD, payload.length - start);
    target[at] = length & 0xff;
    target[at + 1] = (length >>> 8) & 0xff;
    target[at + 2] = (length >>> 16) & 0xff;
    target[at + 3] = seq;
    target.set(payload.subarray(start, start + length), at + 4);
    at += 4 + length;
    start += length;
    seq = (seq + 1) & 0xff;
    if (length < MAX_PACKET_PAYLOAD) return seq;
  }
}

/** Frames a sequence of payloads into one buffer (one socket write for a whole response). */
export class PacketWriter {
  private payloads: Uint8Array[] = [];
  private total = 0;

  constructor(public sequenceId: number) {}

  add(payload: Uint8Array): this {
    this.payloads.push(payload);
    this.total += framedLength(payload.length);
    return this;
  }

  get isEmpty(): boolean {
    return this.payloads.length === 0;
  }

  /** The framed bytes of everything added; the writer is then empty and continues the sequence. */
  take(): Uint8Array {
    const out = new Uint8Array(this.total);
    let at = 0;
    for (const payload of this.payloads) {
      this.sequenceId = framePayloadInto(out, at, payload, this.sequenceId);
      at += framedLength(payload.length);
    }
    this.payloads = [];
    this.total = 0;
    return out;
  }
}

export function framePacket(payload: Uint8Array, sequenceId: number): Uint8Array {
  const out = new Uint8Array(framedLength(payload.length));
  framePayloadInto(out, 0, payload, sequenceId);
  return out;
}
