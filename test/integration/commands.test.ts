import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { RowDataPacket } from "mysql2/promise";
import { BackendConnection, commandPacket } from "../../src/core/backend/backend-connection.ts";
import { encodeUtf8 } from "../../src/core/protocol/bytes.ts";
import { Capability, Command } from "../../src/core/protocol/constants.ts";
import { decodeColumnDefinition } from "../../src/core/protocol/column-definition.ts";
import { PacketReader } from "../../src/core/protocol/packet-reader.ts";
import { testNetwork } from "../support/runtime.ts";
import { startTestGateway, type TestGateway } from "../support/gateway.ts";

/** A raw protocol client (the gateway's own) to send commands mysql2 has no API for. */
async function rawClient(gw: TestGateway, database: string | undefined = "commerce", capabilities: number = Capability.DEPRECATE_EOF) {
  return BackendConnection.connect(testNetwork, {
    address: { host: "127.0.0.1", port: gw.port, user: "app", password: "app-secret", database, options: {} },
    flavor: { capabilities, collationId: 45 },
    connectTimeoutMs: 5000,
  });
}

describe("commands", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  it("COM_PING, COM_INIT_DB and COM_QUIT", async () => {
    const c = await rawClient(gw, undefined);
    await c.simpleCommand(Command.PING);
    await c.simpleCommand(Command.INIT_DB, encodeUtf8("commerce"));
    assert.deepEqual((await c.query("SELECT DATABASE()")).rows, [["commerce"]]);
    await assert.rejects(c.simpleCommand(Command.INIT_DB, encodeUtf8("nope")), { code: 1049, message: "Unknown database 'nope'" });
    const closed = new Promise<void>((resolve) => (c.onClosed = () => resolve()));
    c.close();
    await closed;
    assert.equal(c.isClosed, true);
  });

  it("an unknown command is ERR 1047 and the connection stays usable", async () => {
    const c = await rawClient(gw);
    await assert.rejects(c.simpleCommand(0x63), { code: 1047, sqlState: "08S01" });
    await assert.rejects(c.simpleCommand(Command.STATISTICS), { code: 1047 });
    await c.simpleCommand(Command.PING);
    assert.deepEqual((await c.query("SELECT 1")).rows, [["1"]]);
    c.close();
  });

  it("COM_RESET_CONNECTION drops session state and keeps the database", async () => {
    const c = await rawClient(gw);
    await c.query("SET @kept = 'x'");
    await c.query("SET sql_mode = 'ANSI_QUOTES'");
    await c.simpleCommand(Command.RESET_CONNECTION);
    assert.deepEqual((await c.query("SELECT @kept, @@sql_mode = 'ANSI_QUOTES', DATABASE()")).rows, [[null, "0", "commerce"]]);
    c.close();
  });

  it("COM_SET_OPTION turns multi-statements on and off", async () => {
    const c = await rawClient(gw, "commerce", Capability.DEPRECATE_EOF | Capability.MULTI_STATEMENTS);
    await c.simpleCommand(Command.SET_OPTION, Uint8Array.of(1, 0));
    await assert.rejects(c.query("SELECT 1; SELECT 2"), { code: 1064 });
    await c.simpleCommand(Command.SET_OPTION, Uint8Array.of(0, 0));
    const chunks: Uint8Array[] = [];
    const summary = await c.send(commandPacket(Command.QUERY, encodeUtf8("SELECT 1; SELECT 2")), "query", (chunk) => {
      chunks.push(chunk.slice());
      return true;
    });
    assert.equal(summary.error, undefined);
    c.close();
  });

  it("COM_FIELD_LIST returns the table's column definitions", async () => {
    const c = await rawClient(gw);
    const chunks: Uint8Array[] = [];
    const summary = await c.send(commandPacket(Command.FIELD_LIST, encodeUtf8("product\0")), "field-list", (chunk) => {
      chunks.push(chunk.slice());
      return true;
    });
    assert.equal(summary.error, undefined);
    const reader = new PacketReader();
    for (const chunk of chunks) reader.push(chunk);
    const names: string[] = [];
    for (let p = reader.next(); p && p.payload[0] !== 0xfe; p = reader.next()) names.push(decodeColumnDefinition(p.payload).name);
    assert.deepEqual(names, ["sku", "description", "price"]);
    c.close();
  });

  it("COM_CHANGE_USER authenticates the new user and starts a fresh session", async () => {
    const c = await gw.connect({ database: "commerce" });
    await c.query("SET @before = 1");
    await c.changeUser({ user: "reader", password: "reader-secret", database: "commerce" });
    const [user] = await c.query<RowDataPacket[]>("SELECT CURRENT_USER() AS u");
    assert.deepEqual(user, [{ u: "reader@%" }]);
    const [variables] = await c.query<RowDataPacket[]>("SELECT @before AS b");
    assert.deepEqual(variables, [{ b: null }]);
    await assert.rejects(c.query("DELETE FROM product"), { errno: 1290 });
    await assert.rejects(c.changeUser({ user: "app", password: "wrong" }), { errno: 1045 });
  });

  it("a 20 MiB BLOB makes the round trip intact (payloads split across 16 MiB packets both ways)", async () => {
    const c = await gw.connect({ database: "commerce", maxPreparedStatements: 1 });
    await c.query("CREATE TABLE IF NOT EXISTS blob_t (id INT PRIMARY KEY, b LONGBLOB)");
    const blob = randomBytes(20 * 1024 * 1024);
    await c.query("REPLACE INTO blob_t VALUES (1, ?)", [blob]);
    const [rows] = await c.query<RowDataPacket[]>("SELECT b, LENGTH(b) AS n FROM blob_t WHERE id = 1");
    assert.equal(rows[0]!.n, blob.length);
    const sha = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");
    assert.equal(sha(rows[0]!.b as Buffer), sha(blob));
    await c.query("DELETE FROM blob_t");
  });

  it("a statement larger than max_allowed_packet is refused with 1153 and the gateway carries on", async () => {
    const small = await startTestGateway((config) => {
      config.server = { max_allowed_packet: 1024 * 1024 };
    });
    try {
      const c = await small.connect({ database: "commerce" });
      await assert.rejects(c.query("SELECT ?", ["x".repeat(2 * 1024 * 1024)]), (error: { errno?: number; code?: string }) => {
        return error.errno === 1153 || error.code === "PROTOCOL_CONNECTION_LOST" || error.code === "ECONNRESET" || error.code === "EPIPE";
      });
      const d = await small.connect({ database: "commerce" });
      const [rows] = await d.query<RowDataPacket[]>("SELECT 1 AS ok");
      assert.deepEqual(rows, [{ ok: 1 }]);
    } finally {
      await small.close();
    }
  });
});
