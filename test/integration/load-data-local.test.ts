/**
 * LOAD DATA through the gateway: `LOCAL INFILE` with `server.local_infile` on (mysql2's
 * infileStreamFactory, the `mariadb` CLI, the gateway's own protocol client for exact packets and
 * backpressure), refused with 3948 when it is off or the client did not ask for local files, 1235 on a
 * sharded keyspace; server-side `LOAD DATA INFILE` passes through to an unsharded keyspace.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import type { Connection, ResultSetHeader, RowDataPacket } from "mysql2/promise";
import { BackendConnection, commandPacket, type LocalInfileUpload, type ResponseSink } from "../../src/core/backend/backend-connection.ts";
import { decodeUtf8, encodeUtf8 } from "../../src/core/protocol/bytes.ts";
import { Capability, Command } from "../../src/core/protocol/constants.ts";
import { decodeErr } from "../../src/core/protocol/err-packet.ts";
import { decodeOk } from "../../src/core/protocol/ok-packet.ts";
import { PacketReader, type Packet } from "../../src/core/protocol/packet-reader.ts";
import { framePacket } from "../../src/core/protocol/packet-writer.ts";
import { connectDirect, startTestGateway, type TestGateway } from "../support/gateway.ts";
import { runtimeName, testNetwork } from "../support/runtime.ts";
import { runProgram } from "../support/run-program.ts";

const TABLE = "load_local_t";
const BIG = "load_local_big";
const COLUMNS = `(id INT PRIMARY KEY, name VARCHAR(64) NULL, note TEXT NULL, amount DECIMAL(12,2) NULL)`;

interface Row {
  id: number;
  name: string | null;
  note: string | null;
  amount: string | null;
}

const NAMES = ["o'brien", "tab\there", "new\nline", "back\\slash", '"quoted", with comma', "ünïcødé ✓ 😀", "\\N", "", null, "cr\rhere"];

function rowAt(id: number): Row {
  return {
    id,
    name: NAMES[id % NAMES.length]!,
    note: id % 7 === 3 ? null : `note ${id} `.repeat(1 + (id % 13)),
    amount: id % 5 === 0 ? null : (id * 1.25).toFixed(2),
  };
}

/** LOAD DATA's default format: tab-separated, backslash escapes, \N for NULL. */
function tsvField(value: string | null): string {
  if (value === null) return "\\N";
  return value.replace(/[\\\t\n\r\0]/g, (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0" })[c]!);
}

function tsvLine(row: Row): string {
  return `${row.id}\t${tsvField(row.name)}\t${tsvField(row.note)}\t${tsvField(row.amount)}\n`;
}

/** CSV as `FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' ESCAPED BY '\\'` reads it. */
function csvField(value: string | null): string {
  if (value === null) return "\\N";
  return `"${value.replace(/[\\"\n\r\0]/g, (c) => ({ "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\0": "\\0" })[c]!)}"`;
}

function csvLine(row: Row): string {
  return `${row.id},${csvField(row.name)},${csvField(row.note)},${csvField(row.amount)}\r\n`;
}

/** The file as a stream of Buffers of about 64 KiB (each becomes one of mysql2's packets). */
function fileStream(ids: readonly number[], line: (row: Row) => string): Readable {
  return Readable.from(
    (function* () {
      let chunk = "";
      for (const id of ids) {
        chunk += line(rowAt(id));
        if (chunk.length >= 64 * 1024) {
          yield Buffer.from(chunk);
          chunk = "";
        }
      }
      if (chunk !== "") yield Buffer.from(chunk);
    })(),
  );
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

async function tableRows(c: Connection, table = TABLE): Promise<Row[]> {
  const [rows] = await c.query<RowDataPacket[]>(`SELECT id, name, note, amount FROM ${table} ORDER BY id`);
  return rows.map((r) => ({ id: r.id, name: r.name, note: r.note, amount: r.amount }));
}

function assertRows(actual: readonly Row[], ids: readonly number[]): void {
  assert.equal(actual.length, ids.length, "row count");
  for (const [i, id] of ids.entries()) assert.deepEqual(actual[i], rowAt(id), `row ${i} (id ${id})`);
}



/** The gateway's own protocol client, asking for CLIENT_LOCAL_FILES (or not). */
function rawClient(gw: TestGateway, localFiles = true): Promise<BackendConnection> {
  return BackendConnection.connect(testNetwork, {
    address: { host: "127.0.0.1", port: gw.port, user: "app", password: "app-secret", database: "commerce", options: {} },
    flavor: { capabilities: Capability.DEPRECATE_EOF | (localFiles ? Capability.LOCAL_FILES : 0), collationId: 45 },
    connectTimeoutMs: 5000,
  });
}

/** A sink that keeps the response's packets and answers a LOCAL INFILE request with `upload`. */
function recordingSink(upload: (request: LocalInfileUpload) => Promise<void>): { sink: ResponseSink; packets: Packet[] } {
  const reader = new PacketReader();
  const packets: Packet[] = [];
  const sink: ResponseSink = Object.assign(
    (chunk: Uint8Array) => {
      reader.push(chunk.slice());
      for (let p = reader.next(); p; p = reader.next()) packets.push(p);
      return true;
    },
    { localInfile: upload },
  );
  return { sink, packets };
}

describe(`LOAD DATA LOCAL INFILE (${runtimeName})`, () => {
  let on: TestGateway;
  let off: TestGateway;
  let small: TestGateway;
  let direct: Connection;
  let dir: string;

  before(async () => {
    on = await startTestGateway((config) => {
      config.server = { ...(config.server as object | undefined), local_infile: true };
    });
    off = await startTestGateway();
    small = await startTestGateway((config) => {
      config.server = { ...(config.server as object | undefined), local_infile: true, max_allowed_packet: 1024 * 1024 };
    });
    direct = await connectDirect("commerce");
    await direct.query(`DROP TABLE IF EXISTS ${TABLE}, ${BIG}`);
    await direct.query(`CREATE TABLE ${TABLE} ${COLUMNS} DEFAULT CHARSET = utf8mb4`);
    await direct.query(`CREATE TABLE ${BIG} (id INT PRIMARY KEY, v VARCHAR(200) NOT NULL)`);
    dir = mkdtempSync(join(tmpdir(), "shardgate-load-"));
  });
  after(async () => {
    await direct.query(`DROP TABLE IF EXISTS ${TABLE}, ${BIG}`);
    await direct.end();
    rmSync(dir, { recursive: true, force: true });
    await Promise.all([on.close(), off.close(), small.close()]);
  });

  const clear = () => direct.query(`DELETE FROM ${TABLE}`);

  it("the backend has local_infile on (the sandbox starts MariaDB with --local-infile=1)", async () => {
    const [rows] = await direct.query<RowDataPacket[]>("SELECT @@local_infile AS v");
    assert.equal(Number(rows[0]!.v), 1);
  });

  it("mysql2: a file of several MB in many packets, with escapes, tabs, newlines, unicode and NULLs, loads row for row", async () => {
    await clear();
    const ids = range(1, 60_000);
    const c = await on.connect({ database: "commerce" });
    const names: string[] = [];
    const [result] = await c.query<ResultSetHeader>({
      sql: `LOAD DATA LOCAL INFILE 'rows.tsv' INTO TABLE ${TABLE} CHARACTER SET utf8mb4`,
      infileStreamFactory: (path: string) => {
        names.push(path);
        return fileStream(ids, tsvLine);
      },
    });
    assert.deepEqual(names, ["rows.tsv"], "the client is asked for the file the statement names");
    assert.equal(result.affectedRows, ids.length);
    assert.match(result.info, /Records: 60000\s+Deleted: 0\s+Skipped: 0\s+Warnings: 0/);
    const bytes = ids.reduce((n, id) => n + Buffer.byteLength(tsvLine(rowAt(id))), 0);
    assert.ok(bytes > 4_000_000, `the file is several MB (${bytes} bytes)`);
    assertRows(await tableRows(direct), ids);
    // The connection carries on.
    const [rows] = await c.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${TABLE}`);
    assert.equal(Number(rows[0]!.n), ids.length);
  });

  it("mysql2: CSV with enclosed fields, escaped quotes and \\N, CRLF lines", async () => {
    await clear();
    const ids = range(1, 500);
    const c = await on.connect({ database: "commerce" });
    const [result] = await c.query<ResultSetHeader>({
      sql:
        `LOAD DATA LOCAL INFILE '/no/such/dir/rows.csv' INTO TABLE ${TABLE} CHARACTER SET utf8mb4 ` +
        `FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' ESCAPED BY '\\\\' LINES TERMINATED BY '\\r\\n'`,
      infileStreamFactory: () => fileStream(ids, csvLine),
    });
    assert.equal(result.affectedRows, ids.length);
    assertRows(await tableRows(c), ids);
  });

  it("mysql2: inside a transaction rolled back, nothing stays; committed, it does", async () => {
    await clear();
    const c = await on.connect({ database: "commerce" });
    await c.query("BEGIN");
    const sql = `LOAD DATA LOCAL INFILE 'tx.tsv' INTO TABLE ${TABLE} CHARACTER SET utf8mb4`;
    const [loaded] = await c.query<ResultSetHeader>({ sql, infileStreamFactory: () => fileStream(range(1, 300), tsvLine) });
    assert.equal(loaded.affectedRows, 300);
    const [inside] = await c.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${TABLE}`);
    assert.equal(Number(inside[0]!.n), 300, "the transaction sees its rows");
    await c.query("ROLLBACK");
    assert.deepEqual(await tableRows(direct), [], "rolled back: nothing loaded");
    await c.query("BEGIN");
    await c.query({ sql, infileStreamFactory: () => fileStream(range(1, 300), tsvLine) });
    await c.query("COMMIT");
    assertRows(await tableRows(direct), range(1, 300));
  });

  it("mysql2: a LOAD DATA LOCAL inside a multi-statement batch, between other results", async () => {
    await clear();
    const c = await on.connect({ database: "commerce", multipleStatements: true });
    const [results] = await c.query<RowDataPacket[][]>({
      sql: `SELECT 1 AS one; LOAD DATA LOCAL INFILE 'b.tsv' INTO TABLE ${TABLE} CHARACTER SET utf8mb4; SELECT COUNT(*) AS n FROM ${TABLE}`,
      infileStreamFactory: () => fileStream(range(1, 1000), tsvLine),
    });
    assert.deepEqual(results[0], [{ one: 1 }]);
    assert.equal((results[1] as unknown as ResultSetHeader).affectedRows, 1000);
    assert.equal(Number(results[2]![0]!.n), 1000);
  });

  it("duplicates are skipped with warnings (LOCAL implies IGNORE); an error the server finds first comes back before any file", async () => {
    await clear();
    await direct.query(`INSERT INTO ${TABLE} (id) VALUES (5)`);
    const c = await on.connect({ database: "commerce" });
    const [result] = await c.query<ResultSetHeader>({
      sql: `LOAD DATA LOCAL INFILE 'dup.tsv' INTO TABLE ${TABLE} CHARACTER SET utf8mb4`,
      infileStreamFactory: () => fileStream(range(1, 2000), tsvLine),
    });
    assert.equal(result.affectedRows, 1999);
    assert.match(result.info, /Records: 2000\s+Deleted: 0\s+Skipped: 1\s+Warnings: 1/);
    const [warnings] = await c.query<RowDataPacket[]>("SHOW WARNINGS");
    assert.equal(warnings[0]!.Code, 1062);
    let asked = 0;
    await assert.rejects(
      c.query({ sql: "LOAD DATA LOCAL INFILE 'x.tsv' INTO TABLE no_such_table", infileStreamFactory: () => (asked++, fileStream([1], tsvLine)) }),
      { errno: 1146 },
    );
    assert.equal(asked, 0);
    const [rows] = await c.query<RowDataPacket[]>("SELECT 42 AS v");
    assert.deepEqual(rows, [{ v: 42 }]);
  });

  it("switch off: ER 3948 before the backend, nothing loaded, the client is never asked for a file, the connection stays usable", async () => {
    await clear();
    const c = await off.connect({ database: "commerce", multipleStatements: true });
    let asked = 0;
    const infileStreamFactory = () => {
      asked++;
      return fileStream(range(1, 10), tsvLine);
    };
    for (const sql of [
      `LOAD DATA LOCAL INFILE 'x.tsv' INTO TABLE ${TABLE}`,
      `load data low_priority local infile 'x.tsv' into table commerce.${TABLE}`,
      `/* leading comment */ LOAD /*!50000 DATA */ CONCURRENT LOCAL INFILE 'x.tsv' REPLACE INTO TABLE ${TABLE}`,
      `LOAD XML LOCAL INFILE 'x.xml' INTO TABLE ${TABLE}`,
      // In a batch, the whole batch is refused: the INSERT before it does not run either.
      `INSERT INTO ${TABLE} (id) VALUES (77); LOAD DATA LOCAL INFILE 'x.tsv' INTO TABLE ${TABLE}`,
    ]) {
      await assert.rejects(c.query({ sql, infileStreamFactory }), (error: { errno?: number; sqlState?: string; message: string }) => {
        assert.equal(error.errno, 3948, `${sql}: ${error.message}`);
        assert.equal(error.sqlState, "42000");
        assert.equal(error.message, "Loading local data is disabled; this must be enabled on both the client and server sides");
        return true;
      });
    }
    assert.equal(asked, 0);
    assert.deepEqual(await tableRows(direct), []);
    // Only the statement itself counts, not words in strings or comments.
    const [rows] = await c.query<RowDataPacket[]>("SELECT 'LOAD DATA LOCAL INFILE' AS ok /* LOAD DATA LOCAL INFILE 'x' */");
    assert.deepEqual(rows, [{ ok: "LOAD DATA LOCAL INFILE" }]);
  });

  it("switch on, but the client did not set CLIENT_LOCAL_FILES: ER 3948", async () => {
    const c = await on.connect({ database: "commerce", flags: ["-LOCAL_FILES"] });
    await assert.rejects(c.query(`LOAD DATA LOCAL INFILE 'x.tsv' INTO TABLE ${TABLE}`), { errno: 3948 });
    const [rows] = await c.query<RowDataPacket[]>("SELECT 1 AS ok");
    assert.deepEqual(rows, [{ ok: 1 }]);
  });

  it("a sharded keyspace refuses LOAD DATA, LOCAL or not, with ER 1235 naming why", async () => {
    const c = await on.connect({ database: "customer" });
    for (const sql of [
      "LOAD DATA LOCAL INFILE 'c.tsv' INTO TABLE customer",
      "LOAD DATA INFILE '/tmp/c.tsv' INTO TABLE customer",
    ]) {
      await assert.rejects(c.query({ sql, infileStreamFactory: () => fileStream(range(1, 3), tsvLine) }), (error: { errno?: number; message: string }) => {
        assert.equal(error.errno, 1235, error.message);
        assert.match(error.message, /LOAD DATA into sharded keyspace 'customer' is not supported: the gateway does not split a file's rows by vindex/);
        return true;
      });
    }
    const u = await on.connect({ database: "commerce" });
    await assert.rejects(u.query({ sql: "LOAD DATA LOCAL INFILE 'c.tsv' INTO TABLE customer.customer", infileStreamFactory: () => fileStream(range(1, 3), tsvLine) }), {
      errno: 1235,
    });
    const [rows] = await c.query<RowDataPacket[]>("SELECT 1 AS ok");
    assert.deepEqual(rows, [{ ok: 1 }]);
  });

  it("from a sharded keyspace's session, LOAD DATA into a table of an unsharded keyspace it names runs there", async () => {
    await clear();
    const c = await on.connect({ database: "customer" });
    const [result] = await c.query<ResultSetHeader>({
      sql: `LOAD DATA LOCAL INFILE 'q.tsv' INTO TABLE commerce.${TABLE} CHARACTER SET utf8mb4`,
      infileStreamFactory: () => fileStream(range(1, 50), tsvLine),
    });
    assert.equal(result.affectedRows, 50);
    assertRows(await tableRows(direct), range(1, 50));
  });

  it("server-side LOAD DATA INFILE (no LOCAL) passes through to the unsharded keyspace, switch on or off", async () => {
    const [priv] = await direct.query<RowDataPacket[]>("SELECT @@secure_file_priv AS p");
    const where = (priv[0]!.p as string | null) || dir;
    const path = join(where, `server-side-${process.pid}-${runtimeName}.tsv`);
    writeFileSync(path, range(1, 200).map((id) => tsvLine(rowAt(id))).join(""));
    try {
      for (const gw of [off, on]) {
        await clear();
        const c = await gw.connect({ database: "commerce" });
        const [result] = await c.query<ResultSetHeader>(`LOAD DATA INFILE ${c.escape(path)} INTO TABLE ${TABLE} CHARACTER SET utf8mb4`);
        assert.equal(result.affectedRows, 200);
        assertRows(await tableRows(direct), range(1, 200));
      }
    } finally {
      rmSync(path, { force: true });
    }
  });

  it("the mariadb CLI with --local-infile=1 loads a file; without it, or with the switch off, ER 3948", async () => {
    const found = await runProgram("sh", ["-c", "command -v mariadb || command -v mysql"]);
    assert.equal(found.status, 0, "the mariadb client is required (apt-get install mariadb-client)");
    const cli = found.stdout.trim();
    const path = join(dir, "cli.tsv");
    const ids = range(1, 3000);
    writeFileSync(path, ids.map((id) => tsvLine(rowAt(id))).join(""));
    const sql = `LOAD DATA LOCAL INFILE '${path}' INTO TABLE ${TABLE} CHARACTER SET utf8mb4; SELECT COUNT(*) FROM ${TABLE}`;
    const args = (gw: TestGateway, ...more: string[]) => ["-h127.0.0.1", `-P${gw.port}`, "-uapp", "-papp-secret", "--batch", "--skip-column-names", ...more, "commerce", "-e", sql];

    await clear();
    const loaded = await runProgram(cli, args(on, "--local-infile=1"));
    assert.equal(loaded.status, 0, loaded.stderr);
    assert.equal(loaded.stdout.trim(), String(ids.length));
    assertRows(await tableRows(direct), ids);

    await clear();
    for (const refused of [await runProgram(cli, args(off, "--local-infile=1")), await runProgram(cli, args(on, "--local-infile=0"))]) {
      assert.notEqual(refused.status, 0);
      assert.match(refused.stderr, /ERROR 3948 \(42000\) at line 1: Loading local data is disabled; this must be enabled on both the client and server sides/);
    }
    assert.deepEqual(await tableRows(direct), []);
  });

  it("raw client: sequence ids line up both ways over thousands of packets, and the final OK comes after the empty packet", async () => {
    await clear();
    const c = await rawClient(on);
    const ids = range(1, 5000);
    const lines = ids.map((id) => encodeUtf8(tsvLine(rowAt(id))));
    const { sink, packets } = recordingSink(async (upload) => {
      assert.equal(upload.sequenceId, 2, "the file starts right after the request (seq 1)");
      assert.equal(decodeUtf8(upload.fileName), "raw.tsv");
      let seq = upload.sequenceId;
      // One packet per line: > 256 packets, so the sequence ids wrap around several times.
      for (const line of lines) {
        if (!upload.write(framePacket(line, seq))) await upload.drained();
        seq = (seq + 1) & 0xff;
      }
      upload.write(framePacket(new Uint8Array(0), seq));
    });
    const summary = await c.send(commandPacket(Command.QUERY, encodeUtf8(`LOAD DATA LOCAL INFILE 'raw.tsv' INTO TABLE ${TABLE} CHARACTER SET utf8mb4`)), "query", sink);
    assert.equal(summary.error, undefined, summary.error?.message ?? "");
    assert.equal(packets.length, 2, "the LOCAL INFILE request, then the OK");
    assert.equal(packets[0]!.payload[0], 0xfb);
    assert.equal(packets[0]!.sequenceId, 1);
    assert.equal(packets[1]!.payload[0], 0x00);
    assert.equal(packets[1]!.sequenceId, (2 + lines.length + 1) & 0xff, "the OK follows the file's last (empty) packet");
    assert.equal(decodeOk(packets[1]!.payload).affectedRows, ids.length);
    assertRows(await tableRows(direct), ids);
    assert.deepEqual((await c.query("SELECT 7")).rows, [["7"]]);
    c.close();
  });

  it("raw client: a 50 MB file streams through with backpressure: a stalled backend stalls the client, not the gateway's memory", async () => {
    await direct.query(`DELETE FROM ${BIG}`);
    const total = 500_000;
    const blocked = 100_000;
    const value = (id: number) => `${id}:${"x".repeat(80 + (id % 17))}`;
    // Another transaction holds row `blocked` (about 10 MB into the file): the LOAD waits on its lock
    // there, and so stops reading the file.
    const holder = await connectDirect("commerce");
    await holder.query("BEGIN");
    await holder.query(`INSERT INTO ${BIG} VALUES (${blocked}, 'held')`);
    const c = await rawClient(on);
    let bytes = 0;
    let finished = false;
    const { sink } = recordingSink(async (upload) => {
      let seq = upload.sequenceId;
      let chunk = "";
      const flush = async () => {
        const payload = encodeUtf8(chunk);
        chunk = "";
        const frames = framePacket(payload, seq);
        seq = (seq + 1) & 0xff;
        const more = upload.write(frames);
        bytes += payload.length;
        if (!more) await upload.drained();
      };
      for (let id = 1; id <= total; id++) {
        chunk += `${id}\t${value(id)}\n`;
        if (chunk.length >= 16 * 1024) await flush();
      }
      if (chunk !== "") await flush();
      upload.write(framePacket(new Uint8Array(0), seq));
      finished = true;
    });
    const sent = c.send(commandPacket(Command.QUERY, encodeUtf8(`LOAD DATA LOCAL INFILE 'big.tsv' INTO TABLE ${BIG}`)), "query", sink);
    // Wait until the client can't write any more (no progress for a second).
    let stalledAt = -1;
    for (let last = -1, since = Date.now(), deadline = Date.now() + 30_000; Date.now() < deadline && !finished; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (bytes !== last) [last, since] = [bytes, Date.now()];
      else if (Date.now() - since >= 1000) {
        stalledAt = bytes;
        break;
      }
    }
    const reader = await connectDirect("commerce");
    await reader.query("SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED");
    const [progress] = await reader.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${BIG}`);
    await reader.end();
    await holder.query("ROLLBACK");
    await holder.end();
    const summary = await sent;
    assert.equal(summary.error, undefined, summary.error?.message ?? "");
    // Had the gateway read the file into memory, the client would have written all of it: it stalls
    // instead (about 20 MB in here: the 10 MB the backend took, and the sockets' buffers along the way).
    assert.ok(stalledAt > 0 && stalledAt < bytes, `the client stalled (at ${stalledAt} of ${bytes} bytes) before the end of the file`);
    assert.equal(Number(progress[0]!.n), blocked, "the rows before the locked one were in while the file was still coming");
    assert.ok(bytes > 50_000_000, `the file is over 50 MB (${bytes} bytes)`);
    const [rows] = await direct.query<RowDataPacket[]>(`SELECT COUNT(*) AS n, SUM(id) AS s, SUM(LENGTH(v)) AS l FROM ${BIG}`);
    let length = 0;
    for (let id = 1; id <= total; id++) length += value(id).length;
    assert.deepEqual([Number(rows[0]!.n), Number(rows[0]!.s), Number(rows[0]!.l)], [total, (total * (total + 1)) / 2, length]);
    const [sample] = await direct.query<RowDataPacket[]>(`SELECT id, v FROM ${BIG} WHERE id IN (1, ${blocked}, ${total}) ORDER BY id`);
    assert.deepEqual(
      sample.map((r) => [r.id, r.v]),
      [1, blocked, total].map((id) => [id, value(id)]),
    );
    c.close();
  });

  it("raw client: a file packet over max_allowed_packet gets ER 1153, the connection closes and nothing is loaded", async () => {
    await clear();
    const c = await rawClient(small);
    const closed = new Promise<void>((resolve) => (c.onClosed = () => resolve()));
    const { sink, packets } = recordingSink(async (upload) => {
      const line = encodeUtf8(tsvLine(rowAt(1)));
      upload.write(framePacket(line, upload.sequenceId));
      upload.write(framePacket(new Uint8Array(2 * 1024 * 1024).fill(0x41), (upload.sequenceId + 1) & 0xff));
      upload.write(framePacket(new Uint8Array(0), (upload.sequenceId + 2) & 0xff));
    });
    const outcome = await c.send(commandPacket(Command.QUERY, encodeUtf8(`LOAD DATA LOCAL INFILE 'big.tsv' INTO TABLE ${TABLE}`)), "query", sink).then(
      (summary) => summary.error,
      (error: Error) => error,
    );
    await closed;
    const err = packets.find((p) => p.payload[0] === 0xff);
    assert.ok(err, `an ERR packet reached the client (outcome: ${String(outcome)})`);
    assert.equal(decodeErr(err.payload).code, 1153);
    // The backend connection was dropped mid-file: the row sent before the big packet is not committed.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(await tableRows(direct), []);
    const again = await on.connect({ database: "commerce" });
    const [rows] = await again.query<RowDataPacket[]>("SELECT 1 AS ok");
    assert.deepEqual(rows, [{ ok: 1 }]);
  });

  it("a client that disconnects mid-file leaves nothing loaded", async () => {
    await clear();
    const c = await rawClient(on);
    const { sink } = recordingSink(async (upload) => {
      upload.write(framePacket(encodeUtf8(range(1, 100).map((id) => tsvLine(rowAt(id))).join("")), upload.sequenceId));
      await new Promise((resolve) => setTimeout(resolve, 100));
      c.destroy();
    });
    await assert.rejects(c.send(commandPacket(Command.QUERY, encodeUtf8(`LOAD DATA LOCAL INFILE 'cut.tsv' INTO TABLE ${TABLE} CHARACTER SET utf8mb4`)), "query", sink));
    const deadline = Date.now() + 5000;
    // The gateway closes its backend connection: the server aborts the statement and rolls it back.
    for (;;) {
      const [rows] = await direct.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE 'LOAD DATA LOCAL INFILE ''cut.tsv''%'`);
      if (Number(rows[0]!.n) === 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(await tableRows(direct), []);
  });
});
