import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import mysql, { type RowDataPacket } from "mysql2/promise";
import { parse, stringify } from "yaml";
import { findFreePort } from "../../src/sandbox/mariadb-server.ts";
import { spawnChild, type TestChild } from "../support/child-process.ts";
import { entrypoint, runtimeName, scriptCommand } from "../support/runtime.ts";
import { getTestBackends } from "../support/test-env.ts";

/** The entrypoint of the runtime running this file: node.ts under Node, bun.ts under Bun, deno.ts under Deno. */
function startCli(args: string[], env: Record<string, string> = {}): { child: TestChild; output: () => string; exited: Promise<number | null> } {
  const child = spawnChild(scriptCommand(entrypoint, args), env);
  return { child, output: child.output, exited: child.exited };
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe(`the ${runtimeName} entrypoint (${entrypoint})`, () => {
  const dir = mkdtempSync(join(tmpdir(), "shardgate-entry-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let port: number;
  let configPath: string;
  before(async () => {
    port = await findFreePort();
    const raw = parse(getTestBackends().configYaml) as Record<string, unknown>;
    raw.listen = { mysql: `127.0.0.1:${port}` };
    raw.shutdown_timeout_ms = 5000;
    configPath = join(dir, "gateway.yaml");
    writeFileSync(configPath, stringify(raw));
  });

  it("refuses an invalid config naming the path of the fault, with exit status 2", async () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "listen: { mysql: 127.0.0.1:1, bogus: 1 }\nusers:\n  - user: a\n    password: 5\ntopology: {}\nvschema: {}\n");
    const cli = startCli(["--config", bad]);
    assert.equal(await cli.exited, 2);
    assert.match(cli.output(), /listen\.bogus: unknown key/);
    assert.match(cli.output(), /users\[0\]\.password: expected a string/);
  });

  it("logs JSON lines, and on SIGTERM lets a running statement finish, refuses new clients, exits 0", async () => {
    const cli = startCli(["--config", configPath]);
    try {
      await waitFor(() => cli.output().includes('"msg":"listening for MySQL clients"'), "the gateway to listen").catch((error) => {
        throw new Error(`${error.message}; its output:\n${cli.output()}`);
      });
      const firstLine = cli.output().split("\n").find((line) => line.startsWith("{"))!;
      assert.deepEqual(Object.keys(JSON.parse(firstLine)).slice(0, 3), ["time", "level", "msg"]);
      const c = await mysql.createConnection({ host: "127.0.0.1", port, user: "app", password: "app-secret", database: "commerce" });
      const running = c.query<RowDataPacket[]>("SELECT SLEEP(1) AS slept, COUNT(*) AS n FROM product");
      await new Promise((resolve) => setTimeout(resolve, 200));
      cli.child.kill("SIGTERM");
      const [rows] = await running;
      assert.deepEqual(rows, [{ slept: 0, n: 4 }]);
      assert.equal(await cli.exited, 0);
      await assert.rejects(mysql.createConnection({ host: "127.0.0.1", port, user: "app", password: "app-secret" }));
      assert.match(cli.output(), /"msg":"gateway stopped"/);
      await c.end().catch(() => {});
    } finally {
      cli.child.kill("SIGKILL");
    }
  });

  it("serves the admin API on listen.admin and reloads the file on SIGHUP and POST /v1/reload", async () => {
    const adminPort = await findFreePort();
    const raw = parse(getTestBackends().configYaml) as Record<string, unknown>;
    raw.listen = { mysql: `127.0.0.1:${port}`, admin: `127.0.0.1:${adminPort}` };
    raw.admin = { token: "${TEST_ADMIN_TOKEN}" };
    const path = join(dir, "reloadable.yaml");
    const write = (comment: string) => writeFileSync(path, stringify({ ...raw, server: { version_comment: comment } }));
    write("first");
    const cli = startCli(["--config", path], { TEST_ADMIN_TOKEN: "t0k3n" });
    const comment = async () => {
      const c = await mysql.createConnection({ host: "127.0.0.1", port, user: "app", password: "app-secret" });
      const [rows] = await c.query<RowDataPacket[]>("SELECT @@version_comment AS v");
      await c.end();
      return rows[0]!.v;
    };
    try {
      await waitFor(() => cli.output().includes('"msg":"admin API listening"'), "the admin API");
      assert.equal(await comment(), "first");
      write("second");
      cli.child.kill("SIGHUP");
      await waitFor(() => cli.output().includes('"source":"SIGHUP"'), "the SIGHUP reload");
      assert.equal(await comment(), "second");
      writeFileSync(path, "listen: { mysql: 1 }\n");
      const reload = (token: string) => fetch(`http://127.0.0.1:${adminPort}/v1/reload`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
      assert.equal((await reload("wrong")).status, 401);
      const refused = await reload("t0k3n");
      assert.equal(refused.status, 400);
      assert.match(await refused.text(), /listen\.mysql/);
      assert.equal(await comment(), "second", "a refused reload leaves the running state untouched");
      write("third");
      assert.equal((await reload("t0k3n")).status, 200);
      assert.equal(await comment(), "third");
      const health = await fetch(`http://127.0.0.1:${adminPort}/healthz`);
      assert.equal(health.status, 200);
    } finally {
      cli.child.kill("SIGTERM");
      await cli.exited;
    }
  });

  it("with no --config starts the sandbox: real MariaDB shards, the gateway, and how to connect", async () => {
    const [mysqlPort, adminPort] = [await findFreePort(), await findFreePort()];
    const cli = startCli([], { SHARDGATE_SANDBOX_MYSQL_PORT: String(mysqlPort), SHARDGATE_SANDBOX_ADMIN_PORT: String(adminPort) });
    try {
      await waitFor(() => cli.output().includes("shardgate sandbox is up"), "the sandbox", 60_000).catch((error) => {
        throw new Error(`${error.message}; its output:\n${cli.output()}`);
      });
      assert.match(cli.output(), new RegExp(`mariadb -h127\\.0\\.0\\.1 -P${mysqlPort} -uapp -papp-secret commerce`));
      const c = await mysql.createConnection({ host: "127.0.0.1", port: mysqlPort, user: "app", password: "app-secret", database: "commerce" });
      const [rows] = await c.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM product");
      assert.deepEqual(rows, [{ n: 4 }]);
      const [databases] = await c.query<RowDataPacket[]>("SHOW DATABASES");
      assert.deepEqual(databases.map((row) => row.Database), ["commerce", "customer"]);
      await c.end();
      assert.equal((await fetch(`http://127.0.0.1:${adminPort}/readyz`)).status, 200);
      cli.child.kill("SIGINT");
      assert.equal(await cli.exited, 0);
      assert.match(cli.output(), /mariadbd pid \d+ stopped/);
    } finally {
      cli.child.kill("SIGKILL");
    }
  });
});
