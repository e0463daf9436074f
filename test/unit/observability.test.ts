import assert from "node:assert/strict";
import { describe, it } from "node:test";
import parsePrometheus from "parse-prometheus-text-format";
import { Counter, Gauge, Histogram, MetricsRegistry } from "../../src/core/observability/metrics.ts";
import { PlanStats } from "../../src/core/observability/plan-stats.ts";
import { statementDigest } from "../../src/core/sql/digest.ts";

describe("statementDigest", () => {
  it("replaces values, normalizes keywords and spacing, collapses lists", () => {
    assert.equal(statementDigest("select c from sbtest1 where id=42"), "SELECT c FROM sbtest1 WHERE id = ?");
    assert.equal(statementDigest("SELECT  c\n FROM sbtest1 /* hint */ WHERE id = 'x' -- end"), "SELECT c FROM sbtest1 WHERE id = ?");
    assert.equal(statementDigest("SELECT * FROM t WHERE id IN (1, 2, 3) LIMIT 10"), "SELECT * FROM t WHERE id IN (?+) LIMIT ?");
    assert.equal(statementDigest("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, X'00')"), "INSERT INTO t (a, b) VALUES (?+)+");
    assert.equal(statementDigest("SELECT t.a FROM commerce.t AS t"), "SELECT t.a FROM commerce.t AS t");
    assert.notEqual(statementDigest("SELECT a FROM t"), statementDigest("SELECT b FROM t"));
  });
});

describe("PlanStats", () => {
  it("counts hits per digest and keyspace, keeps mean and p99, evicts the least recently used", () => {
    const stats = new PlanStats(2);
    const run = (digest: string, durationMs: number, keyspace = "ks") =>
      stats.record({ digest, keyspace, plan: "Passthrough", shards: ["ks/-"], durationMs, errorCode: undefined });
    assert.equal(run("A", 1), false);
    for (let i = 2; i <= 100; i++) assert.equal(run("A", i), true);
    run("B", 5);
    run("A", 1);
    run("C", 7); // evicts B, the least recently used
    const list = stats.list();
    assert.deepEqual(list.map((e) => e.digest), ["A", "C"]);
    const a = list[0]!;
    assert.equal(a.hits, 101);
    assert.equal(a.p99Ms, 99);
    assert.ok(Math.abs(a.meanMs - 5051 / 101) < 1e-9);
    stats.forgetKeyspaces(new Set(["ks"]));
    assert.deepEqual(stats.list(), []);
  });
});

describe("MetricsRegistry", () => {
  it("renders counters, gauges and histograms that a Prometheus parser reads back", () => {
    const registry = new MetricsRegistry();
    const counter = registry.register(new Counter("t_total", "A counter."));
    counter.inc({ keyspace: 'we"ird\\ks' }, 2);
    registry.register(new Gauge("t_gauge", "A gauge.", () => [{ labels: { shard: "-80" }, value: 3 }]));
    const histogram = registry.register(new Histogram("t_seconds", "A histogram.", [0.1, 1]));
    histogram.observe({ plan: "Route" }, 0.05);
    histogram.observe({ plan: "Route" }, 0.5);
    const families = parsePrometheus(registry.render());
    assert.deepEqual(families.find((f) => f.name === "t_total")!.metrics, [{ labels: { keyspace: 'we"ird\\ks' }, value: "2" }]);
    assert.deepEqual(families.find((f) => f.name === "t_gauge")!.metrics, [{ labels: { shard: "-80" }, value: "3" }]);
    const h = families.find((f) => f.name === "t_seconds")!.metrics[0]!;
    assert.deepEqual(h.buckets, { "0.1": "1", "1": "2", "+Inf": "2" });
  });
});
