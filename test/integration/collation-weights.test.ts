/**
 * The collation weight tables in src/core/collations, checked code point by code point against the
 * sandbox's MariaDB: WEIGHT_STRING() of every BMP character (and all 256 latin1 bytes) must be what
 * the gateway's tables say. On a mismatch the failure names the first differing code points and
 * writes a freshly encoded table next to the system temp dir, ready to paste into the data file.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import mysql, { type Connection, type RowDataPacket } from "mysql2/promise";
import { generalCiWeights } from "../../src/core/collations/general-ci.ts";
import { latin1SwedishCiWeights } from "../../src/core/collations/latin1.ts";
import { unicodeCiImplicitWeights, unicodeCiWeights } from "../../src/core/collations/unicode-ci.ts";
import { encodeWeightTable } from "../../src/core/collations/weight-table.ts";
import { getTestBackends } from "../support/test-env.ts";

async function connect(): Promise<Connection> {
  const backend = getTestBackends().servers.commerce;
  if (backend === undefined) throw new Error("the sandbox has no commerce server");
  return mysql.createConnection({ host: backend.host, port: backend.port, user: backend.user, password: backend.password });
}

/** The server's weights (16-bit units) of each BMP code point under `collation`. */
async function serverBmpWeights(connection: Connection, charset: string, collation: string): Promise<number[][]> {
  const [rows] = await connection.query<RowDataPacket[]>({
    sql: `SELECT seq, HEX(WEIGHT_STRING(CONVERT(CHAR(seq USING utf32) USING ${charset}) COLLATE ${collation}))
          FROM seq_0_to_65535 ORDER BY seq`,
    rowsAsArray: true,
  });
  assert.equal(rows.length, 0x10000);
  return rows.map((row) => {
    const hex = String(row[1]);
    const weights: number[] = [];
    for (let i = 0; i < hex.length; i += 4) weights.push(parseInt(hex.slice(i, i + 4), 16));
    return weights;
  });
}

function hexCp(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
}

function formatWeights(weights: readonly number[]): string {
  return weights.map((w) => w.toString(16).padStart(4, "0")).join(" ") || "(ignorable)";
}

/** Asserts the tables agree; on failure writes the server's table, encoded, for regeneration. */
function assertSameTable(
  label: string,
  server: number[][],
  ours: (cp: number) => readonly number[],
  isDefault: (cp: number, weights: readonly number[]) => boolean,
): void {
  const differences: string[] = [];
  for (let cp = 0; cp < server.length; cp++) {
    const expected = server[cp]!;
    const actual = ours(cp);
    if (expected.length !== actual.length || expected.some((w, k) => w !== actual[k])) {
      differences.push(`${hexCp(cp)}: server ${formatWeights(expected)}, gateway ${formatWeights(actual)}`);
    }
  }
  if (differences.length === 0) return;
  const file = join(tmpdir(), `shardgate-${label}-weights.txt`);
  writeFileSync(file, `${encodeWeightTable((cp) => server[cp]!, isDefault)}\n`);
  assert.fail(`${label}: ${differences.length} code points differ (server's table written to ${file}):\n${differences.slice(0, 20).join("\n")}`);
}

describe("collation weight tables match MariaDB's WEIGHT_STRING for every code point", () => {
  let connection: Connection;
  before(async () => {
    connection = await connect();
    await connection.query("USE mysql");
  });
  after(() => connection.end());

  it("utf8mb4_general_ci and utf8mb3_general_ci: one weight per BMP character", async () => {
    const table = generalCiWeights();
    for (const [charset, collation] of [
      ["utf8mb4", "utf8mb4_general_ci"],
      ["utf8mb3", "utf8mb3_general_ci"],
    ] as const) {
      const server = await serverBmpWeights(connection, charset, collation);
      assertSameTable(collation, server, (cp) => [table[cp]!], (cp, w) => w.length === 1 && w[0] === cp);
    }
  });

  it("utf8mb4_unicode_ci and utf8mb3_unicode_ci: UCA 4.0.0 primary weights, expansions and ignorables", async () => {
    for (const [charset, collation] of [
      ["utf8mb4", "utf8mb4_unicode_ci"],
      ["utf8mb3", "utf8mb3_unicode_ci"],
    ] as const) {
      const server = await serverBmpWeights(connection, charset, collation);
      const isImplicit = (cp: number, w: readonly number[]) => {
        const implicit = unicodeCiImplicitWeights(cp);
        return w.length === 2 && w[0] === implicit[0] && w[1] === implicit[1];
      };
      assertSameTable(collation, server, unicodeCiWeights, isImplicit);
    }
  });

  it("supplementary characters weigh 0xFFFD in utf8mb4_general_ci and utf8mb4_unicode_ci", async () => {
    const sample = [0x10000, 0x1d49c, 0x1f600, 0x1f389, 0x20000, 0x10fffd];
    for (const collation of ["utf8mb4_general_ci", "utf8mb4_unicode_ci"]) {
      const [rows] = await connection.query<RowDataPacket[]>({
        sql: sample.map((cp) => `SELECT HEX(WEIGHT_STRING(CONVERT(CHAR(${cp} USING utf32) USING utf8mb4) COLLATE ${collation}))`).join(" UNION ALL "),
        rowsAsArray: true,
      });
      assert.deepEqual(rows.map((row) => String(row[0])), sample.map(() => "FFFD"), collation);
    }
    assert.deepEqual(unicodeCiWeights(0x1f600), [0xfffd]);
  });

  it("latin1_swedish_ci: one weight per byte", async () => {
    const [rows] = await connection.query<RowDataPacket[]>({
      sql: "SELECT seq, HEX(WEIGHT_STRING(CHAR(seq USING latin1) COLLATE latin1_swedish_ci)) FROM seq_0_to_255 ORDER BY seq",
      rowsAsArray: true,
    });
    const server = rows.map((row) => parseInt(String(row[1]), 16));
    assert.deepEqual([...latin1SwedishCiWeights()], server);
  });
});
