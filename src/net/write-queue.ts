/**
 * Outgoing bytes a socket could not hand to the kernel yet, for runtimes whose write primitive keeps
 * nothing (Bun's `socket.write` returns how much it took) or is asynchronous (Deno's `conn.write`).
 * Runtime-agnostic; the adapters in src/bun/ and src/deno/ share it.
 */

/** Small chunks queued behind each other are sent as one write of up to this many bytes. */
const COALESCE_LIMIT = 64 * 1024;
/** A chunk this large is sent as it is rather than copied into a coalesced buffer. */
const COALESCE_BELOW = 16 * 1024;

export class WriteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0;
  private queued = 0;

  /** `highWaterMark`: the queued size at which `isFull` turns true (write() returns false). */
  constructor(readonly highWaterMark: number = 64 * 1024) {}

  get bytes(): number {
    return this.queued;
  }

  get isEmpty(): boolean {
    return this.queued === 0;
  }

  get isFull(): boolean {
    return this.queued >= this.highWaterMark;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.queued += chunk.length;
  }

  /**
   * The bytes to send next: the first chunk, or several small ones copied into one buffer (one
   * syscall instead of many when a burst of small packets queued up behind a full socket).
   */
  peek(): Uint8Array {
    const first = this.chunks[this.head];
    if (first === undefined) return new Uint8Array(0);
    if (first.length >= COALESCE_BELOW || this.head + 1 >= this.chunks.length) return first;
    let end = this.head;
    let size = 0;
    while (end < this.chunks.length) {
      const chunk = this.chunks[end]!;
      if (size + chunk.length > COALESCE_LIMIT) break;
      size += chunk.length;
      end++;
    }
    if (end - this.head < 2) return first;
    const merged = new Uint8Array(size);
    let offset = 0;
    for (let i = this.head; i < end; i++) {
      merged.set(this.chunks[i]!, offset);
      offset += this.chunks[i]!.length;
    }
    this.chunks.splice(this.head, end - this.head, merged);
    return merged;
  }

  /** Drops the first `count` bytes (what the runtime accepted). */
  consume(count: number): void {
    let left = Math.min(count, this.queued);
    this.queued -= left;
    while (left > 0) {
      const chunk = this.chunks[this.head]!;
      if (chunk.length <= left) {
        left -= chunk.length;
        this.head++;
      } else {
        this.chunks[this.head] = chunk.subarray(left);
        left = 0;
      }
    }
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head > 1024) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.queued = 0;
  }
}
