import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RowDataPacket } from "mysql2/promise";
import parsePrometheus from "parse-prometheus-text-format";
import { serveAdmin, type AdminClient } from "../support/admin.ts";
import { startTestGateway, type TestGateway } from "../support/gateway.ts";
import { getTestBackends } from "../support/test-env.ts";

const TOKEN = "test-admin-token";

describe("admin API: auth, validation, secrets, observability", () => {
  let gw: TestGateway;
  let admin: AdminClient;
  before(async () => {
    gw = await startTestGateway((config) => {
      config.admin = { token: TOKEN };
    });
    admin = await serveAdmin(gw.gateway);
  });
  after(async () => {
    await admin.close();
    await gw.close();
  });

  it("serves /healthz, and /readyz with every shard up", async () => {
    assert.deepEqual((await admin.request("GET", "/healthz")).json, { status: "ok" });
    const ready = await admin.request("GET", "/readyz");
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.json.shards.map((s: { keyspace: string; shard: string; up: boolean }) => `${s.keyspace}/${s.shard}:${s.up}`).sort(), [
      "commerce/-:true",
      "customer/-80:true",
      "customer/80-:true",
    ]);
  });

  it("refuses changes without the right token (401) and changes nothing", async () => {
    const before = (await admin.request("GET", "/v1/topology")).text;
    const body = { primary: "mysql://x@127.0.0.1:1/commerce" };
    assert.equal((await admin.request("PUT", "/v1/topology/commerce/-", { body })).status, 401);
    assert.equal((await admin.request("PUT", "/v1/topology/commerce/-", { body, token: "wrong" })).status, 401);
    assert.equal((await admin.request("POST", "/v1/reload")).status, 401);
    assert.equal((await admin.request("PUT", "/v1/vschema/commerce", { body: { sharded: false } })).status, 401);
    assert.equal((await admin.request("GET", "/v1/topology")).text, before);
  });

  it("refuses a bad body with the exact path of each fault, JSON or YAML, and keeps the running state", async () => {
    const bad = await admin.request("PUT", "/v1/topology/commerce/-", { token: TOKEN, body: { primary: 5, extra: true } });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json.issues.map((i: { path: string; message: string }) => `${i.path}: ${i.message}`).sort(), [
      'topology.commerce["-"].extra: unknown key',
      'topology.commerce["-"].primary: expected a string',
    ]);
    const yaml = await admin.request("PUT", "/v1/vschema/customer", { token: TOKEN, yaml: "sharded: true\nvindexes: { h: { type: hash } }\ntables:\n  customer: { column_vindexes: [{ column: id, name: nope }] }\n" });
    assert.equal(yaml.status, 400);
    assert.match(yaml.text, /vschema\.customer\.tables\.customer\.column_vindexes\[0\]\.name/);
    const validate = await admin.request("POST", "/v1/vschema/validate", { body: { commerce: { sharded: false } } });
    assert.equal(validate.status, 400, "the dry run sees that keyspace customer would lose its vschema");
    const c = await gw.connect({ database: "commerce" });
    const [rows] = await c.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM product");
    assert.deepEqual(rows, [{ n: 4 }]);
  });

  it("never shows backend passwords", async () => {
    const password = getTestBackends().servers.commerce!.password;
    const c = await gw.connect({ database: "commerce" });
    await c.query("SELECT 1");
    for (const path of ["/v1/topology", "/v1/vschema", "/v1/plans", "/v1/connections", "/metrics", "/readyz"]) {
      const response = await admin.request("GET", path);
      assert.equal(response.status, 200, path);
      assert.ok(!response.text.includes(password), `${path} leaks the backend password`);
    }
    assert.match((await admin.request("GET", "/v1/topology")).json.commerce["-"].primary, /^mysql:\/\/shardgate:\*\*\*\*@127\.0\.0\.1:\d+\/commerce$/);
  });

  it("reports plans, connections and Prometheus metrics", async () => {
    const c = await gw.connect({ database: "commerce" });
    for (let id = 0; id < 5; id++) await c.query(`SELECT sku FROM product WHERE price > ${id}`);
    await assert.rejects(c.query("SELECT * FROM no_such_table"), { errno: 1146 });
    await c.query("BEGIN");
    await c.query("SELECT 1");

    const plans = (await admin.request("GET", "/v1/plans")).json as { digest: string; hits: number; p99Ms: number; shards: string[]; plan: string }[];
    const plan = plans.find((p) => p.digest === "SELECT sku FROM product WHERE price > ?");
    assert.ok(plan, JSON.stringify(plans));
    assert.equal(plan.hits, 5);
    assert.equal(plan.plan, "Passthrough");
    assert.deepEqual(plan.shards, ["commerce/-"]);
    assert.ok(plan.p99Ms > 0);

    const connections = (await admin.request("GET", "/v1/connections")).json as { user: string; keyspace: string; inTransaction: boolean }[];
    assert.ok(connections.some((s) => s.user === "app" && s.keyspace === "commerce" && s.inTransaction));
    await c.query("ROLLBACK");

    const families = parsePrometheus((await admin.request("GET", "/metrics")).text);
    const family = (name: string) => families.find((f) => f.name === name)!;
    const ok = family("shardgate_queries_total").metrics.find((m) => m.labels?.keyspace === "commerce" && m.labels.plan === "Passthrough" && m.labels.outcome === "ok");
    assert.ok(Number(ok?.value) >= 6);
    assert.ok(family("shardgate_errors_total").metrics.some((m) => m.labels?.code === "1146"));
    assert.ok(family("shardgate_query_duration_seconds").metrics.length > 0);
    assert.ok(family("shardgate_pool_connections").metrics.some((m) => m.labels?.shard === "-" && m.labels.state === "open"));
    assert.ok(Number(family("shardgate_client_connections").metrics[0]!.value) >= 1);
    assert.ok(Number(family("shardgate_plan_cache_hits_total").metrics[0]!.value) >= 4);
    assert.equal(family("shardgate_shard_up").metrics.length, 3);
  });
});
