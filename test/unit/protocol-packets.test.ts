import { getTestBackends } from "../support/test-env.ts";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import fc from "fast-check";

import { decodeAuthSwitchRequest, encodeAuthMoreData, encodeAuthSwitchRequest } from "../../src/core/protocol/auth-switch.ts";
import { ByteReader, ByteWriter, ProtocolError } from "../../src/core/protocol/bytes.ts";
import { decodeChangeUser } from "../../src/core/protocol/change-user.ts";
import { decodeColumnDefinition, encodeColumnDefinition, type ColumnDefinition } from "../../src/core/protocol/column-definition.ts";
import { Capability, ColumnFlag, ColumnType, PacketMarker } from "../../src/core/protocol/constants.ts";
import { decodeEof, encodeEof } from "../../src/core/protocol/eof-packet.ts";
import { decodeErr, encodeErr, isErrPacket } from "../../src/core/protocol/err-packet.ts";
import { decodeHandshake, encodeHandshake, type Handshake } from "../../src/core/protocol/handshake.ts";
import {
  decodeHandshakeResponse,
  encodeHandshakeResponse,
  encodeSslRequest,
  isSslRequest,
  SSL_REQUEST_LENGTH,
  type HandshakeResponse,
} from "../../src/core/protocol/handshake-response.ts";
import { decodeOk, encodeOk, isEofPacket, isOkPacket } from "../../src/core/protocol/ok-packet.ts";
import { PacketReader } from "../../src/core/protocol/packet-reader.ts";

/** Text without NUL, for fields the protocol NUL-terminates. */
const nulFree = (maxLength = 40) => fc.string({ maxLength, unit: "grapheme" }).map((s) => s.replaceAll("\0", ""));
const nonEmptyNulFree = (maxLength = 40) => nulFree(maxLength).filter((s) => s.length > 0);

describe("Handshake v10", () => {
  const sample: Handshake = {
    serverVersion: "8.0.40-shardgate",
    connectionId: 0x01020304,
    authPluginData: Uint8Array.from({ length: 20 }, (_, i) => 0x41 + i),
    capabilities: 0x81ff_f7ff,
    characterSet: 45,
    statusFlags: 0x0002,
    authPluginName: "caching_sha2_password",
  };

  it("lays out the fixed fields where the protocol puts them", () => {
    const bytes = encodeHandshake(sample);
    const r = new ByteReader(bytes);
    assert.equal(r.u8(), 10);
    assert.equal(r.nulString(), "8.0.40-shardgate");
    assert.equal(r.u32(), 0x01020304);
    assert.deepEqual(r.bytesN(8), sample.authPluginData.subarray(0, 8));
    assert.equal(r.u8(), 0, "filler after part 1");
    assert.equal(r.u16(), 0xf7ff, "capability flags, lower half");
    assert.equal(r.u8(), 45);
    assert.equal(r.u16(), 0x0002);
    assert.equal(r.u16(), 0x81ff, "capability flags, upper half");
    assert.equal(r.u8(), 21, "auth-plugin-data length counts the NUL");
    assert.deepEqual(r.bytesN(10), new Uint8Array(10));
    assert.deepEqual(r.bytesN(12), sample.authPluginData.subarray(8));
    assert.equal(r.u8(), 0, "part 2 is NUL-terminated (13 bytes)");
    assert.equal(r.nulString(), "caching_sha2_password");
    assert.equal(r.remaining, 0);
  });

  it("round trips, including capability bits in the upper half (property)", () => {
    fc.assert(
      fc.property(
        nulFree(),
        fc.nat({ max: 0xffffffff }),
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.nat({ max: 0xffffffff }),
        fc.nat(255),
        fc.nat(0xffff),
        nonEmptyNulFree(),
        (serverVersion, connectionId, authPluginData, caps, characterSet, statusFlags, authPluginName) => {
          const capabilities = (caps | Capability.PROTOCOL_41 | Capability.SECURE_CONNECTION | Capability.PLUGIN_AUTH) >>> 0;
          const handshake: Handshake = { serverVersion, connectionId, authPluginData, capabilities, characterSet, statusFlags, authPluginName };
          assert.deepEqual(decodeHandshake(encodeHandshake(handshake)), handshake);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("refuses another protocol version and truncation", () => {
    const bytes = encodeHandshake(sample);
    const v9 = bytes.slice();
    v9[0] = 9;
    assert.throws(() => decodeHandshake(v9), ProtocolError);
    assert.throws(() => decodeHandshake(bytes.subarray(0, 20)), ProtocolError);
  });

  it("decodes the handshake of a real MariaDB server (the sandbox's)", async () => {
    const { host, port } = getTestBackends().servers.commerce!;
    const payload = await new Promise<Uint8Array>((resolve, reject) => {
      const socket = connect({ host, port });
      const reader = new PacketReader();
      const timer = setTimeout(() => reject(new Error(`no handshake from ${host}:${port} within 5 s`)), 5000);
      socket.on("error", reject);
      socket.on("data", (chunk: Uint8Array) => {
        reader.push(new Uint8Array(chunk));
        const packet = reader.next();
        if (!packet) return;
        clearTimeout(timer);
        assert.equal(packet.sequenceId, 0);
        socket.destroy();
        resolve(packet.payload.slice());
      });
    });
    const handshake = decodeHandshake(payload);
    assert.match(handshake.serverVersion, /MariaDB/);
    assert.equal(handshake.authPluginData.length, 20);
    assert.ok(!handshake.authPluginData.includes(0), "the scramble carries no NUL");
    assert.ok(handshake.capabilities & Capability.PROTOCOL_41);
    assert.ok(handshake.capabilities & Capability.SECURE_CONNECTION);
    assert.ok(handshake.capabilities & Capability.PLUGIN_AUTH);
    assert.ok(handshake.capabilities > 0xffff, "the upper capability half was read");
    assert.ok(handshake.connectionId > 0);
    assert.match(handshake.authPluginName, /^[a-z0-9_]+$/);
    assert.ok(handshake.characterSet > 0);
    // Our own encoder reproduces the fields (MariaDB's extended capabilities in the filler aside).
    assert.deepEqual(decodeHandshake(encodeHandshake(handshake)), handshake);
  });
});

describe("HandshakeResponse41 and SSLRequest", () => {
  const base = Capability.PROTOCOL_41 | Capability.SECURE_CONNECTION | Capability.LONG_PASSWORD;
  const optional = [Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA, Capability.CONNECT_WITH_DB, Capability.PLUGIN_AUTH, Capability.CONNECT_ATTRS];

  it("round trips with every combination of the optional parts (property)", () => {
    const attributeKey = nonEmptyNulFree(20).filter((k) => !["__proto__", "constructor", "prototype"].includes(k));
    fc.assert(
      fc.property(
        fc.subarray(optional),
        fc.nat({ max: 0xffffffff }),
        fc.nat(255),
        nulFree(),
        fc.uint8Array({ maxLength: 250 }),
        nonEmptyNulFree(),
        nonEmptyNulFree(),
        fc.uniqueArray(fc.tuple(attributeKey, fc.string({ maxLength: 30 })), { selector: ([k]) => k, maxLength: 5 }),
        (flags, maxPacketSize, characterSet, user, authResponse, database, plugin, attrs) => {
          const capabilities = flags.reduce((caps, flag) => caps | flag, base);
          const response: HandshakeResponse = {
            capabilities,
            maxPacketSize,
            characterSet,
            user,
            authResponse,
            database,
            authPluginName: plugin,
            attributes: Object.fromEntries(attrs),
          };
          const decoded = decodeHandshakeResponse(encodeHandshakeResponse(response));
          assert.equal(decoded.capabilities, capabilities);
          assert.equal(decoded.maxPacketSize, maxPacketSize);
          assert.equal(decoded.characterSet, characterSet);
          assert.equal(decoded.user, user);
          assert.deepEqual(decoded.authResponse, authResponse);
          assert.equal(decoded.database, capabilities & Capability.CONNECT_WITH_DB ? database : undefined);
          assert.equal(decoded.authPluginName, capabilities & Capability.PLUGIN_AUTH ? plugin : undefined);
          assert.deepEqual(decoded.attributes, capabilities & Capability.CONNECT_ATTRS ? Object.fromEntries(attrs) : {});
        },
      ),
      { numRuns: 300 },
    );
  });

  it("carries a long auth response with PLUGIN_AUTH_LENENC_CLIENT_DATA", () => {
    const authResponse = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const caps = base | Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA | Capability.PLUGIN_AUTH;
    const encoded = encodeHandshakeResponse({ capabilities: caps, maxPacketSize: 1 << 24, characterSet: 33, user: "u", authResponse, database: undefined, authPluginName: "p", attributes: {} });
    // 32-byte fixed part, "u\0", then 0xFC 0x2C 0x01.
    assert.deepEqual([...encoded.subarray(34, 37)], [0xfc, 0x2c, 0x01]);
    assert.deepEqual(decodeHandshakeResponse(encoded).authResponse, authResponse);
  });

  it("an empty database with CONNECT_WITH_DB reads as none", () => {
    const caps = base | Capability.CONNECT_WITH_DB | Capability.PLUGIN_AUTH;
    const encoded = encodeHandshakeResponse({ capabilities: caps, maxPacketSize: 0, characterSet: 45, user: "app", authResponse: new Uint8Array(0), database: "", authPluginName: "mysql_native_password", attributes: {} });
    const decoded = decodeHandshakeResponse(encoded);
    assert.equal(decoded.database, undefined);
    assert.equal(decoded.authPluginName, "mysql_native_password");
  });

  it("refuses a pre-4.1 client and a truncated response", () => {
    const encoded = encodeHandshakeResponse({ capabilities: base, maxPacketSize: 0, characterSet: 45, user: "app", authResponse: new Uint8Array(20), database: undefined, authPluginName: undefined, attributes: {} });
    const old = encoded.slice();
    old[1]! &= ~(Capability.PROTOCOL_41 >>> 8);
    assert.throws(() => decodeHandshakeResponse(old), ProtocolError);
    assert.throws(() => decodeHandshakeResponse(encoded.subarray(0, encoded.length - 5)), ProtocolError);
  });

  it("detects the SSLRequest and nothing else", () => {
    const ssl = encodeSslRequest(base, 45, 0x1000000);
    assert.equal(ssl.length, SSL_REQUEST_LENGTH);
    assert.equal(isSslRequest(ssl), true);
    assert.ok(new ByteReader(ssl).u32() & Capability.SSL);
    const noSsl = new ByteWriter(32).u32(base).u32(0).u8(45).zeros(23).finish();
    assert.equal(isSslRequest(noSsl), false, "32 bytes without CLIENT_SSL");
    const full = encodeHandshakeResponse({ capabilities: base | Capability.SSL, maxPacketSize: 0, characterSet: 45, user: "", authResponse: new Uint8Array(0), database: undefined, authPluginName: undefined, attributes: {} });
    assert.equal(isSslRequest(full), false, "a full response with CLIENT_SSL set is longer than 32 bytes");
  });
});

describe("OK, ERR and EOF packets", () => {
  it("OK round trips big affected rows / insert ids and the info string", () => {
    const cases = [
      { affectedRows: 0, lastInsertId: 0, statusFlags: 0x0002, warnings: 0, info: "" },
      { affectedRows: 0xfb, lastInsertId: 0x10000, statusFlags: 0x4003, warnings: 3, info: "Rows matched: 1  Changed: 1  Warnings: 0" },
      { affectedRows: Number.MAX_SAFE_INTEGER, lastInsertId: 0x1000000, statusFlags: 0xffff, warnings: 0xffff, info: "ünïcode" },
      { affectedRows: 2n ** 63n, lastInsertId: 2n ** 64n - 1n, statusFlags: 0x0002, warnings: 0, info: "" },
    ];
    for (const ok of cases) {
      const bytes = encodeOk(ok);
      assert.equal(bytes[0], PacketMarker.OK);
      assert.equal(isOkPacket(bytes), true);
      assert.equal(isEofPacket(bytes), false);
      assert.deepEqual(decodeOk(bytes), ok);
    }
  });

  it("OK headed 0xFE (DEPRECATE_EOF) decodes the same and is seen as an end-of-rows marker", () => {
    const bytes = encodeOk({ statusFlags: 0x000a, warnings: 1 }, true);
    assert.equal(bytes[0], PacketMarker.EOF);
    assert.ok(bytes.length >= 7);
    assert.equal(isEofPacket(bytes), true);
    assert.deepEqual(decodeOk(bytes), { affectedRows: 0, lastInsertId: 0, statusFlags: 0x000a, warnings: 1, info: "" });
  });

  it("ERR round trips code, SQLSTATE and message", () => {
    const bytes = encodeErr({ code: 1146, sqlState: "42S02", message: "Table 'x.y' doesn't exist" });
    assert.deepEqual([...bytes.subarray(0, 4)], [0xff, 0x7a, 0x04, 0x23]);
    assert.equal(isErrPacket(bytes), true);
    assert.deepEqual(decodeErr(bytes), { code: 1146, sqlState: "42S02", message: "Table 'x.y' doesn't exist" });
    // A short SQLSTATE is padded to five characters.
    assert.equal(decodeErr(encodeErr({ code: 1, sqlState: "HY", message: "x" })).sqlState, "HY000");
    // An empty message: the SQLSTATE is the last thing in the packet.
    assert.deepEqual(decodeErr(encodeErr({ code: 1927, sqlState: "70100", message: "" })), { code: 1927, sqlState: "70100", message: "" });
  });

  it("ERR without the SQLSTATE marker (pre-4.1 / handshake errors) defaults to HY000", () => {
    const bytes = new ByteWriter().u8(0xff).u16(1040).string("Too many connections").finish();
    assert.deepEqual(decodeErr(bytes), { code: 1040, sqlState: "HY000", message: "Too many connections" });
  });

  it("EOF round trips and is five bytes", () => {
    const bytes = encodeEof({ warnings: 7, statusFlags: 0x0022 });
    assert.deepEqual([...bytes], [0xfe, 7, 0, 0x22, 0]);
    assert.equal(isEofPacket(bytes), true);
    assert.deepEqual(decodeEof(bytes), { warnings: 7, statusFlags: 0x0022 });
    assert.deepEqual(decodeEof(Uint8Array.of(0xfe)), { warnings: 0, statusFlags: 0 });
  });
});

describe("column definitions and auth packets", () => {
  it("ColumnDefinition41 round trips (property)", () => {
    const column = fc.record({
      schema: fc.string({ maxLength: 20 }),
      table: fc.string({ maxLength: 20 }),
      orgTable: fc.string({ maxLength: 20 }),
      name: fc.string({ maxLength: 300 }),
      orgName: fc.string({ maxLength: 20 }),
      characterSet: fc.nat(0xffff),
      columnLength: fc.nat({ max: 0xffffffff }),
      type: fc.nat(255),
      flags: fc.nat(0xffff),
      decimals: fc.nat(255),
    }, { noNullPrototype: true });
    fc.assert(
      fc.property(column, (c: ColumnDefinition) => {
        assert.deepEqual(decodeColumnDefinition(encodeColumnDefinition(c)), c);
      }),
      { numRuns: 200 },
    );
    const bytes = encodeColumnDefinition({ schema: "s", table: "t", orgTable: "t", name: "id", orgName: "id", characterSet: 63, columnLength: 20, type: ColumnType.LONGLONG, flags: ColumnFlag.NOT_NULL, decimals: 0 });
    assert.deepEqual([...bytes.subarray(0, 4)], [3, 0x64, 0x65, 0x66], 'catalog is always "def"');
  });

  it("AuthSwitchRequest round trips with its NUL-terminated scramble", () => {
    const pluginData = Uint8Array.from({ length: 20 }, (_, i) => 0x30 + i);
    const bytes = encodeAuthSwitchRequest({ pluginName: "mysql_native_password", pluginData });
    assert.equal(bytes[0], 0xfe);
    assert.equal(bytes[bytes.length - 1], 0);
    assert.equal(bytes.length, 1 + 22 + 20 + 1);
    assert.deepEqual(decodeAuthSwitchRequest(bytes), { pluginName: "mysql_native_password", pluginData });
    assert.deepEqual([...encodeAuthMoreData(Uint8Array.of(3))], [0x01, 0x03]);
  });

  it("decodes COM_CHANGE_USER with and without its optional tail", () => {
    const caps = Capability.PROTOCOL_41 | Capability.SECURE_CONNECTION | Capability.PLUGIN_AUTH | Capability.CONNECT_ATTRS;
    const auth = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
    const attrs = new ByteWriter().lenencString("_client_name").lenencString("test").lenencString("k").lenencString("").finish();
    const full = new ByteWriter()
      .u8(0x11).nulString("bob").u8(auth.length).bytes(auth).nulString("commerce").u16(224).nulString("mysql_native_password").lenencBytes(attrs)
      .finish();
    assert.deepEqual(decodeChangeUser(full, caps), {
      user: "bob",
      authResponse: auth,
      database: "commerce",
      characterSet: 224,
      authPluginName: "mysql_native_password",
      attributes: { _client_name: "test", k: "" },
    });
    const short = new ByteWriter().u8(0x11).nulString("bob").u8(0).nulString("").finish();
    assert.deepEqual(decodeChangeUser(short, caps), {
      user: "bob",
      authResponse: new Uint8Array(0),
      database: undefined,
      characterSet: undefined,
      authPluginName: undefined,
      attributes: {},
    });
    // A client without PLUGIN_AUTH ends with the character set.
    const noPlugin = new ByteWriter().u8(0x11).nulString("bob").u8(0).nulString("db").u16(33).finish();
    assert.equal(decodeChangeUser(noPlugin, Capability.PROTOCOL_41 | Capability.SECURE_CONNECTION).characterSet, 33);
    // Declares a 20-byte auth response but carries 3 bytes.
    const truncated = new ByteWriter().u8(0x11).nulString("bob").u8(20).bytes(Uint8Array.of(1, 2, 3)).finish();
    assert.throws(() => decodeChangeUser(truncated, caps), ProtocolError);
  });
});
