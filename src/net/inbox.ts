/**
 * The read side of a socket adapter, as the core's `ByteSocket` contract wants it: chunks read before
 * `listen` are held, not lost; after `pause()` no `data` is delivered (a runtime may still hand over
 * a chunk it had already read); `close` comes once, after the held data when the peer closed cleanly,
 * at once (dropping held data, as Node does) when the socket failed. Runtime-agnostic.
 */
import type { SocketEvents } from "../core/socket.ts";

export class Inbox {
  private events: SocketEvents | undefined;
  private held: Uint8Array[] = [];
  private paused = false;
  private delivering = false;
  private ended: { error: Error | undefined } | undefined;
  private closeDelivered = false;

  /** The events given to `listen`, for the adapter's `drain`. */
  get listener(): SocketEvents | undefined {
    return this.events;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get isEnded(): boolean {
    return this.ended !== undefined;
  }

  listen(events: SocketEvents): void {
    this.events = events;
    this.deliver();
  }

  push(chunk: Uint8Array): void {
    if (this.ended !== undefined || chunk.length === 0) return;
    this.held.push(chunk);
    this.deliver();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.deliver();
  }

  /**
   * The socket is gone; `error` when it failed rather than closed. Only the first call counts. The
   * event comes from a microtask, never from inside the caller (`destroy()`), as with Node's 'close'.
   */
  close(error?: Error): void {
    if (this.ended !== undefined) return;
    this.ended = { error };
    if (error !== undefined) this.held = [];
    queueMicrotask(() => this.deliver());
  }

  private deliver(): void {
    const events = this.events;
    if (events === undefined || this.delivering) return;
    this.delivering = true;
    try {
      while (!this.paused && this.held.length > 0) events.data(this.held.shift()!);
      if (this.ended !== undefined && this.held.length === 0 && !this.closeDelivered) {
        this.closeDelivered = true;
        events.close(this.ended.error);
      }
    } finally {
      this.delivering = false;
    }
  }
}
