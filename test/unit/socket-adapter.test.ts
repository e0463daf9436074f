/**
 * The ByteSocket contract (src/core/socket.ts), checked on the adapter of the runtime running this
 * file: src/node under Node, src/bun under Bun, src/deno under Deno (`npm test` runs all three).
 * Loopback only; every byte is compared, because the classic adapter bug loses data silently: Bun's
 * `write` keeps nothing it could not send, so past ~200 KB a naive adapter drops the rest.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as nodeNet from "node:net";
import * as nodeTls from "node:tls";
import { after, describe, it } from "node:test";
import type { ByteSocket, SocketListener } from "../../src/core/socket.ts";
import { runtimeName, testNetwork as network } from "../support/runtime.ts";

const MiB = 1024 * 1024;
const TLS_DIR = new URL("../fixtures/tls/", import.meta.url);
const CA = readFileSync(new URL("ca.crt", TLS_DIR), "utf8");
const CERT = readFileSync(new URL("localhost.crt", TLS_DIR), "utf8");
const KEY = readFileSync(new URL("localhost.key", TLS_DIR), "utf8");

/** Bytes that differ with position and seed, so a lost, repeated or reordered chunk shows. */
function pattern(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function assertSameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} bytes arrived, ${expected.length} sent`);
  const first = actual.findIndex((byte, i) => byte !== expected[i]);
  assert.equal(first, -1, `${what}: first differing byte at ${first}`);
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Listens on the socket; keeps every chunk (the contract lets the receiver keep them). */
function collect(socket: ByteSocket, onDrain: () => void = () => {}) {
  const chunks: Uint8Array[] = [];
  let closes = 0;
  let received = 0;
  let onChunk: () => void = () => {};
  const closed = new Promise<Error | undefined>((resolve) =>
    socket.listen({
      data: (chunk) => {
        chunks.push(chunk);
        received += chunk.length;
        onChunk();
      },
      close: (error) => {
        closes++;
        resolve(error);
      },
      drain: onDrain,
    }),
  );
  return {
    closed,
    bytes: () => concat(chunks),
    received: () => received,
    closes: () => closes,
    /** Resolves once at least `count` bytes arrived. */
    until(count: number): Promise<void> {
      return new Promise((resolve) => {
        onChunk = () => received >= count && resolve();
        onChunk();
      });
    },
  };
}

/** Writes `data` in `chunkSize` pieces, waiting for `drain` whenever `write` says false. */
async function writeWithBackpressure(socket: ByteSocket, data: Uint8Array, chunkSize: number, drained: () => Promise<void>): Promise<number> {
  let refusals = 0;
  for (let offset = 0; offset < data.length; offset += chunkSize) {
    if (!socket.write(data.subarray(offset, offset + chunkSize))) {
      refusals++;
      await drained();
    }
  }
  return refusals;
}

describe(`${runtimeName} socket adapter`, () => {
  const listeners: SocketListener[] = [];
  const sockets: ByteSocket[] = [];
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(listeners.map((listener) => listener.close()));
  });

  /** A listener whose accepted sockets arrive, in order, through `next()`. */
  async function listen() {
    const waiting: Array<(socket: ByteSocket) => void> = [];
    const ready: ByteSocket[] = [];
    const listener = await network.listen("127.0.0.1", 0, (socket) => {
      sockets.push(socket);
      const take = waiting.shift();
      if (take) take(socket);
      else ready.push(socket);
    });
    listeners.push(listener);
    const next = () => within(new Promise<ByteSocket>((resolve) => (ready.length > 0 ? resolve(ready.shift()!) : waiting.push(resolve))), 5000, "accept");
    const connect = async () => {
      const socket = await network.connect("127.0.0.1", listener.port, 5000);
      sockets.push(socket);
      return socket;
    };
    return { listener, next, connect };
  }

  it("carries 8 MiB each way through an echo that pauses on a full socket and resumes on drain", async () => {
    const { next, connect } = await listen();
    const client = await connect();
    const server = await next();
    server.listen({
      data: (chunk) => {
        if (!server.write(chunk)) server.pause();
      },
      close: () => {},
      drain: () => server.resume(),
    });
    const sent = pattern(8 * MiB, 1);
    let wakeWriter: () => void = () => {};
    let drains = 0;
    const echo = collect(client, () => {
      drains++;
      wakeWriter();
    });
    const refusals = await writeWithBackpressure(client, sent, 64 * 1024, () => new Promise((resolve) => (wakeWriter = resolve)));
    await within(echo.until(sent.length), 30_000, "the echo");
    assertSameBytes(echo.bytes(), sent, "echoed");
    assert.ok(refusals > 0, "8 MiB against a pausing echo must fill the socket at least once");
    assert.equal(drains, refusals, "one drain for every write that returned false");
  });

  it("delivers one 16 MiB write followed at once by end(), in both directions", async () => {
    const { next, connect } = await listen();
    const client = await connect();
    const server = await next();
    const toServer = pattern(16 * MiB, 2);
    const toClient = pattern(16 * MiB, 3);
    const atServer = collect(server);
    const atClient = collect(client);
    client.write(toServer); // far past the kernel's send buffer: the adapter must queue the rest
    server.write(toClient);
    client.end(); // ...and end() must flush that queue before closing
    server.end();
    assert.equal(await within(atServer.closed, 30_000, "server close"), undefined);
    assert.equal(await within(atClient.closed, 30_000, "client close"), undefined);
    assertSameBytes(atServer.bytes(), toServer, "client to server");
    assertSameBytes(atClient.bytes(), toClient, "server to client");
  });

  it("write returns false above the high-water mark while the peer is paused, then drain fires", async () => {
    const { next, connect } = await listen();
    const client = await connect();
    const server = await next();
    const atServer = collect(server);
    server.pause();
    let onDrain: () => void = () => {};
    client.listen({ data: () => {}, close: () => {}, drain: () => onDrain() });
    const nextDrain = () => new Promise<boolean>((resolve) => (onDrain = () => resolve(true)));
    // Write until the adapter's queue and the kernel's buffers are all full: a false with no drain after it.
    const chunk = pattern(64 * 1024, 4);
    let written = 0;
    let pendingDrain: Promise<boolean>;
    for (;;) {
      assert.ok(written < 256 * MiB, "the paused peer never pushed back");
      pendingDrain = nextDrain();
      const accepted = client.write(chunk);
      written += chunk.length;
      if (accepted) continue;
      if (!(await Promise.race([pendingDrain, sleep(300).then(() => false)]))) break;
    }
    assert.ok(atServer.received() < written, "data was delivered while paused");
    server.resume();
    assert.equal(await within(pendingDrain, 10_000, "drain after resume"), true);
    await within(atServer.until(written), 10_000, "everything written");
    assert.equal(atServer.received(), written);
  });

  it("holds data that arrives before listen(), and delivers nothing while paused", async () => {
    const { next, connect } = await listen();
    const client = await connect();
    const server = await next();
    const encoder = new TextEncoder();
    client.write(encoder.encode("early "));
    await sleep(100);
    const atServer = collect(server);
    await within(atServer.until(6), 5000, "the early bytes");
    server.pause();
    client.write(encoder.encode("later"));
    await sleep(150);
    assert.equal(new TextDecoder().decode(atServer.bytes()), "early ", "data came while paused");
    server.resume();
    await within(atServer.until(11), 5000, "the bytes held while paused");
    assert.equal(new TextDecoder().decode(atServer.bytes()), "early later");
  });

  it("destroy() closes at once; each side sees close exactly once; addresses are set", async () => {
    const { listener, next, connect } = await listen();
    const client = await connect();
    const server = await next();
    assert.match(server.remoteAddress, /^(::ffff:)?127\.0\.0\.1$/);
    assert.ok(server.remotePort > 0);
    assert.equal(client.remotePort, listener.port);
    const atServer = collect(server);
    const atClient = collect(client);
    client.destroy();
    await within(atServer.closed, 5000, "server sees the close");
    await within(atClient.closed, 5000, "client's own close");
    await sleep(50);
    assert.equal(atServer.closes(), 1);
    assert.equal(atClient.closes(), 1);
    assert.equal(client.write(new Uint8Array(10)), true, "writes after close are dropped quietly");
  });

  it("a closed listener accepts no one, and its open connections carry on", async () => {
    const { listener, next, connect } = await listen();
    const client = await connect();
    const server = await next();
    await listener.close();
    await assert.rejects(network.connect("127.0.0.1", listener.port, 2000), /127\.0\.0\.1:\d+/);
    const atClient = collect(client);
    server.listen({ data: () => {}, close: () => {}, drain: () => {} });
    server.write(new TextEncoder().encode("still here"));
    await within(atClient.until(10), 5000, "data on the open connection");
  });

  it("connect to a port nobody listens on fails, naming the address", async () => {
    const { listener } = await listen();
    await listener.close();
    await assert.rejects(network.connect("127.0.0.1", listener.port, 2000), (error: Error) => error.message.includes(`127.0.0.1:${listener.port}`));
  });

  /** The MySQL SSLRequest switch: plain bytes, then both ends upgrade in place and talk TLS. */
  async function tlsRoundTrip(serverSide: (port: number) => Promise<{ port: number; close(): void }>): Promise<void> {
    const peer = await serverSide(0);
    const client = await network.connect("127.0.0.1", peer.port, 5000);
    sockets.push(client);
    const encoder = new TextEncoder();
    const upgraded = new Promise<ByteSocket>((resolve, reject) =>
      client.listen({
        data: (chunk) => {
          if (new TextDecoder().decode(chunk) !== "GO") return reject(new Error("unexpected reply"));
          client.pause(); // inside the data callback: Deno must not be left with a read pending
          client.startTls!({ client: { ca: CA, servername: "localhost" } }).then(resolve, reject);
        },
        close: (error) => reject(error ?? new Error("closed before the upgrade")),
        drain: () => {},
      }),
    );
    client.write(encoder.encode("STARTTLS"));
    const secure = await within(upgraded, 10_000, "the TLS handshake");
    sockets.push(secure);
    const sent = pattern(MiB, 5);
    const echo = collect(secure);
    secure.write(sent);
    await within(echo.until(sent.length), 20_000, "the TLS echo");
    assertSameBytes(echo.bytes(), sent, "through TLS");
    peer.close();
  }

  /** The server end on this adapter: startTls({ server }) after the plain "STARTTLS". */
  async function adapterTlsServer() {
    const listener = await network.listen("127.0.0.1", 0, (socket) => {
      sockets.push(socket);
      socket.listen({
        data: () => {
          socket.pause();
          socket.write(new TextEncoder().encode("GO"));
          socket.startTls!({ server: { cert: CERT, key: KEY } }).then((secure) => {
            sockets.push(secure);
            secure.listen({ data: (chunk) => secure.write(chunk), close: () => {}, drain: () => {} });
          }, () => socket.destroy());
        },
        close: () => {},
        drain: () => {},
      });
    });
    return { port: listener.port, close: () => void listener.close() };
  }

  /** The server end on node:net + node:tls (Node's API, which Deno implements). */
  async function nodeTlsServer() {
    const server = nodeNet.createServer((socket) => {
      socket.once("data", () => {
        socket.write("GO");
        const secure = new nodeTls.TLSSocket(socket, { isServer: true, cert: CERT, key: KEY });
        secure.on("data", (chunk) => secure.write(chunk));
        secure.on("error", () => {});
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { port: (server.address() as nodeNet.AddressInfo).port, close: () => void server.close() };
  }

  it("startTls upgrades both ends (Bun and Deno accept through a loopback TLS relay), and 1 MiB crosses encrypted", async () => {
    await tlsRoundTrip(adapterTlsServer);
  });

  it("startTls: the client end also upgrades against a node:tls server", async () => {
    await tlsRoundTrip(nodeTlsServer);
  });
});
