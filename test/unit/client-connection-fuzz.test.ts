import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";

import { scrambleNativePassword } from "../../src/core/auth/native-password.ts";
import { RsaKeyPair } from "../../src/core/auth/rsa.ts";
import { parseConfig } from "../../src/core/config/load-config.ts";
import { silentLogger } from "../../src/core/logger.ts";
import { decodeAuthSwitchRequest } from "../../src/core/protocol/auth-switch.ts";
import { ByteWriter, encodeUtf8 } from "../../src/core/protocol/bytes.ts";
import { Capability, Command } from "../../src/core/protocol/constants.ts";
import { decodeErr } from "../../src/core/protocol/err-packet.ts";
import { decodeHandshake, type Handshake } from "../../src/core/protocol/handshake.ts";
import { encodeHandshakeResponse, encodeSslRequest } from "../../src/core/protocol/handshake-response.ts";
import { PacketReader, type Packet } from "../../src/core/protocol/packet-reader.ts";
import { framePacket } from "../../src/core/protocol/packet-writer.ts";
import { RoutingSnapshot } from "../../src/core/routing-snapshot.ts";
import { ClientConnection } from "../../src/core/server/client-connection.ts";
import type { ServerContext } from "../../src/core/server/server-context.ts";
import { UserDirectory } from "../../src/core/server/user-directory.ts";
import type { ByteSocket, Network, SocketEvents } from "../../src/core/socket.ts";

const CONFIG = `
listen: { mysql: "127.0.0.1:0" }
server: { max_allowed_packet: 4096 }
users:
  - { user: app, password: secret, auth_plugin: mysql_native_password }
topology:
  commerce: { "-": { primary: "mysql://root@127.0.0.1:1/commerce" } }
vschema:
  commerce: { sharded: false }
`;

/** A ByteSocket driven by the test: records what the server writes, delivers what the test pushes. */
class FakeSocket implements ByteSocket {
  readonly remoteAddress = "::ffff:10.0.0.7";
  readonly remotePort = 40000;
  private events: SocketEvents | undefined;
  private held: Uint8Array[] = [];
  private readonly reader = new PacketReader();
  readonly packets: Packet[] = [];
  ended = false;
  destroyed = false;
  closed = false;
  writesAfterEnd = 0;

  listen(events: SocketEvents): void {
    this.events = events;
    for (const chunk of this.held.splice(0)) events.data(chunk);
  }
  write(chunk: Uint8Array): boolean {
    if (this.ended || this.destroyed) this.writesAfterEnd++;
    this.reader.push(chunk.slice());
    for (let packet = this.reader.next(); packet; packet = this.reader.next()) this.packets.push(packet);
    return true;
  }
  pause(): void {}
  resume(): void {}
  end(): void {
    this.ended = true;
    // The client sees the FIN and closes its side: the close event follows.
    setTimeout(() => this.peerClose(), 0);
  }
  destroy(): void {
    this.destroyed = true;
    this.peerClose();
  }
  /** Bytes from the client; dropped once the socket is closed, as a real one would. */
  push(chunk: Uint8Array): void {
    if (this.closed) return;
    if (this.events) this.events.data(chunk);
    else this.held.push(chunk);
  }
  peerClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.events?.close(undefined);
  }
}

const refusingNetwork: Network = {
  listen: () => Promise.reject(new Error("no listening in this test")),
  connect: (host, port) => Promise.reject(new Error(`connect to ${host}:${port} refused (fake network)`)),
};

let context: ServerContext;
let snapshot: RoutingSnapshot;
const escaped: unknown[] = [];
const onEscape = (error: unknown) => escaped.push(error);

before(async () => {
  const config = parseConfig(CONFIG, { env: {}, readFile: () => assert.fail("no files"), baseDir: "/" });
  snapshot = RoutingSnapshot.build(config, refusingNetwork, silentLogger);
  const users = await UserDirectory.build(config.users);
  let keys: Promise<RsaKeyPair> | undefined;
  context = { logger: silentLogger, snapshot: () => snapshot, users: () => users, rsaKeyPair: () => (keys ??= RsaKeyPair.generate()), client: () => undefined, observe: () => {} };
  process.on("uncaughtException", onEscape);
  process.on("unhandledRejection", onEscape);
});

after(async () => {
  process.off("uncaughtException", onEscape);
  process.off("unhandledRejection", onEscape);
  await snapshot.close();
  assert.deepEqual(escaped, [], "no exception or rejection escaped the connection handler");
});

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

async function until(what: string, condition: () => boolean, timeoutMs = 1000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await tick();
  }
}

let nextId = 1;
async function open(): Promise<{ socket: FakeSocket; connection: ClientConnection; handshake: Handshake; closed: () => boolean }> {
  const socket = new FakeSocket();
  const connection = ClientConnection.accept(socket, context, nextId++);
  let cleaned = false;
  connection.onClosed = () => (cleaned = true);
  await until("the handshake was sent", () => socket.packets.length === 1);
  const handshake = decodeHandshake(socket.packets[0]!.payload);
  assert.equal(socket.packets[0]!.sequenceId, 0);
  return { socket, connection, handshake, closed: () => cleaned };
}

const CLIENT_CAPS =
  Capability.LONG_PASSWORD | Capability.PROTOCOL_41 | Capability.SECURE_CONNECTION | Capability.PLUGIN_AUTH |
  Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA | Capability.CONNECT_ATTRS | Capability.DEPRECATE_EOF | Capability.MULTI_RESULTS;

async function helloPacket(handshake: Handshake, options: { password?: string; plugin?: string; user?: string; database?: string } = {}): Promise<Uint8Array> {
  const plugin = options.plugin ?? "mysql_native_password";
  return framePacket(
    encodeHandshakeResponse({
      capabilities: CLIENT_CAPS | (options.database ? Capability.CONNECT_WITH_DB : 0),
      maxPacketSize: 1 << 24,
      characterSet: 45,
      user: options.user ?? "app",
      authResponse: plugin === "mysql_native_password" ? await scrambleNativePassword(options.password ?? "secret", handshake.authPluginData) : new Uint8Array(20),
      database: options.database,
      authPluginName: plugin,
      attributes: { _client_name: "fuzz" },
    }),
    1,
  );
}

const command = (code: number, argument = "", sequenceId = 0) => framePacket(new ByteWriter().u8(code).string(argument).finish(), sequenceId);
const marker = (packet: Packet | undefined) => packet?.payload[0];
/**
 * First bytes of the answers to the untouched session of the fuzz test: login OK; PING OK; the
 * @@version_comment result (count, definition, row, 0xFE OK); INIT_DB OK; SET NAMES ERR (no backend);
 * SET_OPTION 0xFE; 0x63 ERR; SELECT ERR (no backend); FIELD_LIST ERR; RESET_CONNECTION, BEGIN,
 * CHANGE_USER, PING and the final PING: OK.
 */
const EXPECTED_MARKERS = "0,0,1,3,9,254,0,255,254,255,255,255,0,0,0,0,0";

describe("ClientConnection over a fake socket", () => {
  it("authenticates with mysql_native_password, answers COM_PING, refuses an unknown command and stays open", async () => {
    const { socket, handshake, closed } = await open();
    assert.equal(handshake.authPluginData.length, 20);
    assert.ok(handshake.capabilities & Capability.PROTOCOL_41);
    socket.push(await helloPacket(handshake, { database: "commerce" }));
    await until("the login was answered", () => socket.packets.length === 2);
    assert.deepEqual([marker(socket.packets[1]), socket.packets[1]!.sequenceId], [0x00, 2], "OK with sequence id 2");

    socket.push(command(Command.PING));
    await until("the ping was answered", () => socket.packets.length === 3);
    assert.deepEqual([marker(socket.packets[2]), socket.packets[2]!.sequenceId], [0x00, 1]);

    socket.push(command(0x63, "whatever"));
    await until("the unknown command was answered", () => socket.packets.length === 4);
    assert.equal(marker(socket.packets[3]), 0xff);
    assert.equal(decodeErr(socket.packets[3]!.payload).code, 1047);
    assert.equal(socket.ended, false);

    // Two commands in one chunk (pipelined): answered in order.
    const pipelined = new Uint8Array([...command(Command.PING), ...command(Command.QUERY, "SELECT 1")]);
    socket.push(pipelined);
    await until("both were answered", () => socket.packets.length === 6);
    assert.equal(marker(socket.packets[4]), 0x00);
    // No backend can be reached: the forwarded SELECT fails with an ERR, the connection stays.
    assert.equal(marker(socket.packets[5]), 0xff);
    assert.equal(socket.ended, false);

    socket.push(command(Command.QUIT));
    await until("the connection was cleaned up", closed);
    assert.equal(socket.ended, true);
    assert.equal(socket.packets.length, 6, "COM_QUIT is not answered");
    assert.equal(socket.writesAfterEnd, 0);
  });

  it("switches a client that answered with caching_sha2_password to the user's plugin", async () => {
    const { socket, handshake, closed } = await open();
    socket.push(await helloPacket(handshake, { plugin: "caching_sha2_password" }));
    await until("the auth switch was sent", () => socket.packets.length === 2);
    const request = decodeAuthSwitchRequest(socket.packets[1]!.payload);
    assert.equal(request.pluginName, "mysql_native_password");
    socket.push(framePacket(await scrambleNativePassword("secret", request.pluginData), socket.packets[1]!.sequenceId + 1));
    await until("the login was answered", () => socket.packets.length === 3);
    assert.equal(marker(socket.packets[2]), 0x00);
    socket.peerClose();
    await until("the connection was cleaned up", closed);
  });

  it("refuses a wrong password with 1045 and an SSLRequest with 1043, then ends the socket", async () => {
    for (const bad of [async (h: Handshake) => helloPacket(h, { password: "wrong" }), async () => framePacket(encodeSslRequest(CLIENT_CAPS, 45, 0), 1)]) {
      const { socket, handshake, closed } = await open();
      socket.push(await bad(handshake));
      await until("the socket was ended", () => socket.ended && closed());
      assert.equal(socket.packets.length, 2);
      const err = decodeErr(socket.packets[1]!.payload);
      assert.ok(err.code === 1045 || err.code === 1043, `code ${err.code}`);
      assert.equal(socket.packets[1]!.sequenceId, 2);
    }
  });

  it("answers a malformed command with ERR 1835 and ends the connection", async () => {
    for (const malformed of [command(Command.SET_OPTION, "\0"), command(Command.CHANGE_USER, "app\0\x14abc")]) {
      const { socket, handshake, closed } = await open();
      socket.push(new Uint8Array([...(await helloPacket(handshake)), ...malformed, ...command(Command.PING)]));
      await until("the socket was ended", () => socket.ended && closed());
      assert.deepEqual(socket.packets.map(marker), [10, 0x00, 0xff], "handshake, login OK, ERR; the pipelined PING is not run");
      assert.equal(decodeErr(socket.packets[2]!.payload).code, 1835);
      assert.equal(socket.packets[2]!.sequenceId, 1);
    }
  });

  it("answers garbage before authentication with an ERR and ends the socket (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 200 }), fc.boolean(), async (garbage, framed) => {
        const { socket, closed } = await open();
        // Either a complete packet of random bytes, or raw bytes whose header announces more than max_allowed_packet.
        socket.push(framed ? framePacket(garbage, 1) : new Uint8Array([0xff, 0xff, 0x7f, 1, ...garbage]));
        await until("the socket was ended", () => socket.ended && closed());
        assert.equal(socket.packets.length, 2);
        assert.equal(marker(socket.packets[1]), 0xff);
        assert.ok([1043, 1045, 1835].includes(decodeErr(socket.packets[1]!.payload).code));
        assert.equal(socket.writesAfterEnd, 0);
      }),
      { numRuns: 60 },
    );
    assert.deepEqual(escaped, []);
  });

  it("survives arbitrary mutations and chunkings of a valid session: answers or ends, never hangs (property)", async () => {
    const mutation = fc.oneof(
      fc.record({ op: fc.constant("set" as const), at: fc.double({ min: 0, max: 1, noNaN: true }), byte: fc.nat(255) }),
      fc.record({ op: fc.constant("delete" as const), at: fc.double({ min: 0, max: 1, noNaN: true }), count: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ op: fc.constant("insert" as const), at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
      fc.record({ op: fc.constant("truncate" as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
    );
    const commands = [
      command(Command.PING),
      command(Command.QUERY, "SELECT @@version_comment LIMIT 1"),
      command(Command.INIT_DB, "commerce"),
      command(Command.QUERY, "SET NAMES utf8mb4"),
      command(Command.SET_OPTION, "\0\0"),
      command(0x63),
      command(Command.QUERY, "SELECT id FROM t WHERE x = 'é'"),
      command(Command.FIELD_LIST, "t\0"),
      command(Command.RESET_CONNECTION),
      command(Command.QUERY, "BEGIN"),
    ];
    /** COM_CHANGE_USER back to the same user, answering the connection's scramble. */
    const changeUser = async (scramble: Uint8Array) =>
      framePacket(
        new ByteWriter().u8(Command.CHANGE_USER).nulString("app").u8(20).bytes(await scrambleNativePassword("secret", scramble))
          .nulString("commerce").u16(45).nulString("mysql_native_password").finish(),
        0,
      );
    const shortening = fc.record({ packet: fc.nat(), keep: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }) });
    const outcomes = { ended: 0, answering: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(shortening, { maxLength: 2 }), fc.array(mutation, { maxLength: 4 }), fc.array(fc.nat(), { maxLength: 12 }), fc.boolean(), async (shortenings, mutations, cuts, awaitBetween) => {
        const { socket, connection, handshake, closed } = await open();
        const valid = [await helloPacket(handshake), ...commands, await changeUser(handshake.authPluginData), command(Command.PING)];
        // Structure-aware first: a packet cut short but framed consistently (reaches the decoders).
        for (const { packet, keep } of shortenings) {
          const framed = valid[packet % valid.length]!;
          valid[packet % valid.length] = framePacket(framed.subarray(4, 4 + Math.floor(keep * (framed.length - 4))), framed[3]!);
        }
        let stream = valid.flatMap((c) => [...c]);
        for (const m of mutations) {
          const at = Math.floor(m.at * stream.length);
          if (m.op === "set") stream[at] = m.byte;
          else if (m.op === "delete") stream.splice(at, m.count);
          else if (m.op === "insert") stream.splice(at, 0, ...m.bytes);
          else stream = stream.slice(0, at);
        }
        const bytes = Uint8Array.from(stream);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b).concat(bytes.length);
        let start = 0;
        for (const end of points) {
          socket.push(bytes.slice(start, end));
          start = end;
          if (awaitBetween) await tick();
        }
        // Complete whatever packet the stream left unfinished (padding with COM_PING bytes), then ping.
        const client = new PacketReader();
        client.push(bytes);
        while (client.next()) {}
        const left = bytes.subarray(bytes.length - client.buffered);
        const header = new Uint8Array(4);
        header.set(left.subarray(0, 4));
        const missing = 4 + (header[0]! | (header[1]! << 8) | (header[2]! << 16)) - left.length;
        if (left.length > 0 && missing <= 8192) socket.push(new Uint8Array(missing).fill(Command.PING).fill(0, 0, Math.max(0, 4 - left.length)));
        const before = socket.packets.length;
        socket.push(command(Command.PING));
        // The ping either reaches the command loop (all earlier commands answered, then an OK), or is taken
        // as the answer to an auth exchange a mutation started, which then fails and ends the connection.
        const idle = () => connection.session !== undefined && connection.commandStartedAt === undefined;
        await until("the ping was answered or the socket ended", () => socket.ended || socket.closed || (socket.packets.length > before && idle()), 2000);
        if (!socket.ended && !socket.closed) assert.equal(marker(socket.packets.at(-1)), 0x00, "the final COM_PING gets OK");
        outcomes[socket.ended ? "ended" : "answering"]++;
        if (mutations.length === 0 && shortenings.length === 0) {
          // Untouched: every command answered (login OK, one per command, the extra ping), the connection open.
          assert.equal(socket.ended, false);
          assert.equal(socket.packets.slice(1).map(marker).join(","), EXPECTED_MARKERS);
        }
        assert.equal(socket.writesAfterEnd, 0, "nothing written after end()");
        socket.peerClose();
        await until("the connection was cleaned up", closed, 2000);
        assert.deepEqual(escaped, []);
      }),
      { numRuns: 150, interruptAfterTimeLimit: 7000, examples: [[[], [], [], false], [[], [], [1, 2, 3, 50, 51], true]] },
    );
    assert.ok(outcomes.ended > 0 && outcomes.answering > 0, `both outcomes exercised: ${JSON.stringify(outcomes)}`);
  });
});
