/**
 * The sandbox the runner started is what the other integration tests assume: three MariaDB servers
 * reachable over TCP as `shardgate`, the example schema loaded, large packets allowed, and a
 * gateway config whose topology points at exactly these servers.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createConnection, type Connection, type RowDataPacket } from "mysql2/promise";
import { parse } from "yaml";
import { getTestBackend, getTestBackends, type TestBackend } from "../support/test-env.ts";

const SERVER_NAMES = ["commerce", "customer-80", "customer80-"];

async function withConnection<T>(backend: TestBackend, use: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await createConnection({
    host: backend.host,
    port: backend.port,
    user: backend.user,
    password: backend.password,
  });
  try {
    return await use(connection);
  } finally {
    await connection.end();
  }
}

async function rows(connection: Connection, sql: string): Promise<RowDataPacket[]> {
  const [result] = await connection.query<RowDataPacket[]>(sql);
  return result;
}

test("the sandbox has the three servers of the example layout", () => {
  assert.deepEqual(Object.keys(getTestBackends().servers).sort(), [...SERVER_NAMES].sort());
});

test("every server accepts the shardgate account over TCP", async () => {
  for (const name of SERVER_NAMES) {
    const backend = getTestBackend(name);
    assert.equal(backend.host, "127.0.0.1");
    const [row] = await withConnection(backend, (connection) => rows(connection, "SELECT CURRENT_USER() AS who"));
    assert.match(String(row?.who), /^shardgate@/, `${name}: connected as ${String(row?.who)}`);
  }
});

test("commerce.product has rows", async () => {
  const [row] = await withConnection(getTestBackend("commerce"), (connection) =>
    rows(connection, "SELECT COUNT(*) AS n, MIN(price) AS cheapest FROM commerce.product"),
  );
  assert.ok(Number(row?.n) > 0, `product has ${String(row?.n)} rows`);
  assert.ok(Number(row?.cheapest) > 0);
});

test("both customer shards have the customer and corder tables, empty", async () => {
  for (const name of ["customer-80", "customer80-"]) {
    const tables = await withConnection(getTestBackend(name), async (connection) => {
      const found = await rows(
        connection,
        "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'customer' ORDER BY table_name",
      );
      const [count] = await rows(connection, "SELECT COUNT(*) AS n FROM customer.customer");
      assert.equal(Number(count?.n), 0, `${name}: customer should start empty`);
      return found.map((row) => String(row.t));
    });
    assert.deepEqual(tables, ["corder", "customer"], name);
  }
});

test("max_allowed_packet is at least 32 MiB on every server", async () => {
  for (const name of SERVER_NAMES) {
    const [row] = await withConnection(getTestBackend(name), (connection) =>
      rows(connection, "SELECT @@GLOBAL.max_allowed_packet AS m"),
    );
    assert.ok(Number(row?.m) >= 32 * 1024 * 1024, `${name}: max_allowed_packet = ${String(row?.m)}`);
  }
});

test("the gateway config's topology points at the sandbox servers", () => {
  const { servers, configYaml } = getTestBackends();
  const config = parse(configYaml) as {
    topology: Record<string, Record<string, { primary: string }>>;
    vschema: Record<string, { sharded: boolean }>;
  };
  const expected: Array<[string, string, string, string]> = [
    ["commerce", "-", "commerce", "commerce"],
    ["customer", "-80", "customer-80", "customer"],
    ["customer", "80-", "customer80-", "customer"],
  ];
  for (const [keyspace, shard, serverName, database] of expected) {
    const primary = config.topology[keyspace]?.[shard]?.primary;
    assert.ok(primary !== undefined, `no primary for ${keyspace}/${shard}`);
    const url = new URL(primary);
    const server = servers[serverName];
    assert.ok(server !== undefined);
    assert.equal(url.protocol, "mysql:");
    assert.equal(Number(url.port), server.port, `${keyspace}/${shard} port`);
    assert.equal(decodeURIComponent(url.username), server.user);
    assert.equal(decodeURIComponent(url.password), server.password);
    assert.equal(url.pathname, `/${database}`);
  }
  assert.equal(config.vschema.commerce?.sharded, false);
  assert.equal(config.vschema.customer?.sharded, true);
});
