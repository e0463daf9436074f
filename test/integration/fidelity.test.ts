import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { BackendConnection, commandPacket } from "../../src/core/backend/backend-connection.ts";
import { encodeUtf8 } from "../../src/core/protocol/bytes.ts";
import { Capability, Command } from "../../src/core/protocol/constants.ts";
import { testNetwork } from "../support/runtime.ts";
import { connectDirect, startTestGateway, type TestGateway } from "../support/gateway.ts";
import { getTestBackends } from "../support/test-env.ts";

const TYPES_TABLE = `CREATE TABLE IF NOT EXISTS fidelity_types (
  id INT PRIMARY KEY AUTO_INCREMENT,
  t TINYINT, tu TINYINT UNSIGNED, s SMALLINT, m MEDIUMINT, i INT UNSIGNED, b BIGINT, bu BIGINT UNSIGNED,
  d DECIMAL(20,6), f FLOAT, dbl DOUBLE, bits BIT(10), yr YEAR,
  dt DATE, tm TIME(3), dtm DATETIME(6), ts TIMESTAMP NULL,
  c CHAR(5), vc VARCHAR(100), vb VARBINARY(50), bin BINARY(4), tx TEXT, bl BLOB,
  e ENUM('a','b'), st SET('x','y'), j JSON, lat1 VARCHAR(10) CHARACTER SET latin1, n INT NOT NULL DEFAULT 7
)`;
const ROWS = `INSERT INTO fidelity_types
  (t, tu, s, m, i, b, bu, d, f, dbl, bits, yr, dt, tm, dtm, ts, c, vc, vb, bin, tx, bl, e, st, j, lat1) VALUES
  (-128, 255, -32768, 8388607, 4294967295, -9223372036854775808, 18446744073709551615, -12345678901234.123456,
   3.25, -1.5e300, b'1010101010', 2024, '2024-02-29', '-838:59:59.999', '2024-02-29 23:59:59.999999',
   '2038-01-19 03:14:07', 'ab', 'Émile 🚀 ''quoted''', X'00FF10', X'01020304', REPEAT('long text ', 100), X'DEADBEEF00',
   'b', 'x,y', '{"k": [1, 2.5, null, "v"]}', 'café'),
  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '', X'', NULL,
   '', X'', NULL, '', NULL, NULL)`;

/**
 * Real clients compare without the JSON column: straight to MariaDB they ask for MariaDB's extended
 * metadata (JSON marked as such); the gateway presents itself as MySQL, so they get what any MySQL-protocol
 * client gets from MariaDB, a LONGTEXT. The byte-level comparisons above include it.
 */
const ALL_BUT_JSON = "id, t, tu, s, m, i, b, bu, d, f, dbl, bits, yr, dt, tm, dtm, ts, c, vc, vb, bin, tx, bl, e, st, lat1, n";

async function rawResponse(port: number, user: string, password: string, sql: string, capabilities: number): Promise<Uint8Array> {
  const connection = await BackendConnection.connect(testNetwork, {
    address: { host: "127.0.0.1", port, user, password, database: "commerce", options: {} },
    flavor: { capabilities, collationId: 45 },
    connectTimeoutMs: 5000,
  });
  const chunks: Uint8Array[] = [];
  await connection.send(commandPacket(Command.QUERY, encodeUtf8(sql)), "query", (chunk) => {
    chunks.push(chunk.slice());
    return true;
  });
  connection.close();
  return Buffer.concat(chunks);
}

describe("result fidelity: through the gateway as straight from MariaDB", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
    const direct = await connectDirect("commerce");
    await direct.query("DROP TABLE IF EXISTS fidelity_types");
    await direct.query(TYPES_TABLE);
    await direct.query(ROWS);
    await direct.end();
  });
  after(() => gw.close());

  const queries = [
    "SELECT * FROM fidelity_types ORDER BY id",
    "SELECT id, d * 2 AS doubled, CONCAT(vc, '!') AS shout, NULL AS nothing, 1e3 AS sci, _utf8mb4'abc' AS intro FROM fidelity_types ORDER BY id",
    "SELECT COUNT(*), SUM(i), AVG(t), MAX(dtm) FROM fidelity_types",
    "UPDATE fidelity_types SET n = n + 1 WHERE id > 0",
    "SHOW WARNINGS",
    "SELECT * FROM fidelity_types WHERE 1 = 0",
  ];
  for (const flags of [Capability.DEPRECATE_EOF, 0, Capability.FOUND_ROWS]) {
    it(`is byte for byte what MariaDB sent (client capabilities 0x${flags.toString(16)})`, async () => {
      const backend = getTestBackends().servers.commerce!;
      for (const sql of queries) {
        const expected = await rawResponse(backend.port, backend.user, backend.password, sql, flags);
        const actual = await rawResponse(gw.port, "app", "app-secret", sql, flags);
        assert.equal(Buffer.from(actual).toString("hex"), Buffer.from(expected).toString("hex"), sql);
      }
    });
  }

  it("mysql2 decodes the same rows and field metadata", async (t) => {
    const options = { supportBigNumbers: true, bigNumberStrings: true, dateStrings: true };
    const viaGateway = await gw.connect({ database: "commerce", ...options });
    const direct = await connectDirect("commerce", options);
    t.after(() => direct.end());
    const sql = `SELECT ${ALL_BUT_JSON} FROM fidelity_types ORDER BY id`;
    const [rowsA, fieldsA] = await viaGateway.query(sql);
    const [rowsB, fieldsB] = await direct.query(sql);
    assert.deepEqual(rowsA, rowsB);
    const metadata = (fields: typeof fieldsA) =>
      fields.map((f) => [f.name, f.orgName, f.table, f.orgTable, f.db, f.characterSet, f.columnLength, f.columnType, f.flags, f.decimals]);
    assert.deepEqual(metadata(fieldsA), metadata(fieldsB));
  });

  it("the mariadb command-line client prints the same through the gateway", async () => {
    const run = promisify(execFile);
    // .ci/run installs mariadb-client with the server, so the client is required, not optional.
    const cli = (await run("sh", ["-c", "command -v mariadb || command -v mysql"])).stdout.trim();
    const backend = getTestBackends().servers.commerce!;
    const args = (port: number, user: string, password: string, sql: string) =>
      ["-h127.0.0.1", `-P${port}`, `-u${user}`, `-p${password}`, "--column-type-info", "--table", "commerce", "-e", sql];
    const sql = `SELECT ${ALL_BUT_JSON} FROM fidelity_types ORDER BY id; UPDATE fidelity_types SET n = n WHERE id = 1; SELECT LENGTH(bl) FROM fidelity_types`;
    const viaGateway = await run(cli, args(gw.port, "app", "app-secret", sql));
    const direct = await run(cli, args(backend.port, backend.user, backend.password, sql));
    assert.equal(viaGateway.stdout, direct.stdout);
    assert.match(viaGateway.stdout, /Type:\s+LONGLONG/);
    const own = await run(cli, args(gw.port, "app", "app-secret", "SELECT @@version_comment; SHOW DATABASES LIKE 'comm%'"));
    assert.match(own.stdout, /@@version_comment[\s\S]*\| shardgate/);
    assert.match(own.stdout, /Database \(comm%\)[\s\S]*commerce/);
  });
});
