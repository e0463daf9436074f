import type { ByteSocket } from "../socket.ts";
import { PacketReader, type Packet } from "./packet-reader.ts";
import { framePacket } from "./packet-writer.ts";

/** Waiting for the peer's next packet and answering it: what an authentication exchange needs. */
export interface PacketIO {
  next(): Promise<Packet>;
  write(payload: Uint8Array, sequenceId: number): void;
}

export class ChannelClosedError extends Error {
  override readonly name = "ChannelClosedError";
}

/**
 * Packet-at-a-time reading and writing over a socket for the connection phase (handshake and
 * authentication), where each side waits for the other's next packet. Once that phase is over, the
 * socket's events are handed to the command-phase handler, with any bytes already read.
 */
export class PacketChannel implements PacketIO {
  private readonly reader: PacketReader;
  private wake: (() => void) | undefined;
  private failure: Error | undefined;
  private handler: { data(chunk: Uint8Array): void; close(error?: Error): void; drain(): void } | undefined;
  /** Packets taken off the reader inside a `data` callback (see `pauseAfterNextPacket`). */
  private readonly ready: Packet[] = [];
  private pauseAfterPacket = false;

  constructor(
    public socket: ByteSocket,
    maxPayload?: number,
  ) {
    this.reader = new PacketReader(maxPayload);
    this.attach(socket);
  }

  /** Listens on `socket` (again, after a TLS upgrade replaced it). */
  attach(socket: ByteSocket): void {
    this.socket = socket;
    socket.listen({
      data: (chunk) => {
        if (this.handler) return this.handler.data(chunk);
        this.reader.push(chunk);
        if (this.pauseAfterPacket) this.pauseIfComplete(socket);
        this.wake?.();
      },
      close: (error) => {
        if (this.handler) return this.handler.close(error);
        this.fail(error ?? new ChannelClosedError("connection closed by peer"));
      },
      drain: () => this.handler?.drain(),
    });
  }

  /**
   * Pauses the socket inside the `data` callback that completes the next packet, before anyone awaits
   * it: Deno can upgrade a connection to TLS only while no read is pending (the backend's greeting is
   * the go-ahead for the client's SSLRequest). `resume()` undoes it when no upgrade follows.
   */
  pauseAfterNextPacket(): void {
    this.pauseAfterPacket = true;
    if (this.reader.buffered > 0) this.pauseIfComplete(this.socket);
  }

  resume(): void {
    this.pauseAfterPacket = false;
    this.socket.resume();
  }

  private pauseIfComplete(socket: ByteSocket): void {
    let packet: Packet | undefined;
    try {
      packet = this.reader.next();
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (!packet) return;
    this.ready.push(packet);
    this.pauseAfterPacket = false;
    socket.pause();
  }

  fail(error: Error): void {
    this.failure ??= error;
    this.wake?.();
  }

  async next(): Promise<Packet> {
    for (;;) {
      const early = this.ready.shift();
      if (early) return early;
      if (this.failure) throw this.failure;
      const packet = this.reader.next();
      if (packet) return packet;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  write(payload: Uint8Array, sequenceId: number): void {
    this.socket.write(framePacket(payload, sequenceId));
  }

  /** Bytes read past the last packet returned (a client may pipeline its first command). */
  takeBuffered(): PacketReader {
    return this.reader;
  }

  handOver(handler: { data(chunk: Uint8Array): void; close(error?: Error): void; drain(): void }): void {
    this.handler = handler;
  }
}
