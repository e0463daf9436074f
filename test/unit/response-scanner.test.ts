import { getTestBackends } from "../support/test-env.ts";
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";

import { BackendConnection, commandPacket } from "../../src/core/backend/backend-connection.ts";
import { decodeTextResult } from "../../src/core/backend/text-result-decoder.ts";
import { ByteWriter, encodeUtf8 } from "../../src/core/protocol/bytes.ts";
import { encodeColumnDefinition } from "../../src/core/protocol/column-definition.ts";
import { Capability, Command, MAX_PACKET_PAYLOAD, ServerStatus } from "../../src/core/protocol/constants.ts";
import { encodeEof } from "../../src/core/protocol/eof-packet.ts";
import { encodeErr, type ErrPacket } from "../../src/core/protocol/err-packet.ts";
import { encodeOk, type OkPacket } from "../../src/core/protocol/ok-packet.ts";
import { PacketWriter } from "../../src/core/protocol/packet-writer.ts";
import { ResponseScanner, type ResponseKind } from "../../src/core/protocol/response-scanner.ts";
import { encodeTextResultSet, encodeTextRow, textColumn, type TextValue } from "../../src/core/protocol/text-result.ts";
import { testNetwork } from "../support/runtime.ts";

const MORE = ServerStatus.MORE_RESULTS_EXISTS;

/** What a scanner must report once it reached the end of a response. */
interface Expected {
  kind: ResponseKind;
  bytes: Uint8Array;
  statusFlags: number;
  error: ErrPacket | undefined;
  oks: OkPacket[];
  resultSets: number;
  /** Bytes of the LOCAL INFILE request that opens the response (the scanner stops after it). */
  localInfile?: number;
}

type Step =
  | { type: "rows"; columns: number; rows: TextValue[][]; flags: number; warnings: number; errAfter?: number }
  | { type: "ok"; affectedRows: number | bigint; lastInsertId: number | bigint; flags: number; info: string }
  | { type: "err"; err: ErrPacket };

/** A COM_QUERY response: the steps chained with SERVER_MORE_RESULTS_EXISTS, as multi-statements are. */
function queryResponse(steps: readonly Step[], deprecateEof: boolean, previousFlags: number): Expected {
  const w = new PacketWriter(1);
  const out: Expected = { kind: "query", bytes: new Uint8Array(0), statusFlags: previousFlags, error: undefined, oks: [], resultSets: 0 };
  for (const [i, step] of steps.entries()) {
    if (step.type === "err") {
      w.add(encodeErr(step.err));
      out.error = step.err;
      break;
    }
    const flags = i < steps.length - 1 ? step.flags | MORE : step.flags & ~MORE;
    if (step.type === "ok") {
      const ok = { affectedRows: step.affectedRows, lastInsertId: step.lastInsertId, statusFlags: flags, warnings: 0, info: step.info };
      w.add(encodeOk(ok));
      out.oks.push(ok);
      out.statusFlags = flags;
      continue;
    }
    out.resultSets++;
    w.add(new ByteWriter().lenenc(step.columns).finish());
    for (let c = 0; c < step.columns; c++) w.add(encodeColumnDefinition(textColumn(`c${c}`)));
    // The EOF after the definitions carries other flags; the scanner must not take them as the final ones.
    if (!deprecateEof) w.add(encodeEof({ warnings: 9, statusFlags: flags | ServerStatus.QUERY_WAS_SLOW }));
    // An ERR may replace the rest of the rows (the statement failed while sending them).
    for (const row of step.rows.slice(0, step.errAfter)) w.add(encodeTextRow(row));
    if (step.errAfter !== undefined && step.errAfter < step.rows.length) {
      const err = { code: 1317, sqlState: "70100", message: "Query execution was interrupted" };
      w.add(encodeErr(err));
      out.error = err;
      break;
    }
    if (deprecateEof) {
      w.add(encodeOk({ statusFlags: flags, warnings: step.warnings }, true));
      out.oks.push({ affectedRows: 0, lastInsertId: 0, statusFlags: flags, warnings: step.warnings, info: "" });
    } else {
      w.add(encodeEof({ warnings: step.warnings, statusFlags: flags }));
    }
    out.statusFlags = flags;
  }
  out.bytes = w.take();
  return out;
}

function fieldListResponse(columns: number, deprecateEof: boolean, flags: number): Expected {
  const w = new PacketWriter(1);
  for (let c = 0; c < columns; c++) w.add(encodeColumnDefinition(textColumn(`f${c}`)));
  w.add(deprecateEof ? encodeOk({ statusFlags: flags }, true) : encodeEof({ warnings: 0, statusFlags: flags }));
  const oks = deprecateEof ? [{ affectedRows: 0, lastInsertId: 0, statusFlags: flags, warnings: 0, info: "" }] : [];
  return { kind: "field-list", bytes: w.take(), statusFlags: flags, error: undefined, oks, resultSets: 0 };
}

/**
 * Feeds the concatenated responses cut at `cuts`, starting the next response where `feed` says the
 * previous one ended, and checks each ends exactly at its last byte with the expected summary.
 */
function scanAll(responses: readonly Expected[], deprecateEof: boolean, cuts: readonly number[], useStartOffset: boolean): void {
  const total = responses.reduce((n, r) => n + r.bytes.length, 0);
  const stream = new Uint8Array(total);
  const ends: number[] = [];
  let at = 0;
  for (const r of responses) {
    stream.set(r.bytes, at);
    at += r.bytes.length;
    ends.push(at);
  }
  const points = [...new Set(cuts.map((c) => c % (total + 1)).filter((c) => c > 0 && c < total))].sort((a, b) => a - b);
  const scanner = new ResponseScanner(deprecateEof);
  let index = 0;
  scanner.begin(responses[0]!.kind);
  let chunkStart = 0;
  for (const chunkEnd of [...points, total]) {
    // Either a fresh chunk, or the whole buffer so far with a start offset (both forms of feed()).
    const chunk = useStartOffset ? stream.subarray(0, chunkEnd) : stream.slice(chunkStart, chunkEnd);
    const base = useStartOffset ? 0 : chunkStart;
    let from = chunkStart - base;
    for (;;) {
      const stop = scanner.feed(chunk, from) + base;
      const end = ends[index]!;
      if (scanner.awaitingFile) {
        // Stopped right after the request: the client's file goes out, then the statement's answer comes.
        const requestEnd = (index === 0 ? 0 : ends[index - 1]!) + (responses[index]!.localInfile ?? 0);
        assert.equal(stop, requestEnd, `response ${index} stops after its LOCAL INFILE request`);
        scanner.fileSent();
        from = stop - base;
        if (stop === chunkEnd) break;
        continue;
      }
      if (end > chunkEnd) {
        assert.equal(stop, chunkEnd, `response ${index} consumes the whole chunk ending at ${chunkEnd}`);
        assert.equal(scanner.done, false, `response ${index} must not end before byte ${end} (at ${chunkEnd})`);
        break;
      }
      assert.equal(scanner.done, true, `response ${index} must have ended at ${end} (fed up to ${chunkEnd})`);
      assert.equal(stop, end, `response ${index} ends at its last byte`);
      const want = responses[index]!;
      assert.equal(scanner.statusFlags, want.statusFlags, `status flags of response ${index}`);
      assert.deepEqual(scanner.error, want.error);
      assert.deepEqual(scanner.oks, want.oks);
      assert.equal(scanner.resultSets, want.resultSets);
      assert.equal(scanner.localInfileRequested, want.localInfile !== undefined);
      index++;
      if (index === responses.length) {
        assert.equal(chunkEnd, total);
        return;
      }
      scanner.begin(responses[index]!.kind);
      from = stop - base;
      if (stop === chunkEnd) break;
    }
    chunkStart = chunkEnd;
  }
  assert.fail(`scanner still waiting in response ${index}`);
}

const value: fc.Arbitrary<TextValue> = fc.oneof(
  fc.constant(null),
  fc.constant(""),
  fc.string({ maxLength: 6 }),
  fc.nat().map((n) => "v".repeat(250 + (n % 60))),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
);
const flags = fc.constantFrom(ServerStatus.AUTOCOMMIT, ServerStatus.IN_TRANS, ServerStatus.AUTOCOMMIT | ServerStatus.NO_INDEX_USED, 0);
const rowsStep: fc.Arbitrary<Step> = fc.integer({ min: 1, max: 4 }).chain((columns) =>
  fc.record({
    type: fc.constant("rows" as const),
    columns: fc.constant(columns),
    rows: fc.array(fc.array(value, { minLength: columns, maxLength: columns }), { maxLength: 5 }),
    flags,
    warnings: fc.nat(3),
    errAfter: fc.option(fc.nat(5), { nil: undefined, freq: 4 }),
  }),
);
const okStep: fc.Arbitrary<Step> = fc.record({
  type: fc.constant("ok" as const),
  affectedRows: fc.oneof(fc.nat(300), fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n })),
  lastInsertId: fc.oneof(fc.nat(0x1000000), fc.constant(Number.MAX_SAFE_INTEGER)),
  flags,
  info: fc.constantFrom("", "Records: 3  Duplicates: 0  Warnings: 0"),
});
/** A statement of a multi-statement batch that fails after the earlier ones produced results. */
const ERR_STEP: Step = { type: "err", err: { code: 1146, sqlState: "42S02", message: "Table 't' doesn't exist" } };

function singleResponse(kind: "ok" | "err" | "eof", previousFlags: number): Expected {
  const err = { code: 1045, sqlState: "28000", message: "denied" };
  const payload = kind === "ok" ? encodeOk({ statusFlags: 0x22, affectedRows: 1 }) : kind === "err" ? encodeErr(err) : encodeEof({ warnings: 0, statusFlags: 0x3 });
  const bytes = new PacketWriter(1).add(payload).take();
  const oks = kind === "ok" ? [{ affectedRows: 1, lastInsertId: 0, statusFlags: 0x22, warnings: 0, info: "" }] : [];
  const statusFlags = kind === "ok" ? 0x22 : kind === "eof" ? 0x3 : previousFlags;
  return { kind: "single", bytes, statusFlags, error: kind === "err" ? err : undefined, oks, resultSets: 0 };
}


function sandboxServer() {
  const { host, port, user, password } = getTestBackends().servers.commerce!;
  return { host, port, user, password };
}

describe("ResponseScanner over encoder-built responses", () => {
  it("ends exactly at the end of each response, whatever the chunking (property)", () => {
    const kinds = fc.array(
      fc.oneof(
        { weight: 5, arbitrary: fc.tuple(fc.constant("query" as const), fc.array(fc.oneof(rowsStep, okStep), { minLength: 1, maxLength: 3 }), fc.boolean()) },
        { weight: 1, arbitrary: fc.tuple(fc.constant("field-list" as const), fc.nat(4), fc.constant(false)) },
        { weight: 1, arbitrary: fc.tuple(fc.constant("single" as const), fc.constantFrom("ok" as const, "err" as const, "eof" as const), fc.constant(false)) },
      ),
      { minLength: 1, maxLength: 3 },
    );
    fc.assert(
      fc.property(fc.boolean(), kinds, fc.array(fc.nat(), { maxLength: 30 }), fc.boolean(), fc.boolean(), (deprecateEof, plan, cuts, oneByte, useStart) => {
        const responses: Expected[] = [];
        let previous = 0;
        for (const [kind, detail, trailingErr] of plan) {
          let r: Expected;
          if (kind === "query") {
            const steps = detail as Step[];
            r = queryResponse(trailingErr ? [...steps, ERR_STEP] : steps, deprecateEof, previous);
          } else if (kind === "field-list") {
            r = fieldListResponse(detail as number, deprecateEof, ServerStatus.AUTOCOMMIT);
          } else {
            r = singleResponse(detail as "ok" | "err" | "eof", previous);
          }
          responses.push(r);
          previous = r.statusFlags;
        }
        const total = responses.reduce((n, r) => n + r.bytes.length, 0);
        scanAll(responses, deprecateEof, oneByte ? Array.from({ length: total }, (_, i) => i) : cuts, useStart);
      }),
      { numRuns: 400 },
    );
  });

  it("scans the gateway's own result sets, LOCAL INFILE requests and errors", () => {
    for (const deprecateEof of [false, true]) {
      const own = encodeTextResultSet([textColumn("a"), textColumn("n", "integer")], [["x", 1], [null, 2]], { sequenceId: 1, deprecateEof, statusFlags: 2 });
      const ownOks = deprecateEof ? [{ affectedRows: 0, lastInsertId: 0, statusFlags: 2, warnings: 0, info: "" }] : [];
      const request = new PacketWriter(1).add(new ByteWriter().u8(0xfb).string("/tmp/data.csv").finish()).take();
      // The file went out as seq 2 (data) and 3 (the empty packet); the answer is seq 4.
      const loaded = { affectedRows: 2, lastInsertId: 0, statusFlags: 2, warnings: 0, info: "Records: 2  Deleted: 0  Skipped: 0  Warnings: 0" };
      const infile = new Uint8Array([...request, ...new PacketWriter(4).add(encodeOk(loaded)).take()]);
      scanAll(
        [
          { kind: "query", bytes: own, statusFlags: 2, error: undefined, oks: ownOks, resultSets: 1 },
          { kind: "query", bytes: infile, statusFlags: 2, error: undefined, oks: [loaded], resultSets: 0, localInfile: request.length },
          { kind: "field-list", bytes: new PacketWriter(1).add(encodeErr({ code: 1146, sqlState: "42S02", message: "no" })).take(), statusFlags: 2, error: { code: 1146, sqlState: "42S02", message: "no" }, oks: [], resultSets: 0 },
        ],
        deprecateEof,
        [3, 17, 40, 41, 42, 43],
        false,
      );
    }
  });
});

describe("ResponseScanner with rows of 16 MiB and more", () => {
  /** A one-column result whose first row is `valueLength` bytes of 0xFE behind its length prefix. */
  function bigRowResponse(valueLength: number, deprecateEof: boolean): Expected {
    const prefix = new ByteWriter().lenenc(valueLength).finish();
    const row = new Uint8Array(prefix.length + valueLength).fill(0xfe);
    row.set(prefix);
    const w = new PacketWriter(1).add(Uint8Array.of(1)).add(encodeColumnDefinition(textColumn("big")));
    if (!deprecateEof) w.add(encodeEof({ warnings: 0, statusFlags: 2 }));
    w.add(row).add(encodeTextRow(["after"]));
    w.add(deprecateEof ? encodeOk({ statusFlags: 2 }, true) : encodeEof({ warnings: 0, statusFlags: 2 }));
    const oks = deprecateEof ? [{ affectedRows: 0, lastInsertId: 0, statusFlags: 2, warnings: 0, info: "" }] : [];
    return { kind: "query", bytes: w.take(), statusFlags: 2, error: undefined, oks, resultSets: 1 };
  }

  /** [length, first payload byte] of each physical packet. */
  function packetsOf(bytes: Uint8Array): Array<[number, number | undefined]> {
    const out: Array<[number, number | undefined]> = [];
    for (let at = 0; at < bytes.length; ) {
      const length = bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
      out.push([length, length > 0 ? bytes[at + 4] : undefined]);
      at += 4 + length;
    }
    return out;
  }

  for (const deprecateEof of [false, true]) {
    it(`a row starting 0xFE (value of 2^24 bytes) and one of exactly 0xFFFFFF bytes, DEPRECATE_EOF ${deprecateEof ? "on" : "off"}`, () => {
      // 0x1000000-byte value: lenenc 0xFE + 8 bytes, so the row's first byte is 0xFE and its continuation
      // packet (10 bytes) starts with 0xFE too: neither may be taken for an EOF.
      const startsWithFe = bigRowResponse(0x1000000, deprecateEof);
      const rowAt = deprecateEof ? 2 : 3;
      assert.deepEqual(packetsOf(startsWithFe.bytes).slice(rowAt, rowAt + 2), [[MAX_PACKET_PAYLOAD, 0xfe], [10, 0xfe]]);
      // 0xFFFFFB-byte value: 4-byte prefix, row of exactly 0xFFFFFF bytes, ended by an empty packet.
      const exact = bigRowResponse(MAX_PACKET_PAYLOAD - 4, deprecateEof);
      assert.deepEqual(packetsOf(exact.bytes).slice(rowAt, rowAt + 2), [[MAX_PACKET_PAYLOAD, 0xfd], [0, undefined]]);
      fc.assert(
        fc.property(fc.array(fc.nat(), { maxLength: 8 }), (cuts) => scanAll([startsWithFe, exact], deprecateEof, cuts, false)),
        { numRuns: 4, examples: [[[]]] },
      );
      const decoded = decodeTextResult([startsWithFe.bytes], deprecateEof);
      assert.equal(decoded.rows.length, 2);
      assert.equal(decoded.rows[0]![0]!.length, 0x1000000);
      assert.deepEqual(decoded.rows[1], ["after"]);
    });
  }
});

describe("ResponseScanner and decodeTextResult on real MariaDB bytes (a sandbox server)", () => {
  for (const deprecateEof of [false, true]) {
    it(`DEPRECATE_EOF ${deprecateEof ? "on" : "off"}`, async () => {
      const connection = await BackendConnection.connect(testNetwork, {
        address: { ...sandboxServer(), database: "commerce", options: {} },
        flavor: { capabilities: deprecateEof ? Capability.DEPRECATE_EOF : 0, collationId: 45 },
        connectTimeoutMs: 5000,
      });
      const run = async (sql: string, kind: ResponseKind = "query", command: number = Command.QUERY) => {
        const chunks: Uint8Array[] = [];
        const summary = await connection.send(commandPacket(command, encodeUtf8(sql)), kind, (chunk) => {
          chunks.push(chunk.slice());
          return true;
        });
        const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
        chunks.reduce((at, c) => (bytes.set(c, at), at + c.length), 0);
        return { summary, chunks, bytes };
      };
      /** The real bytes again, in random chunkings, through a fresh scanner. */
      const rescan = (bytes: Uint8Array, kind: ResponseKind, check: (s: ResponseScanner) => void) =>
        fc.assert(
          fc.property(fc.array(fc.nat(bytes.length), { maxLength: 20 }), (cuts) => {
            const scanner = new ResponseScanner(deprecateEof);
            scanner.begin(kind);
            let start = 0;
            for (const end of [...new Set(cuts)].sort((a, b) => a - b).concat(bytes.length)) {
              if (end <= start) continue;
              const stop = scanner.feed(bytes.subarray(start, end));
              assert.equal(stop, end - start);
              assert.equal(scanner.done, end === bytes.length);
              start = end;
            }
            check(scanner);
          }),
          { numRuns: 30 },
        );
      const procedure = `commerce.shardgate_scanner_${deprecateEof ? 1 : 0}_${Date.now()}`;
      try {
        const many = await run("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 700) SELECT n, REPEAT('x', n), NULL FROM t");
        assert.equal(many.summary.error, undefined);
        assert.ok(many.chunks.length >= 1 && many.bytes.length > 245_000);
        const decoded = decodeTextResult(many.chunks, deprecateEof);
        assert.deepEqual(decoded.columns.map((c) => c.name), ["n", "REPEAT('x', n)", "NULL"]);
        assert.equal(decoded.rows.length, 700);
        decoded.rows.forEach((row, i) => assert.deepEqual(row, [String(i + 1), "x".repeat(i + 1), null]));
        rescan(many.bytes, "query", (s) => assert.equal(s.resultSets, 1));

        const users = await run("SELECT User FROM mysql.user WHERE User = 'shardgate' ORDER BY Host");
        assert.ok(decodeTextResult(users.chunks, deprecateEof).rows.some((row) => row[0] === "shardgate"));

        const failed = await run("SELECT * FROM no_such_table_shardgate");
        assert.equal(failed.summary.error?.code, 1146);
        rescan(failed.bytes, "query", (s) => assert.equal(s.error?.code, 1146));

        const fields = await run("product\0", "field-list", Command.FIELD_LIST);
        assert.equal(fields.summary.error, undefined);
        rescan(fields.bytes, "field-list", (s) => assert.equal(s.error, undefined));

        // Rows of exactly 0xFFFFFF bytes (empty trailing packet) and one byte more, within the server's 16 MiB max_allowed_packet.
        const exact = await run("SELECT REPEAT('a', 16777211) UNION ALL SELECT REPEAT('b', 16777212) UNION ALL SELECT 'c'");
        assert.equal(exact.summary.error, undefined);
        rescan(exact.bytes, "query", (s) => assert.equal(s.resultSets, 1));
        const exactRows = decodeTextResult(exact.chunks, deprecateEof).rows;
        assert.deepEqual(exactRows.map((r) => [r[0]?.length, r[0]?.[0]]), [[16777211, "a"], [16777212, "b"], [1, "c"]]);

        assert.equal((await run(`CREATE PROCEDURE ${procedure}() BEGIN SELECT 1 AS a; SELECT 'x' AS b, 2 AS c UNION ALL SELECT 'y', 3; END`)).summary.error, undefined);
        const call = await run(`CALL ${procedure}()`);
        assert.equal(call.summary.error, undefined);
        assert.equal(call.summary.statusFlags & MORE, 0);
        assert.deepEqual(decodeTextResult(call.chunks, deprecateEof).rows, [["1"]]);
        rescan(call.bytes, "query", (s) => {
          assert.equal(s.resultSets, 2);
          assert.equal(s.oks.at(-1)!.statusFlags & MORE, 0);
          assert.equal(s.oks.length, deprecateEof ? 3 : 1, "one OK per result with DEPRECATE_EOF, else only CALL's own");
        });
      } finally {
        await run(`DROP PROCEDURE IF EXISTS ${procedure}`).catch(() => undefined);
        connection.close();
      }
    });
  }
});
