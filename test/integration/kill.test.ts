import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RowDataPacket } from "mysql2/promise";
import { parse, stringify } from "yaml";
import { parseConfig } from "../../src/core/config/load-config.ts";
import { Gateway } from "../../src/core/gateway.ts";
import { silentLogger } from "../../src/core/logger.ts";
import { testNetwork } from "../support/runtime.ts";
import { startTestGateway, type TestGateway } from "../support/gateway.ts";
import { getTestBackends } from "../support/test-env.ts";
import mysql from "mysql2/promise";

async function connectionId(c: mysql.Connection): Promise<number> {
  const [rows] = await c.query<RowDataPacket[]>("SELECT CONNECTION_ID() AS id");
  return Number(rows[0]!.id);
}

describe("KILL and failing shards", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway((config) => config.users.push({ user: "other", password: "other-secret" }));
  });
  after(() => gw.close());

  it("KILL QUERY stops the statement of a gateway connection id, not a backend thread", async () => {
    const victim = await gw.connect({ database: "commerce" });
    const killer = await gw.connect({ database: "commerce" });
    const id = await connectionId(victim);
    const started = Date.now();
    const sleeping = victim.query<RowDataPacket[]>("SELECT SLEEP(20) AS s");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await killer.query(`KILL QUERY ${id}`);
    // MariaDB reports the interrupted statement as ER_QUERY_INTERRUPTED, as it would to a direct client.
    await assert.rejects(sleeping, { errno: 1317 });
    assert.ok(Date.now() - started < 10_000);
    const [again] = await victim.query<RowDataPacket[]>("SELECT 2 AS two");
    assert.deepEqual(again, [{ two: 2 }]);
  });

  it("KILL closes another connection of the same user; other users and unknown ids are refused", async () => {
    const victim = await gw.connect({ database: "commerce" });
    const killer = await gw.connect({ database: "commerce" });
    const stranger = await gw.connect({ user: "other", password: "other-secret" });
    const id = await connectionId(victim);
    await assert.rejects(stranger.query(`KILL ${id}`), { errno: 1095, message: `You are not owner of thread ${id}` });
    await assert.rejects(killer.query("KILL 999999"), { errno: 1094, message: "Unknown thread id: 999999" });
    await killer.query(`KILL CONNECTION ${id}`);
    await assert.rejects(victim.query("SELECT 1"));
  });

  it("a shard that is down fails fast with an error naming it; the gateway and other keyspaces carry on", async () => {
    const raw = parse(getTestBackends().configYaml) as Record<string, Record<string, Record<string, Record<string, string>>>>;
    raw.listen = { mysql: "127.0.0.1:0" } as never;
    // A keyspace whose only backend refuses connections (nothing listens on port 9 of loopback).
    raw.topology!.broken = { "-": { primary: "mysql://shardgate:x@127.0.0.1:9/broken" } };
    raw.vschema!.broken = { sharded: false } as never;
    const config = parseConfig(stringify(raw), { env: {}, readFile: () => "", baseDir: "." });
    const gateway = await Gateway.start(config, { network: testNetwork, logger: silentLogger });
    const c = await mysql.createConnection({ host: "127.0.0.1", port: gateway.address.port, user: "app", password: "app-secret" });
    try {
      const started = Date.now();
      await assert.rejects(c.query("SELECT * FROM broken.t"), { errno: 1105, message: /shard broken\/- is unavailable/ });
      assert.ok(Date.now() - started < 3000);
      const [rows] = await c.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM commerce.product");
      assert.deepEqual(rows, [{ n: 4 }]);
    } finally {
      await c.end();
      await gateway.close();
    }
  });
});
