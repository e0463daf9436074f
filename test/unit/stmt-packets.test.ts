import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { BackendConnection } from "../../src/core/backend/backend-connection.ts";
import { StatementCache, type BackendStatement } from "../../src/core/backend/statement-cache.ts";
import { ByteWriter, encodeUtf8 } from "../../src/core/protocol/bytes.ts";
import { encodeColumnDefinition } from "../../src/core/protocol/column-definition.ts";
import { Capability, ColumnType, ServerStatus } from "../../src/core/protocol/constants.ts";
import { encodeEof } from "../../src/core/protocol/eof-packet.ts";
import { encodeErr } from "../../src/core/protocol/err-packet.ts";
import { encodeOk } from "../../src/core/protocol/ok-packet.ts";
import { framePacket, PacketWriter } from "../../src/core/protocol/packet-writer.ts";
import { ResponseScanner, type ResponseKind } from "../../src/core/protocol/response-scanner.ts";
import {
  decodeExecute,
  decodePrepareOk,
  decodeSendLongData,
  encodeExecute,
  encodeSendLongData,
  encodeStatementCommand,
  statementIdOf,
} from "../../src/core/protocol/stmt-packets.ts";
import { textColumn } from "../../src/core/protocol/text-result.ts";
import { testNetwork } from "../support/runtime.ts";
import { getTestBackends } from "../support/test-env.ts";

function prepareOk(id: number, columns: number, params: number): Uint8Array {
  return new ByteWriter().u8(0).u32(id).u16(columns).u16(params).u8(0).u16(1).finish();
}

function prepareResponse(columns: number, params: number, deprecateEof: boolean): Uint8Array {
  const w = new PacketWriter(1).add(prepareOk(77, columns, params));
  for (let p = 0; p < params; p++) w.add(encodeColumnDefinition(textColumn("?")));
  if (params > 0 && !deprecateEof) w.add(encodeEof({ warnings: 0, statusFlags: ServerStatus.AUTOCOMMIT }));
  for (let c = 0; c < columns; c++) w.add(encodeColumnDefinition(textColumn(`c${c}`)));
  if (columns > 0 && !deprecateEof) w.add(encodeEof({ warnings: 0, statusFlags: ServerStatus.AUTOCOMMIT }));
  return w.take();
}

/** A binary result set: rows headed 0x00, then a NULL bitmap that may well start 0xFE or 0xFF. */
function binaryResultSet(rows: number, deprecateEof: boolean, flags: number): Uint8Array {
  const w = new PacketWriter(1).add(Uint8Array.of(2));
  w.add(encodeColumnDefinition(textColumn("a"))).add(encodeColumnDefinition(textColumn("b")));
  if (!deprecateEof) w.add(encodeEof({ warnings: 0, statusFlags: flags }));
  for (let r = 0; r < rows; r++) w.add(Uint8Array.of(0x00, r % 2 ? 0xff : 0xfe, 0x03, 0x61, 0x62, 0x63));
  w.add(deprecateEof ? encodeOk({ statusFlags: flags }, true) : encodeEof({ warnings: 0, statusFlags: flags }));
  return w.take();
}

/** Feeds `bytes` cut at `cuts` and checks the scanner ends exactly at the last byte. */
function scan(bytes: Uint8Array, kind: ResponseKind, deprecateEof: boolean, cuts: number[]): ResponseScanner {
  const scanner = new ResponseScanner(deprecateEof);
  scanner.begin(kind);
  let start = 0;
  for (const end of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b).concat(bytes.length)) {
    if (end <= start) continue;
    assert.equal(scanner.done, false);
    assert.equal(scanner.feed(bytes.subarray(start, end)), end - start);
    start = end;
  }
  assert.equal(scanner.done, true);
  return scanner;
}

describe("COM_STMT_* codecs", () => {
  it("execute round-trips with and without types, and with no parameters", () => {
    const withTypes = { statementId: 9, flags: 0, iterationCount: 1, nullBitmap: Uint8Array.of(0b10), types: Uint8Array.of(0xfd, 0, 6, 0), values: Uint8Array.of(1, 0x41) };
    const encoded = encodeExecute(withTypes, 2);
    assert.equal(statementIdOf(encoded), 9);
    assert.deepEqual(decodeExecute(encoded, 2), withTypes);
    const withoutTypes = { ...withTypes, types: undefined };
    assert.deepEqual(decodeExecute(encodeExecute(withoutTypes, 2), 2), withoutTypes);
    const none = { statementId: 0xfffffffe, flags: 1, iterationCount: 1, nullBitmap: new Uint8Array(0), types: undefined, values: new Uint8Array(0) };
    assert.deepEqual(decodeExecute(encodeExecute(none, 0), 0), none);
    assert.equal(encodeExecute(none, 0).length, 10);
  });

  it("long data, statement commands and the prepare OK", () => {
    const chunk = { statementId: 3, param: 1, data: encodeUtf8("blob") };
    assert.deepEqual(decodeSendLongData(encodeSendLongData(chunk)), chunk);
    assert.deepEqual([...encodeStatementCommand(0x19, 0x01020304)], [0x19, 4, 3, 2, 1]);
    assert.deepEqual(decodePrepareOk(prepareOk(5, 2, 3)), { statementId: 5, columns: 2, params: 3, warnings: 1 });
  });

  it("a statement cache keeps the most recently used and returns what it evicts", () => {
    const cache = new StatementCache(2);
    const s = (id: number): BackendStatement => ({ id, params: 0, columns: 0, types: undefined });
    assert.deepEqual(cache.add("a", s(1)), []);
    assert.deepEqual(cache.add("b", s(2)), []);
    cache.get("a");
    assert.deepEqual(cache.add("c", s(3)), [s(2)]);
    assert.deepEqual(cache.add("a", s(4)), [s(1)], "a replaced statement is closed too");
    assert.equal(cache.size, 2);
    cache.clear();
    assert.equal(cache.get("c"), undefined);
  });
});

describe("ResponseScanner for prepared statements", () => {
  for (const deprecateEof of [false, true]) {
    it(`COM_STMT_PREPARE responses end where they end, DEPRECATE_EOF ${deprecateEof ? "on" : "off"} (property)`, () => {
      fc.assert(
        fc.property(fc.nat(5), fc.nat(5), fc.array(fc.nat(2000), { maxLength: 10 }), (columns, params, cuts) => {
          const scanner = scan(prepareResponse(columns, params, deprecateEof), "prepare", deprecateEof, cuts);
          assert.deepEqual(scanner.prepared, { statementId: 77, columns, params, warnings: 1 });
          assert.equal(scanner.error, undefined);
        }),
        { numRuns: 100 },
      );
      const err = scan(new PacketWriter(1).add(encodeErr({ code: 1146, sqlState: "42S02", message: "no table" })).take(), "prepare", deprecateEof, []);
      assert.equal(err.error?.code, 1146);
      assert.equal(err.prepared, undefined);
    });

    it(`COM_STMT_EXECUTE's binary rows (0x00 headers, NULL bitmaps of 0xFE/0xFF) scan as "query", DEPRECATE_EOF ${deprecateEof ? "on" : "off"}`, () => {
      fc.assert(
        fc.property(fc.nat(20), fc.array(fc.nat(500), { maxLength: 10 }), (rows, cuts) => {
          const flags = ServerStatus.AUTOCOMMIT | ServerStatus.IN_TRANS;
          const scanner = scan(binaryResultSet(rows, deprecateEof, flags), "query", deprecateEof, cuts);
          assert.equal(scanner.statusFlags, flags);
          assert.equal(scanner.resultSets, 1);
        }),
        { numRuns: 100 },
      );
    });
  }
});

describe("prepare and execute on real MariaDB bytes (a sandbox server)", () => {
  for (const deprecateEof of [false, true]) {
    it(`DEPRECATE_EOF ${deprecateEof ? "on" : "off"}`, async () => {
      const { host, port, user, password } = getTestBackends().servers.commerce!;
      const connection = await BackendConnection.connect(testNetwork, {
        address: { host, port, user, password, database: "commerce", options: {} },
        flavor: { capabilities: deprecateEof ? Capability.DEPRECATE_EOF : 0, collationId: 45 },
        connectTimeoutMs: 5000,
      });
      try {
        const sql = encodeUtf8("SELECT ? AS a, CONCAT(?, 'x') AS b, NULL AS c");
        const statement = await connection.prepare("k", sql);
        assert.deepEqual([statement.params, statement.columns], [2, 3]);
        assert.equal(await connection.prepare("k", sql), statement, "cached");
        const types = new ByteWriter().u16(ColumnType.LONGLONG).u16(ColumnType.VAR_STRING).finish();
        const values = new ByteWriter().u64(0xfefefefen).lenencString("y").finish();
        const chunks: Uint8Array[] = [];
        const execute = encodeExecute({ statementId: statement.id, flags: 0, iterationCount: 1, nullBitmap: Uint8Array.of(0), types, values }, 2);
        const summary = await connection.send(framePacket(execute, 0), "query", (chunk) => (chunks.push(chunk.slice()), true));
        assert.equal(summary.error, undefined);
        const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
        chunks.reduce((at, c) => (bytes.set(c, at), at + c.length), 0);
        fc.assert(fc.property(fc.array(fc.nat(bytes.length), { maxLength: 12 }), (cuts) => void scan(bytes, "query", deprecateEof, cuts)), { numRuns: 30 });
        await assert.rejects(connection.prepare("bad", encodeUtf8("SELECT FROM WHERE ?")), { code: 1064 });
        // COM_RESET_CONNECTION deallocates the server's statements, and the cache with them.
        await connection.simpleCommand(0x1f);
        assert.equal(connection.statements.size, 0);
        assert.notEqual((await connection.prepare("k", sql)).id, undefined);
      } finally {
        connection.close();
      }
    });
  }
});
