import type { RoutingSnapshot } from "../routing-snapshot.ts";
import { Counter, Gauge, Histogram, MetricsRegistry } from "./metrics.ts";
import type { StatementRecord } from "./plan-stats.ts";

/** The gateway's Prometheus metrics; live state (pools, clients, shard health) is read at scrape time. */
export class GatewayMetrics {
  readonly registry = new MetricsRegistry();
  private readonly queries: Counter;
  private readonly latency: Histogram;
  private readonly errors: Counter;
  private readonly planHit: { inc(): void };
  private readonly planMiss: { inc(): void };
  readonly reloads: Counter;
  private readonly statementSeries = new Map<string, { queries: { inc(): void }; latency: { observe(value: number): void } }>();

  constructor(snapshot: () => RoutingSnapshot, clientCount: () => number) {
    const r = this.registry;
    this.queries = r.register(new Counter("shardgate_queries_total", "Statements executed, by keyspace, plan type and outcome."));
    this.latency = r.register(new Histogram("shardgate_query_duration_seconds", "Statement latency at the gateway, by keyspace and plan type."));
    this.errors = r.register(new Counter("shardgate_errors_total", "Statements that failed, by MySQL error code."));
    this.planHit = r.register(new Counter("shardgate_plan_cache_hits_total", "Statements whose digest was already known.")).series({});
    this.planMiss = r.register(new Counter("shardgate_plan_cache_misses_total", "Statements with a new digest.")).series({});
    this.reloads = r.register(new Counter("shardgate_reloads_total", "Configuration changes applied or refused, by source and outcome."));
    r.register(new Gauge("shardgate_client_connections", "Client connections open now.", () => [{ labels: {}, value: clientCount() }]));
    const pools = () => snapshot().allPools().map((pool) => ({ pool, labels: { keyspace: pool.keyspace, shard: pool.shard.name } }));
    r.register(
      new Gauge("shardgate_pool_connections", "Backend connections per shard, by state.", () =>
        pools().flatMap(({ pool, labels }) => {
          const stats = pool.stats();
          return [
            { labels: { ...labels, state: "open" }, value: stats.open },
            { labels: { ...labels, state: "in_use" }, value: stats.inUse },
            { labels: { ...labels, state: "idle" }, value: stats.idle },
          ];
        }),
      ),
    );
    r.register(new Gauge("shardgate_pool_waiting", "Statements waiting for a backend connection, per shard.", () =>
      pools().map(({ pool, labels }) => ({ labels, value: pool.stats().waiting })),
    ));
    r.register(new Gauge("shardgate_pool_max_connections", "Backend connection limit per shard.", () =>
      pools().map(({ pool, labels }) => ({ labels, value: pool.options.maxConnections })),
    ));
    r.register(new Gauge("shardgate_shard_up", "1 when the shard's primary answers its health check, 0 when not.", () =>
      pools().map(({ pool, labels }) => ({ labels, value: pool.health.up === false ? 0 : 1 })),
    ));
  }

  observe(record: StatementRecord, knownDigest: boolean): void {
    const outcome = record.errorCode === undefined ? "ok" : "error";
    // Series handles are cached: building label keys on every statement would cost more than counting.
    const key = `${record.keyspace}\u0000${record.plan}\u0000${outcome}`;
    let series = this.statementSeries.get(key);
    if (!series) {
      const labels = { keyspace: record.keyspace, plan: record.plan };
      series = { queries: this.queries.series({ ...labels, outcome }), latency: this.latency.handle(labels) };
      this.statementSeries.set(key, series);
    }
    series.queries.inc();
    series.latency.observe(record.durationMs / 1000);
    if (record.errorCode !== undefined) this.errors.inc({ code: record.errorCode });
    (knownDigest ? this.planHit : this.planMiss).inc();
  }

  render(): string {
    return this.registry.render();
  }
}
