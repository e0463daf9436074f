/**
 * The response scanner on cursor responses: COM_STMT_EXECUTE with CURSOR_TYPE_READ_ONLY ("cursor") and
 * COM_STMT_FETCH ("fetch"), framed as MariaDB sends them with and without CLIENT_DEPRECATE_EOF, fed
 * whole and one byte at a time.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ByteWriter } from "../../src/core/protocol/bytes.ts";
import { encodeColumnDefinition } from "../../src/core/protocol/column-definition.ts";
import { ServerStatus } from "../../src/core/protocol/constants.ts";
import { encodeEof } from "../../src/core/protocol/eof-packet.ts";
import { encodeErr } from "../../src/core/protocol/err-packet.ts";
import { encodeOk } from "../../src/core/protocol/ok-packet.ts";
import { PacketWriter } from "../../src/core/protocol/packet-writer.ts";
import { ResponseScanner, type ResponseKind } from "../../src/core/protocol/response-scanner.ts";
import { textColumn } from "../../src/core/protocol/text-result.ts";

const { AUTOCOMMIT, CURSOR_EXISTS, LAST_ROW_SENT, IN_TRANS } = ServerStatus;

/** The end of a result set: EOF, or the OK headed 0xFE that replaces it under CLIENT_DEPRECATE_EOF. */
function terminator(deprecateEof: boolean, statusFlags: number): Uint8Array {
  return deprecateEof ? encodeOk({ statusFlags }, true) : encodeEof({ warnings: 0, statusFlags });
}

function binaryRow(id: number): Uint8Array {
  return new ByteWriter().u8(0).u8(0).u32(id).finish();
}

/** Column count and definitions, then (without CLIENT_DEPRECATE_EOF) the EOF that closes them. */
function metadata(w: PacketWriter, columns: number, deprecateEof: boolean, eofFlags: number): void {
  w.add(new ByteWriter().lenenc(columns).finish());
  for (let c = 0; c < columns; c++) w.add(encodeColumnDefinition(textColumn(`c${c}`)));
  if (!deprecateEof) w.add(encodeEof({ warnings: 0, statusFlags: eofFlags }));
}

/** Feeds `bytes` (then `extra`, which must not be taken) whole or byte by byte; returns the scanner. */
function scan(kind: ResponseKind, deprecateEof: boolean, bytes: Uint8Array, byteByByte: boolean): ResponseScanner {
  const scanner = new ResponseScanner(deprecateEof);
  scanner.begin(kind);
  const extra = Uint8Array.of(1, 0, 0, 9, 0xee);
  const all = new Uint8Array(bytes.length + extra.length);
  all.set(bytes);
  all.set(extra, bytes.length);
  if (byteByByte) {
    for (let i = 0; i < bytes.length; i++) {
      assert.equal(scanner.done, false, `done early, at byte ${i} of ${bytes.length}`);
      assert.equal(scanner.feed(all.subarray(i, i + 1)), 1);
    }
  } else {
    assert.equal(scanner.feed(all), bytes.length, "stops where the response ends");
  }
  assert.equal(scanner.done, true);
  return scanner;
}

for (const deprecateEof of [true, false]) {
  for (const byteByByte of [false, true]) {
    describe(`cursor responses (${deprecateEof ? "CLIENT_DEPRECATE_EOF" : "EOF packets"}, ${byteByByte ? "byte by byte" : "whole"})`, () => {
      it("an execute that opens a cursor ends after the definitions, with CURSOR_EXISTS", () => {
        const w = new PacketWriter(1);
        const flags = AUTOCOMMIT | CURSOR_EXISTS;
        metadata(w, 3, deprecateEof, flags);
        if (deprecateEof) w.add(terminator(true, flags));
        const scanner = scan("cursor", deprecateEof, w.take(), byteByByte);
        assert.equal(scanner.statusFlags, flags);
        assert.equal(scanner.error, undefined);
        assert.equal(scanner.resultSets, 1);
      });

      it("an execute that opens none (SHOW on MySQL, a statement without rows) answers in full", () => {
        const w = new PacketWriter(1);
        metadata(w, 2, deprecateEof, AUTOCOMMIT);
        for (let i = 0; i < 3; i++) w.add(binaryRow(i));
        w.add(terminator(deprecateEof, AUTOCOMMIT | IN_TRANS));
        assert.equal(scan("cursor", deprecateEof, w.take(), byteByByte).statusFlags, AUTOCOMMIT | IN_TRANS);

        const ok = new PacketWriter(1);
        ok.add(encodeOk({ affectedRows: 1, statusFlags: AUTOCOMMIT }));
        assert.equal(scan("cursor", deprecateEof, ok.take(), byteByByte).oks.length, 1);
      });

      it("a fetch: rows then the terminator, CURSOR_EXISTS or LAST_ROW_SENT; none at all; or ERR", () => {
        for (const [rows, flags] of [
          [3, AUTOCOMMIT | CURSOR_EXISTS],
          [1, AUTOCOMMIT | LAST_ROW_SENT],
          [0, AUTOCOMMIT | LAST_ROW_SENT],
        ] as const) {
          const w = new PacketWriter(1);
          for (let i = 0; i < rows; i++) w.add(binaryRow(i));
          w.add(terminator(deprecateEof, flags));
          const scanner = scan("fetch", deprecateEof, w.take(), byteByByte);
          assert.equal(scanner.statusFlags, flags);
          assert.equal(scanner.error, undefined);
        }
        const err = new PacketWriter(1);
        err.add(encodeErr({ code: 1421, sqlState: "HY000", message: "The statement (1) has no open cursor" }));
        assert.equal(scan("fetch", deprecateEof, err.take(), byteByByte).error?.code, 1421);
      });
    });
  }
}

describe("a plain execute's EOF after the definitions never ends it, whatever its flags", () => {
  it("CURSOR_EXISTS there (a stored procedure's cursor) is followed by the rows for kind query", () => {
    const w = new PacketWriter(1);
    metadata(w, 1, false, AUTOCOMMIT | CURSOR_EXISTS);
    w.add(binaryRow(1));
    w.add(terminator(false, AUTOCOMMIT));
    assert.equal(scan("query", false, w.take(), false).statusFlags, AUTOCOMMIT);
  });
});
