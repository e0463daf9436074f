import { RsaKeyPair } from "./auth/rsa.ts";
import { ConfigError } from "./config/config-error.ts";
import type { Config } from "./config/types.ts";
import { GatewayMetrics } from "./observability/gateway-metrics.ts";
import { PlanStats, type StatementRecord } from "./observability/plan-stats.ts";
import { MySqlError } from "./errors.ts";
import type { Logger } from "./logger.ts";
import { encodeErr } from "./protocol/err-packet.ts";
import { framePacket } from "./protocol/packet-writer.ts";
import { RoutingSnapshot } from "./routing-snapshot.ts";
import { ClientConnection } from "./server/client-connection.ts";
import type { ServerContext } from "./server/server-context.ts";
import { UserDirectory } from "./server/user-directory.ts";
import type { ByteSocket, Network, SocketListener } from "./socket.ts";

export interface GatewayRuntime {
  network: Network;
  logger: Logger;
  /** Re-reads the configuration from where it came from (`POST /v1/reload`, SIGHUP). */
  loadConfig?: () => Promise<Config>;
}

export interface ShardStatus {
  keyspace: string;
  shard: string;
  up: boolean;
  error: string | undefined;
  since: string;
}

/** The MySQL front end: accepts clients, holds the routing snapshot and the backend pools. */
export class Gateway implements ServerContext {
  readonly logger: Logger;
  private readonly clients = new Set<ClientConnection>();
  private listener: SocketListener | undefined;
  private nextConnectionId = 1;
  private keyPair: Promise<RsaKeyPair> | undefined;
  private closing = false;
  private healthTimer: ReturnType<typeof setTimeout> | undefined;
  /** Reloads run one at a time, each validated against the state the previous one left. */
  private reconfiguring: Promise<unknown> = Promise.resolve();
  readonly plans = new PlanStats();
  readonly metrics: GatewayMetrics;

  private constructor(
    private readonly runtime: GatewayRuntime,
    private current: RoutingSnapshot,
    private userDirectory: UserDirectory,
  ) {
    this.logger = runtime.logger;
    this.metrics = new GatewayMetrics(() => this.current, () => this.clients.size);
  }

  static async start(config: Config, runtime: GatewayRuntime): Promise<Gateway> {
    checkServerTls(config, runtime.network);
    const gateway = new Gateway(runtime, RoutingSnapshot.build(config, runtime.network, runtime.logger), await UserDirectory.build(config.users));
    const { host, port } = config.listen.mysql;
    gateway.listener = await runtime.network.listen(host, port, (socket) => gateway.accept(socket));
    runtime.logger.info("listening for MySQL clients", { host: gateway.listener.host, port: gateway.listener.port });
    gateway.scheduleHealthChecks();
    return gateway;
  }

  get address(): { host: string; port: number } {
    return { host: this.listener!.host, port: this.listener!.port };
  }

  get connections(): ReadonlySet<ClientConnection> {
    return this.clients;
  }

  client(connectionId: number): ClientConnection | undefined {
    for (const client of this.clients) if (client.connectionId === connectionId) return client;
    return undefined;
  }

  observe(record: StatementRecord): void {
    this.metrics.observe(record, this.plans.record(record));
  }

  /**
   * Swaps in a new configuration, validated whole beforehand (`configFromTree`). Statements already
   * running finish on the snapshot they started with; the next ones use the new one. Pools of shards
   * the change leaves alone are kept; the others drain (open transactions finish on them) and close.
   */
  reconfigure(config: Config, source: string): Promise<void> {
    const run = this.reconfiguring.then(() => this.swap(config, source));
    this.reconfiguring = run.catch(() => {});
    return run;
  }

  /** Re-reads the configuration file and applies it. */
  async reload(source: string): Promise<void> {
    if (!this.runtime.loadConfig) throw new ConfigError([{ path: "(root)", message: "this gateway has no config file to reload" }]);
    let config: Config;
    try {
      config = await this.runtime.loadConfig();
    } catch (error) {
      this.metrics.reloads.inc({ source, outcome: "refused" });
      throw error;
    }
    await this.reconfigure(config, source);
  }

  /** Each shard's health as last checked; `probe` checks them all now first. */
  async shardStatus(probe: boolean): Promise<ShardStatus[]> {
    const pools = this.current.allPools();
    if (probe) await Promise.all(pools.map((pool) => pool.check()));
    return pools.map((pool) => ({
      keyspace: pool.keyspace,
      shard: pool.shard.name,
      up: pool.health.up !== false,
      error: pool.health.error,
      since: new Date(pool.health.since).toISOString(),
    }));
  }

  private async swap(config: Config, source: string): Promise<void> {
    const previous = this.current;
    // listen.tls may change (new clients get the new certificate); the addresses can't.
    const listen = (c: Config) => JSON.stringify([c.listen.mysql, c.listen.admin]);
    if (listen(config) !== listen(previous.config)) {
      this.metrics.reloads.inc({ source, outcome: "refused" });
      throw new ConfigError([{ path: "listen", message: "listen addresses can't change while running; restart the gateway" }]);
    }
    try {
      checkServerTls(config, this.runtime.network);
    } catch (error) {
      this.metrics.reloads.inc({ source, outcome: "refused" });
      throw error;
    }
    const users = await UserDirectory.build(config.users);
    const next = RoutingSnapshot.build(config, this.runtime.network, this.logger, previous);
    const kept = new Set(next.allPools());
    const retired = previous.allPools().filter((pool) => !kept.has(pool));
    this.current = next;
    this.userDirectory = users;
    this.plans.forgetKeyspaces(changedKeyspaces(previous, next));
    this.metrics.reloads.inc({ source, outcome: "applied" });
    this.logger.info("configuration applied", { source, retiredShards: retired.map((pool) => pool.name) });
    for (const pool of retired) void pool.retire(config.shutdownTimeoutMs);
    // New shards are probed at once, so /readyz reflects them without waiting for the next round.
    await Promise.all(next.allPools().filter((pool) => pool.health.up === undefined).map((pool) => pool.check()));
  }

  private scheduleHealthChecks(): void {
    const round = async () => {
      await Promise.all(this.current.allPools().map((pool) => pool.check()));
      // Read each round: a reload may have changed the interval.
      if (!this.closing) this.healthTimer = setTimeout(round, this.current.config.pool.healthCheckIntervalMs);
      (this.healthTimer as { unref?: () => void } | undefined)?.unref?.();
    };
    void round();
  }

  snapshot(): RoutingSnapshot {
    return this.current;
  }

  users(): UserDirectory {
    return this.userDirectory;
  }

  rsaKeyPair(): Promise<RsaKeyPair> {
    this.keyPair ??= RsaKeyPair.generate();
    return this.keyPair;
  }

  /**
   * Stops accepting, lets statements that are running finish (up to the shutdown timeout), then closes
   * every client and backend connection. Open transactions are rolled back by their backends.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.healthTimer);
    await this.listener?.close();
    const deadline = Date.now() + this.current.config.shutdownTimeoutMs;
    while ([...this.clients].some((c) => c.commandStartedAt !== undefined) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const closing = [...this.clients].map((client) => new Promise<void>((resolve) => {
      const previous = client.onClosed;
      client.onClosed = (c) => {
        previous?.(c);
        resolve();
      };
      client.close();
    }));
    await Promise.race([Promise.all(closing), new Promise((resolve) => setTimeout(resolve, 2000))]);
    await this.current.close();
    this.logger.info("gateway stopped");
  }

  private accept(socket: ByteSocket): void {
    const connectionId = this.nextConnectionId++;
    if (this.closing || this.clients.size >= this.current.config.server.maxConnections) {
      // ER_CON_COUNT_ERROR in place of the handshake, as mysqld answers when it is full.
      const error = this.closing ? MySqlError.of("SERVER_SHUTDOWN", "Server shutdown in progress") : MySqlError.of("CON_COUNT", "Too many connections");
      socket.listen({ data: () => {}, close: () => {}, drain: () => {} });
      socket.write(framePacket(encodeErr(error), 0));
      socket.end();
      return;
    }
    const client = ClientConnection.accept(socket, this, connectionId);
    this.clients.add(client);
    client.onClosed = (c) => this.clients.delete(c);
  }
}

/** Keyspaces whose vschema or shards differ between two snapshots: their plan statistics are stale. */
function changedKeyspaces(previous: RoutingSnapshot, next: RoutingSnapshot): Set<string> {
  const changed = new Set<string>();
  for (const name of new Set([...previous.keyspaceNames, ...next.keyspaceNames])) {
    const before = previous.keyspace(name);
    const after = next.keyspace(name);
    if (!before || !after || JSON.stringify(before.config) !== JSON.stringify(after.config)) changed.add(name);
  }
  return changed;
}

/** `listen.tls` on a runtime whose accepted sockets can't be upgraded: refused up front, not per client. */
function checkServerTls(config: Config, network: Network): void {
  if (config.listen.tls === undefined || network.serverTlsUnsupported === undefined) return;
  throw new ConfigError([
    {
      path: "listen.tls",
      message: `client TLS is not available on this runtime: ${network.serverTlsUnsupported}; run the gateway on Node, Bun or Deno, or leave listen.tls out`,
    },
  ]);
}
