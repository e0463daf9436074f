import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import mysql, { type RowDataPacket } from "mysql2/promise";
import { startMariaDbServer, type MariaDbServer } from "../../src/sandbox/mariadb-server.ts";
import { backendUrl } from "../../src/sandbox/sandbox.ts";
import { serveAdmin, type AdminClient } from "../support/admin.ts";
import { startTestGateway, type TestGateway } from "../support/gateway.ts";
import { runtimeName } from "../support/runtime.ts";
import { getTestBackends } from "../support/test-env.ts";

const TLS_DIR = resolve("test/fixtures/tls");
const CA_PATH = join(TLS_DIR, "ca.crt");
const CA = readFileSync(CA_PATH, "utf8");
const listenTls = (extra: Record<string, unknown> = {}) => ({
  mysql: "127.0.0.1:0",
  tls: { cert: join(TLS_DIR, "localhost.crt"), key: join(TLS_DIR, "localhost.key"), ...extra },
});
const run = promisify(execFile);

function expectError(promise: Promise<unknown>, code: number, sqlState: string, message?: RegExp) {
  return assert.rejects(promise, (error: { errno?: number; sqlState?: string; message: string }) => {
    assert.equal(error.errno, code, error.message);
    assert.equal(error.sqlState, sqlState);
    if (message) assert.match(error.message, message);
    return true;
  });
}

type Connections = { id: number; user: string | null; tls: boolean }[];

describe(`client TLS (${runtimeName})`, () => {
  let gw: TestGateway;
  let strict: TestGateway;
  let admin: AdminClient;
  before(async () => {
    [gw, strict] = await Promise.all([
      startTestGateway((config) => {
        config.listen = listenTls();
        config.server = { caching_sha2_full_auth: true };
      }),
      startTestGateway((config) => (config.listen = listenTls({ require: true }))),
    ]);
    admin = await serveAdmin(gw.gateway);
  });
  after(async () => {
    await admin.close();
    await Promise.all([gw.close(), strict.close()]);
  });

  it("mysql2 upgrades with the CA, authenticates (caching_sha2 full path, cleartext over TLS) and queries; /v1/connections says tls", async () => {
    const secure = await gw.connect({ database: "commerce", ssl: { ca: CA } });
    const plain = await gw.connect({ database: "commerce" });
    const [rows] = await secure.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM product");
    assert.ok(Number(rows[0]!.n) > 0);
    const listing = await admin.request("GET", "/v1/connections");
    assert.equal(listing.status, 200);
    const connections = listing.json as Connections;
    assert.deepEqual(connections.map((c) => c.tls).sort(), [false, true], "one TLS and one plain client");
    assert.ok(connections.every((c) => c.user === "app"));
    await plain.end();
  });

  it("large results and statements cross TLS intact (backpressure both ways)", async () => {
    const secure = await gw.connect({ database: "commerce", ssl: { ca: CA } });
    const [rows] = await secure.query<RowDataPacket[]>("SELECT REPEAT('abcd', 1048576) AS big");
    assert.equal(String(rows[0]!.big), "abcd".repeat(1048576));
    const sent = "0123456789".repeat(200_000);
    const [echo] = await secure.query<RowDataPacket[]>("SELECT LENGTH(?) AS n, MD5(?) AS h", [sent, sent]);
    const [local] = await secure.query<RowDataPacket[]>("SELECT MD5(REPEAT('0123456789', 200000)) AS h");
    assert.deepEqual([Number(echo[0]!.n), echo[0]!.h], [sent.length, local[0]!.h]);
    await secure.end();
  });

  it("concurrent upgrades each get their own session (the greeting's connection id is the one answered over TLS)", async () => {
    const clients = await Promise.all(Array.from({ length: 24 }, () => gw.connect({ ssl: { ca: CA } })));
    const ids = await Promise.all(
      clients.map(async (c) => Number((await c.query<RowDataPacket[]>("SELECT CONNECTION_ID() AS id"))[0][0]!.id)),
    );
    assert.deepEqual(ids, clients.map((c) => c.threadId));
    await Promise.all(clients.map((c) => c.end()));
  });

  it("caching_sha2 full path over TLS: a wrong password is 1045", async () => {
    await expectError(gw.connect({ password: "wrong", ssl: { ca: CA } }), 1045, "28000", /using password: YES/);
  });

  it("a client that doesn't trust the gateway's CA fails its TLS handshake", async () => {
    await assert.rejects(gw.connect({ ssl: { rejectUnauthorized: true } }));
  });

  it("require: true refuses a plain client with 3159 and accepts a TLS one", async () => {
    await expectError(
      strict.connect(),
      3159,
      "HY000",
      /^Connections using insecure transport are prohibited while --require_secure_transport=ON\.$/,
    );
    const secure = await strict.connect({ database: "commerce", ssl: { ca: CA } });
    const [rows] = await secure.query<RowDataPacket[]>("SELECT 1 + 1 AS two");
    assert.deepEqual(rows, [{ two: 2 }]);
  });

  it("the mariadb CLI with --ssl-verify-server-cert queries through the gateway; without TLS, require refuses it", async () => {
    const cli = (await run("sh", ["-c", "command -v mariadb || command -v mysql"])).stdout.trim();
    const base = ["-h127.0.0.1", "-uapp", "-papp-secret", "--batch", "commerce"];
    const { stdout } = await run(cli, [`-P${strict.port}`, "--ssl", `--ssl-ca=${CA_PATH}`, "--ssl-verify-server-cert", ...base, "-e", "SELECT COUNT(*) > 0 AS has_products FROM product"]);
    assert.equal(stdout, "has_products\n1\n");
    await assert.rejects(run(cli, [`-P${strict.port}`, "--skip-ssl", ...base, "-e", "SELECT 1"]), /3159/);
  });
});

describe(`backend TLS (${runtimeName})`, () => {
  const dir = mkdtempSync(join(tmpdir(), "shardgate-tls-"));
  let server: MariaDbServer;
  let gw: TestGateway;
  before(async () => {
    server = await startMariaDbServer({
      baseDir: dir,
      name: "tls",
      templateDir: getTestBackends().templateDir,
      extraArgs: [`--ssl-cert=${join(TLS_DIR, "localhost.crt")}`, `--ssl-key=${join(TLS_DIR, "localhost.key")}`, `--ssl-ca=${CA_PATH}`],
    });
    const c = await mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password });
    await c.query("CREATE DATABASE secure");
    await c.query("CREATE TABLE secure.t (id INT PRIMARY KEY)");
    await c.query("INSERT INTO secure.t VALUES (1), (2), (3)");
    await c.end();
    const commerce = getTestBackends().servers.commerce!;
    gw = await startTestGateway((config) => {
      config.pool = { connect_timeout_ms: 3000 };
      const topology = config.topology as Record<string, unknown>;
      const vschema = config.vschema as Record<string, unknown>;
      topology.secure = { "-": { primary: `${backendUrl(server, "secure")}?ssl-mode=VERIFY_CA&ssl-ca=${encodeURIComponent(CA_PATH)}` } };
      vschema.secure = { sharded: false };
      const plainUrl = `mysql://${encodeURIComponent(commerce.user)}:${encodeURIComponent(commerce.password)}@${commerce.host}:${commerce.port}/commerce`;
      topology.plain = { "-": { primary: `${plainUrl}?ssl-mode=REQUIRED` } };
      vschema.plain = { sharded: false };
    });
  });
  after(async () => {
    await gw?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("ssl-mode=VERIFY_CA: queries work and the backend session is encrypted (Ssl_cipher)", async () => {
    const c = await gw.connect({ database: "secure" });
    const [rows] = await c.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM t");
    assert.equal(Number(rows[0]!.n), 3);
    const [status] = await c.query<RowDataPacket[]>(
      "SELECT VARIABLE_VALUE AS v FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'Ssl_cipher'",
    );
    assert.equal(status.length, 1);
    assert.notEqual(String(status[0]!.v), "", "Ssl_cipher is set on the backend session");
  });

  it("ssl-mode=REQUIRED against a server without TLS: a clear error naming the shard", async () => {
    const c = await gw.connect({ database: "plain" });
    await assert.rejects(c.query("SELECT 1"), (error: Error) => {
      assert.match(error.message, /shard plain\/-/);
      assert.match(error.message, /does not support TLS.*ssl-mode=REQUIRED/);
      return true;
    });
  });
});
