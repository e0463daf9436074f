/**
 * Compression (CLIENT_COMPRESS) is not implemented: the gateway never offers it, a client that sets it
 * anyway in its HandshakeResponse41 is refused with ER 1043 (Bad handshake) before authenticating, and
 * clients that ask for compression only when offered (mysql2 `compress: true`, `mariadb --compress`)
 * connect uncompressed and work.
 */
import assert from "node:assert/strict";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import type { RowDataPacket } from "mysql2/promise";
import { scrambleCachingSha2 } from "../../src/core/auth/caching-sha2.ts";
import { Capability, Collation } from "../../src/core/protocol/constants.ts";
import { decodeErr } from "../../src/core/protocol/err-packet.ts";
import { decodeHandshake } from "../../src/core/protocol/handshake.ts";
import { decodeHandshakeResponse, encodeHandshakeResponse } from "../../src/core/protocol/handshake-response.ts";
import { ChannelClosedError, PacketChannel } from "../../src/core/protocol/packet-channel.ts";
import { PacketReader } from "../../src/core/protocol/packet-reader.ts";
import { startTestGateway, type TestGateway } from "../support/gateway.ts";
import { runtimeName, testNetwork } from "../support/runtime.ts";
import { runProgram } from "../support/run-program.ts";

const CLIENT_CAPABILITIES =
  Capability.LONG_PASSWORD |
  Capability.LONG_FLAG |
  Capability.CONNECT_WITH_DB |
  Capability.PROTOCOL_41 |
  Capability.TRANSACTIONS |
  Capability.SECURE_CONNECTION |
  Capability.MULTI_RESULTS |
  Capability.PLUGIN_AUTH |
  Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA |
  Capability.DEPRECATE_EOF;

/** Greeting, then a HandshakeResponse41 with valid credentials and `capabilities`; returns what came back. */
async function handshakeWith(gw: TestGateway, capabilities: number) {
  const channel = new PacketChannel(await testNetwork.connect("127.0.0.1", gw.port, 5000));
  try {
    const greeting = decodeHandshake((await channel.next()).payload);
    channel.write(
      encodeHandshakeResponse({
        capabilities,
        maxPacketSize: 1 << 24,
        characterSet: Collation.UTF8MB4_GENERAL_CI,
        user: "app",
        authResponse: await scrambleCachingSha2("app-secret", greeting.authPluginData),
        database: "commerce",
        authPluginName: greeting.authPluginName,
        attributes: {},
      }),
      1,
    );
    let answer = await channel.next();
    // caching_sha2_password's fast path: "fast auth success" (0x01 0x03), then the OK.
    if (answer.payload[0] === 0x01 && answer.payload[1] === 0x03) answer = await channel.next();
    const closed =
      answer.payload[0] === 0xff &&
      (await channel.next().then(
        () => false,
        (error: unknown) => error instanceof ChannelClosedError,
      ));
    return { greeting, answer, closed };
  } finally {
    channel.socket.destroy();
  }
}



/** A TCP relay in front of the gateway that keeps what the client sent, to read its HandshakeResponse. */
async function recordingProxy(port: number): Promise<{ port: number; fromClient: Uint8Array[]; close(): Promise<void> }> {
  const fromClient: Uint8Array[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: "127.0.0.1", port });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => sockets.delete(socket));
    }
    client.on("data", (chunk: Buffer) => {
      fromClient.push(new Uint8Array(chunk));
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => client.write(chunk));
    client.on("end", () => upstream.end());
    upstream.on("end", () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  return {
    port: address.port,
    fromClient,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe(`compression (CLIENT_COMPRESS) (${runtimeName})`, () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  it("the greeting never offers CLIENT_COMPRESS (and always offers CLIENT_LOCAL_FILES, as MySQL does)", async () => {
    const { greeting, answer } = await handshakeWith(gw, CLIENT_CAPABILITIES);
    assert.equal(greeting.capabilities & Capability.COMPRESS, 0);
    assert.notEqual(greeting.capabilities & Capability.LOCAL_FILES, 0);
    assert.equal(answer.payload[0], 0x00, "without CLIENT_COMPRESS the same handshake is accepted");
  });

  it("a raw client that sets CLIENT_COMPRESS anyway gets ER 1043 Bad handshake (seq 2) and the connection is closed", async () => {
    const { answer, closed } = await handshakeWith(gw, CLIENT_CAPABILITIES | Capability.COMPRESS);
    assert.equal(answer.sequenceId, 2);
    assert.equal(answer.payload[0], 0xff);
    const err = decodeErr(answer.payload);
    assert.equal(err.code, 1043);
    assert.equal(err.sqlState, "08S01");
    assert.equal(err.message, "Bad handshake: this server does not support compression (CLIENT_COMPRESS); connect without it");
    assert.equal(closed, true);
  });

  it("mysql2 with compress: true connects uncompressed (it compresses only when offered) and works", async () => {
    const c = await gw.connect({ database: "commerce", compress: true });
    const [rows] = await c.query<RowDataPacket[]>("SELECT REPEAT('abc', 100000) AS big, 1 AS one");
    assert.equal(rows[0]!.big, "abc".repeat(100000));
    assert.equal(rows[0]!.one, 1);
    assert.equal(Boolean((c as unknown as { connection: { config: { compress: unknown } } }).connection.config.compress), false);
  });

  it("mariadb --compress: the CLI does not set CLIENT_COMPRESS when it is not offered, and works as without it", async () => {
    const found = await runProgram("sh", ["-c", "command -v mariadb || command -v mysql"]);
    assert.equal(found.status, 0, "the mariadb client is required (apt-get install mariadb-client)");
    const proxy = await recordingProxy(gw.port);
    try {
      const outcome = await runProgram(found.stdout.trim(), [
        "-h127.0.0.1",
        `-P${proxy.port}`,
        "-uapp",
        "-papp-secret",
        "--compress",
        "--batch",
        "--skip-column-names",
        "commerce",
        "-e",
        "SELECT LENGTH(REPEAT('abc', 100000)), DATABASE()",
      ]);
      assert.equal(outcome.status, 0, outcome.stderr);
      assert.equal(outcome.stdout, "300000\tcommerce\n");
      // The client's first packet is its HandshakeResponse41 (no TLS here).
      const reader = new PacketReader();
      for (const chunk of proxy.fromClient) reader.push(chunk);
      const response = reader.next();
      assert.ok(response, "the client sent a handshake response");
      assert.equal(response.sequenceId, 1);
      const hello = decodeHandshakeResponse(response.payload);
      assert.equal(hello.user, "app");
      assert.equal(hello.capabilities & Capability.COMPRESS, 0, "--compress asked for nothing the gateway did not offer");
    } finally {
      await proxy.close();
    }
  });
});
