/**
 * Prepared-statement cursors (COM_STMT_EXECUTE with CURSOR_TYPE_READ_ONLY, then COM_STMT_FETCH) through
 * the gateway, with the gateway's own protocol client (mysql2 and the mariadb connector never open
 * cursors). Each raw response is compared packet for packet with what MariaDB answers the same commands
 * straight, with and without CLIENT_DEPRECATE_EOF.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Connection, RowDataPacket } from "mysql2/promise";
import { parse, stringify } from "yaml";
import { BackendConnection, type ResponseSummary } from "../../src/core/backend/backend-connection.ts";
import type { ShardPool } from "../../src/core/backend/shard-pool.ts";
import { parseConfig } from "../../src/core/config/load-config.ts";
import { ByteReader, ByteWriter, encodeUtf8 } from "../../src/core/protocol/bytes.ts";
import { Capability, ColumnType, Command, ServerStatus } from "../../src/core/protocol/constants.ts";
import { framePacket } from "../../src/core/protocol/packet-writer.ts";
import type { ResponseKind } from "../../src/core/protocol/response-scanner.ts";
import { CursorType, encodeExecute, encodeStatementCommand } from "../../src/core/protocol/stmt-packets.ts";
import { connectDirect, startTestGateway, type TestGateway } from "../support/gateway.ts";
import { testNetwork } from "../support/runtime.ts";
import { getTestBackend, getTestBackends } from "../support/test-env.ts";

const FLAVORS = [
  { name: "CLIENT_DEPRECATE_EOF", capabilities: Capability.DEPRECATE_EOF },
  { name: "EOF packets", capabilities: 0 },
] as const;

/** Raw connections opened, destroyed at the end even when a test failed half-way (an open cursor or transaction). */
const opened: BackendConnection[] = [];

async function track(connecting: Promise<BackendConnection>): Promise<BackendConnection> {
  const connection = await connecting;
  opened.push(connection);
  return connection;
}

/** The gateway's own protocol client, logged in to the gateway. */
function rawClient(gw: TestGateway, capabilities: number = Capability.DEPRECATE_EOF, database = "commerce"): Promise<BackendConnection> {
  return track(
    BackendConnection.connect(testNetwork, {
      address: { host: "127.0.0.1", port: gw.port, user: "app", password: "app-secret", database, options: {} },
      flavor: { capabilities, collationId: 45 },
      connectTimeoutMs: 5000,
    }),
  );
}

/** The same client straight to the commerce MariaDB server, for comparison. */
function rawDirect(capabilities: number = Capability.DEPRECATE_EOF): Promise<BackendConnection> {
  const backend = getTestBackend("commerce");
  return track(
    BackendConnection.connect(testNetwork, {
      address: { host: backend.host, port: backend.port, user: backend.user, password: backend.password, database: backend.database, options: {} },
      flavor: { capabilities, collationId: 45 },
      connectTimeoutMs: 5000,
    }),
  );
}

async function prepare(c: BackendConnection, sql: string): Promise<number> {
  // A key of its own per call: the client side's cache must not hand back an earlier statement.
  return (await c.prepare(`${sql}\u0000${Math.random()}`, encodeUtf8(sql), { fresh: true })).id;
}

interface Packet {
  seq: number;
  hex: string;
  payload: Uint8Array;
}

interface Response {
  summary: ResponseSummary;
  packets: Packet[];
}

function splitPackets(chunks: Uint8Array[]): Packet[] {
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  const packets: Packet[] = [];
  for (let i = 0; i < all.length; ) {
    const length = all[i]! | (all[i + 1]! << 8) | (all[i + 2]! << 16);
    const payload = all.slice(i + 4, i + 4 + length);
    packets.push({ seq: all[i + 3]!, hex: Buffer.from(payload).toString("hex"), payload });
    i += 4 + length;
  }
  return packets;
}

async function command(c: BackendConnection, payload: Uint8Array, kind: ResponseKind): Promise<Response> {
  const chunks: Uint8Array[] = [];
  const summary = await c.send(framePacket(payload, 0), kind, (chunk) => {
    chunks.push(chunk.slice());
    return true;
  });
  return { summary, packets: splitPackets(chunks) };
}

/** COM_STMT_EXECUTE with string parameters; READ_ONLY in `flags` opens a cursor. */
function execute(c: BackendConnection, id: number, values: string[], flags: number = CursorType.READ_ONLY): Promise<Response> {
  const types = new ByteWriter();
  const data = new ByteWriter();
  for (const value of values) {
    types.u16(ColumnType.VAR_STRING);
    data.lenencString(value);
  }
  const payload = encodeExecute(
    { statementId: id, flags, iterationCount: 1, nullBitmap: new Uint8Array((values.length + 7) >> 3), types: values.length ? types.finish() : undefined, values: data.finish() },
    values.length,
  );
  return command(c, payload, flags & CursorType.READ_ONLY ? "cursor" : "query");
}

function fetch(c: BackendConnection, id: number, rows: number): Promise<Response> {
  return command(c, encodeStatementCommand(Command.STMT_FETCH, id, rows), "fetch");
}

function reset(c: BackendConnection, id: number): Promise<Response> {
  return command(c, encodeStatementCommand(Command.STMT_RESET, id), "single");
}

function closeStatement(c: BackendConnection, id: number): void {
  c.post(framePacket(encodeStatementCommand(Command.STMT_CLOSE, id), 0));
}

function noError(response: Response): void {
  assert.equal(response.summary.error, undefined, response.summary.error?.message ?? "");
}

/** The backend thread a gateway client's statements run on now (CONNECTION_ID() is the gateway's own id; the backend's is @@pseudo_thread_id). */
async function threadOf(c: BackendConnection): Promise<string> {
  return String((await c.query("SELECT ID FROM information_schema.PROCESSLIST WHERE ID = @@pseudo_thread_id")).rows[0]![0]);
}

/** The binary rows of a fetch response (every packet but the closing EOF). */
function rowsOf(response: Response): Packet[] {
  noError(response);
  return response.packets.slice(0, -1);
}

/** Decodes a binary row of `cursor_t` columns (INT, VARCHAR, INT NULL). */
function decodeRow(payload: Uint8Array, kinds: ("int" | "string")[]): (number | string | null)[] {
  const reader = new ByteReader(payload);
  assert.equal(reader.u8(), 0x00, "binary row header");
  const bitmap = reader.bytesN((kinds.length + 7 + 2) >> 3);
  return kinds.map((kind, i) => {
    const bit = i + 2;
    if (bitmap[bit >> 3]! & (1 << (bit & 7))) return null;
    return kind === "int" ? reader.u32() | 0 : new TextDecoder().decode(reader.bytesN(reader.lenenc()));
  });
}

const ROW_KINDS: ("int" | "string")[] = ["int", "string", "int"];
const SELECT_ALL = "SELECT id, name, n FROM cursor_t WHERE id > ? ORDER BY id";

/** Fetches `size` rows at a time until LAST_ROW_SENT; returns each response. */
async function fetchAll(c: BackendConnection, id: number, size: number): Promise<Response[]> {
  const responses: Response[] = [];
  for (let round = 0; round < 100; round++) {
    const response = await fetch(c, id, size);
    responses.push(response);
    noError(response);
    if (response.summary.statusFlags & ServerStatus.LAST_ROW_SENT) return responses;
  }
  throw new Error("LAST_ROW_SENT never came");
}

/** The packets with the sequence ids, for comparing two responses. */
function wire(response: Response): string[] {
  return response.packets.map((p) => `${p.seq}:${p.hex}`);
}

function sameError(viaGateway: Response, straight: Response, gatewayId: number, directId: number): void {
  const a = viaGateway.summary.error;
  const b = straight.summary.error;
  assert.ok(a && b, "both answer with an error");
  assert.deepEqual(
    { code: a.code, sqlState: a.sqlState, message: a.message },
    { code: b.code, sqlState: b.sqlState, message: b.message.replace(`(${directId})`, `(${gatewayId})`) },
  );
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("prepared-statement cursors (COM_STMT_EXECUTE with CURSOR_TYPE_READ_ONLY, COM_STMT_FETCH)", () => {
  let gw: TestGateway;
  let direct: Connection;
  let expected: (number | string | null)[][];
  const pool = (): ShardPool => gw.gateway.snapshot().keyspace("commerce")!.pools[0]!;
  const inUse = (): number => pool().stats().inUse;

  before(async () => {
    gw = await startTestGateway((config) => {
      config.pool = { max_connections: 4 };
      // A keyspace on the commerce database that a reload makes sharded (the sharded-keyspace test).
      const commerce = (config.topology as Record<string, Record<string, unknown>>).commerce!;
      (config.topology as Record<string, unknown>).cursor_flip = { "-": commerce["-"] };
      (config.vschema as Record<string, unknown>).cursor_flip = { sharded: false };
    });
    direct = await connectDirect("commerce");
    await direct.query("CREATE TABLE IF NOT EXISTS cursor_t (id INT PRIMARY KEY, name VARCHAR(20) CHARACTER SET utf8mb4, n INT NULL)");
    await direct.query("DELETE FROM cursor_t");
    await direct.query(
      "INSERT INTO cursor_t VALUES " +
        Array.from({ length: 10 }, (_, i) => `(${i + 1}, 'name ${i + 1} ✓', ${i % 3 === 0 ? "NULL" : (i + 1) * 100})`).join(", "),
    );
    const [rows] = await direct.query<RowDataPacket[]>({ sql: "SELECT id, name, n FROM cursor_t ORDER BY id", rowsAsArray: true });
    expected = rows as unknown as (number | string | null)[][];
    assert.equal(expected.length, 10);
  });
  after(async () => {
    for (const connection of opened) connection.destroy();
    await direct.end();
    await gw.close();
  });

  for (const flavor of FLAVORS) {
    it(`${flavor.name}: execute answers the column definitions only, fetches of 3 rows follow to LAST_ROW_SENT, as MariaDB answers them`, async () => {
      const c = await rawClient(gw, flavor.capabilities);
      const d = await rawDirect(flavor.capabilities);
      const id = await prepare(c, SELECT_ALL);
      const directId = await prepare(d, SELECT_ALL);
      assert.equal(inUse(), 0);

      const opened = await execute(c, id, ["0"]);
      const openedDirect = await execute(d, directId, ["0"]);
      noError(opened);
      assert.deepEqual(wire(opened), wire(openedDirect));
      assert.ok(opened.summary.statusFlags & ServerStatus.CURSOR_EXISTS, "CURSOR_EXISTS");
      // Column count, three definitions, one EOF (an OK headed 0xFE with CLIENT_DEPRECATE_EOF): no rows.
      assert.equal(opened.packets.length, 5);
      assert.equal(opened.packets[4]!.payload[0], 0xfe);
      assert.equal(opened.packets[4]!.payload.length, flavor.capabilities ? 7 : 5);
      assert.equal(inUse(), 1, "the cursor's backend connection stays with the session");

      const fetched = await fetchAll(c, id, 3);
      const fetchedDirect = await fetchAll(d, directId, 3);
      assert.deepEqual(fetched.map(wire), fetchedDirect.map(wire));
      assert.deepEqual(fetched.map((r) => rowsOf(r).length), [3, 3, 3, 1]);
      for (const response of fetched.slice(0, -1)) {
        assert.equal(response.summary.statusFlags & (ServerStatus.CURSOR_EXISTS | ServerStatus.LAST_ROW_SENT), ServerStatus.CURSOR_EXISTS);
      }
      assert.equal(fetched.at(-1)!.summary.statusFlags & (ServerStatus.CURSOR_EXISTS | ServerStatus.LAST_ROW_SENT), ServerStatus.LAST_ROW_SENT);
      const rows = fetched.flatMap(rowsOf).map((row) => decodeRow(row.payload, ROW_KINDS));
      assert.deepEqual(rows, expected);

      // The cursor ended with its last row: the connection went back to the pool.
      await eventually(() => inUse() === 0, "the connection is back in the pool");
      sameError(await fetch(c, id, 3), await fetch(d, directId, 3), id, directId);
      assert.equal((await fetch(c, id, 3)).summary.error?.code, 1421);

      // Executed again, the statement opens a new cursor; a fetch larger than what is left ends it at once.
      assert.deepEqual(wire(await execute(c, id, ["7"])), wire(await execute(d, directId, ["7"])));
      const rest = await fetch(c, id, 100);
      assert.deepEqual(wire(rest), wire(await fetch(d, directId, 100)));
      assert.deepEqual(rowsOf(rest).map((row) => decodeRow(row.payload, ROW_KINDS)), expected.slice(7));
      assert.ok(rest.summary.statusFlags & ServerStatus.LAST_ROW_SENT);
      await eventually(() => inUse() === 0, "the connection is back in the pool");

      // No rows at all: the cursor opens, the first fetch ends it with LAST_ROW_SENT.
      assert.deepEqual(wire(await execute(c, id, ["100"])), wire(await execute(d, directId, ["100"])));
      const none = await fetch(c, id, 3);
      assert.deepEqual(wire(none), wire(await fetch(d, directId, 3)));
      assert.equal(rowsOf(none).length, 0);
      await eventually(() => inUse() === 0, "the connection is back in the pool");
      c.close();
      d.close();
    });
  }

  it("two statements' cursors open at once (one SQL prepared twice, and another), fetched in turns on one held connection", async () => {
    const c = await rawClient(gw);
    const d = await rawDirect();
    const ids = [await prepare(c, SELECT_ALL), await prepare(c, SELECT_ALL), await prepare(c, "SELECT id FROM cursor_t WHERE id <= ? ORDER BY id DESC")];
    const directIds = [await prepare(d, SELECT_ALL), await prepare(d, SELECT_ALL), await prepare(d, "SELECT id FROM cursor_t WHERE id <= ? ORDER BY id DESC")];
    const params = [["0"], ["5"], ["4"]];
    for (let i = 0; i < 3; i++) {
      const viaGateway = await execute(c, ids[i]!, params[i]!);
      noError(viaGateway);
      assert.deepEqual(wire(viaGateway), wire(await execute(d, directIds[i]!, params[i]!)));
    }
    assert.equal(inUse(), 1, "one connection holds the three cursors");
    const held = await threadOf(c);
    // Another prepare of the same SQL and a SET in between leave the open cursors alone.
    assert.equal(typeof (await prepare(c, SELECT_ALL)), "number");
    await c.query("SET @between_fetches = 1");

    const got: (number | string | null)[][][] = [[], [], []];
    // 10, 5 and 4 rows: 6, 3 and 3 fetches of 2 (the last one empty when the rows ran out exactly); one more is 1421.
    const order = [0, 1, 2, 0, 1, 2, 0, 0, 1, 2, 0, 1, 2, 0, 0];
    for (const i of order) {
      const viaGateway = await fetch(c, ids[i]!, 2);
      const straight = await fetch(d, directIds[i]!, 2);
      if (viaGateway.summary.error) {
        sameError(viaGateway, straight, ids[i]!, directIds[i]!);
        continue;
      }
      assert.deepEqual(wire(viaGateway), wire(straight));
      got[i]!.push(...rowsOf(viaGateway).map((row) => decodeRow(row.payload, i === 2 ? ["int"] : ROW_KINDS)));
      if (got.some((rows, j) => rows.length < [10, 5, 4][j]!)) assert.equal(await threadOf(c), held, "the session's statements run on the cursor's connection");
    }
    assert.deepEqual(got[0], expected);
    assert.deepEqual(got[1], expected.slice(5));
    assert.deepEqual(got[2], [[4], [3], [2], [1]]);
    await eventually(() => inUse() === 0, "the connection is back in the pool once every cursor ended");
    c.close();
    d.close();
  });

  it("COM_STMT_RESET, COM_STMT_CLOSE and an execute without a cursor each close it, as in MariaDB; the connection goes back", async () => {
    const c = await rawClient(gw);
    const d = await rawDirect();
    const id = await prepare(c, SELECT_ALL);
    const directId = await prepare(d, SELECT_ALL);

    await execute(c, id, ["0"]);
    await execute(d, directId, ["0"]);
    assert.deepEqual(wire(await fetch(c, id, 2)), wire(await fetch(d, directId, 2)));
    assert.equal(inUse(), 1);
    const resetOk = await reset(c, id);
    assert.equal(resetOk.summary.error, undefined);
    assert.deepEqual(wire(resetOk), wire(await reset(d, directId)));
    assert.equal(inUse(), 0, "COM_STMT_RESET let the connection go");
    sameError(await fetch(c, id, 2), await fetch(d, directId, 2), id, directId);

    // An execute without a cursor type (FOR_UPDATE alone is ignored, as by mysqld) ends it too, and returns rows.
    await execute(c, id, ["0"]);
    await execute(d, directId, ["0"]);
    assert.equal(inUse(), 1);
    const plain = await execute(c, id, ["8"], CursorType.FOR_UPDATE);
    assert.deepEqual(wire(plain), wire(await execute(d, directId, ["8"], CursorType.FOR_UPDATE)));
    assert.equal(plain.summary.statusFlags & ServerStatus.CURSOR_EXISTS, 0);
    assert.equal(inUse(), 0);
    sameError(await fetch(c, id, 2), await fetch(d, directId, 2), id, directId);

    // A cursor opened again while one is open replaces it (its rows start over).
    await execute(c, id, ["0"]);
    await execute(d, directId, ["0"]);
    await fetch(c, id, 4);
    await fetch(d, directId, 4);
    assert.deepEqual(wire(await execute(c, id, ["0"])), wire(await execute(d, directId, ["0"])));
    const again = await fetch(c, id, 1);
    assert.deepEqual(wire(again), wire(await fetch(d, directId, 1)));
    assert.deepEqual(decodeRow(rowsOf(again)[0]!.payload, ROW_KINDS), expected[0]);

    closeStatement(c, id);
    closeStatement(d, directId);
    sameError(await fetch(c, id, 2), await fetch(d, directId, 2), id, directId);
    assert.equal(inUse(), 0, "COM_STMT_CLOSE let the connection go");

    // A statement that opens no cursor (an UPDATE) answers as without the flag and holds nothing.
    const update = await prepare(c, "UPDATE cursor_t SET n = n WHERE id = ?");
    const directUpdate = await prepare(d, "UPDATE cursor_t SET n = n WHERE id = ?");
    assert.deepEqual(wire(await execute(c, update, ["2"])), wire(await execute(d, directUpdate, ["2"])));
    assert.equal(inUse(), 0);
    c.close();
    d.close();
  });

  it("a cursor inside a transaction: its fetches carry IN_TRANS, and it outlives ROLLBACK as in MariaDB", async () => {
    const sequence = async (c: BackendConnection): Promise<string[][]> => {
      const id = await prepare(c, SELECT_ALL);
      const seen: string[][] = [];
      await c.query("BEGIN");
      await c.query("INSERT INTO cursor_t VALUES (100, 'uncommitted', 1)");
      seen.push(wire(await execute(c, id, ["8"])));
      seen.push(wire(await fetch(c, id, 2)));
      await c.query("ROLLBACK");
      seen.push(wire(await fetch(c, id, 1)));
      seen.push(wire(await fetch(c, id, 1)));
      return seen;
    };
    const d = await rawDirect();
    const straight = await sequence(d);
    d.close();
    const c = await rawClient(gw);
    const viaGateway = await sequence(c);
    assert.deepEqual(viaGateway, straight);
    // Rows 9 and 10, then the uncommitted 100 the cursor materialized before the rollback, then LAST_ROW_SENT.
    assert.match(viaGateway[1]!.at(-1)!, /^\d+:fe000043/, "IN_TRANS | CURSOR_EXISTS | AUTOCOMMIT");
    assert.match(viaGateway[2]!.at(-1)!, /^\d+:fe000042/, "CURSOR_EXISTS | AUTOCOMMIT after the rollback");
    assert.match(viaGateway[3]!.at(-1)!, /^\d+:fe000082/, "LAST_ROW_SENT");
    await eventually(() => inUse() === 0, "the connection is back in the pool after the transaction and the cursor");
    const [rows] = await direct.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM cursor_t WHERE id = 100");
    assert.equal(rows[0]!.n, 0);
    c.close();
  });

  it("a client leaving, or resetting its connection, mid-cursor lets the connection go back to the pool, clean", async () => {
    // One backend connection: it must come back (not be closed) for the next client to get the same thread.
    const one = await startTestGateway((config) => {
      config.pool = { max_connections: 1 };
    });
    const onePool = (): ShardPool => one.gateway.snapshot().keyspace("commerce")!.pools[0]!;
    const openCursor = async (): Promise<{ c: BackendConnection; id: number; thread: string }> => {
      const c = await rawClient(one);
      const id = await prepare(c, SELECT_ALL);
      noError(await execute(c, id, ["0"]));
      assert.equal(rowsOf(await fetch(c, id, 3)).length, 3);
      const thread = await threadOf(c);
      assert.deepEqual(onePool().stats(), { open: 1, inUse: 1, idle: 0, waiting: 0 });
      return { c, id, thread };
    };
    try {
      const first = await openCursor();
      first.c.close();
      await eventually(() => onePool().stats().idle === 1, "the connection is back in the pool after COM_QUIT");

      // The same backend connection serves the next client, the earlier cursor gone from it.
      const second = await openCursor();
      assert.equal(second.thread, first.thread, "the connection was kept, not closed");
      const rest = await fetchAll(second.c, second.id, 3);
      assert.deepEqual(rest.flatMap(rowsOf).map((row) => decodeRow(row.payload, ROW_KINDS)), expected.slice(3));
      // Another cursor, then the socket dropped without COM_QUIT.
      noError(await execute(second.c, second.id, ["0"]));
      assert.equal(onePool().stats().inUse, 1);
      second.c.destroy();
      await eventually(() => onePool().stats().idle === 1, "the connection is back in the pool after the socket dropped");

      // COM_RESET_CONNECTION: the cursor and the statement are gone, the connection back in the pool.
      const third = await openCursor();
      assert.equal(third.thread, first.thread);
      await third.c.simpleCommand(Command.RESET_CONNECTION);
      assert.equal(onePool().stats().inUse, 0);
      assert.equal((await fetch(third.c, third.id, 3)).summary.error?.code, 1243);
      // Another client is served meanwhile: the one connection is free.
      const other = await one.connect({ database: "commerce" });
      const [rows] = await other.execute<RowDataPacket[]>("SELECT COUNT(*) AS n FROM cursor_t WHERE id > ?", [0]);
      assert.deepEqual(rows, [{ n: 10 }]);
      third.c.close();
    } finally {
      await one.close();
    }
  });

  it("a cursor on a keyspace a reload made sharded is refused with 1235 saying why; a plain execute still runs", async () => {
    const c = await rawClient(gw, Capability.DEPRECATE_EOF, "cursor_flip");
    const id = await prepare(c, "SELECT id FROM cursor_t WHERE id = ?");
    assert.equal((await execute(c, id, ["1"], 0)).summary.error, undefined);
    const raw = parse(getTestBackends().configYaml) as Record<string, Record<string, unknown>>;
    raw.listen = { mysql: "127.0.0.1:0" };
    raw.pool = { max_connections: 4 };
    (raw.topology as Record<string, unknown>).cursor_flip = { "-": (raw.topology!.commerce as Record<string, unknown>)["-"] };
    (raw.vschema as Record<string, unknown>).cursor_flip = {
      sharded: true,
      vindexes: { hash: { type: "hash" } },
      tables: { cursor_t: { column_vindexes: [{ column: "id", name: "hash" }] } },
    };
    const config = parseConfig(stringify(raw), { env: {}, readFile: () => "", baseDir: "." });
    await gw.gateway.reconfigure(config, "test");
    const refused = await execute(c, id, ["1"]);
    assert.equal(refused.summary.error?.code, 1235);
    assert.equal(refused.summary.error?.sqlState, "42000");
    assert.match(refused.summary.error!.message, /keyspace 'cursor_flip' is sharded: a cursor .* lives on one backend connection/);
    // Without a cursor the statement runs, planned and routed by its value on the now sharded keyspace.
    assert.equal((await execute(c, id, ["1"], 0)).summary.error, undefined);
    c.close();
  });
});
