import { ShardPool, type PoolOptions } from "./backend/shard-pool.ts";
import type { Config, KeyspaceConfig, ShardConfig } from "./config/types.ts";
import type { Logger } from "./logger.ts";
import type { Network } from "./socket.ts";

export interface KeyspaceRoute {
  config: KeyspaceConfig;
  /** One pool per shard, in key-range order. */
  pools: ShardPool[];
}

/**
 * Everything a statement is planned and routed against, immutable once built: a statement takes the
 * snapshot current when it starts and finishes on it even if a reload swaps in a new one meanwhile.
 */
export class RoutingSnapshot {
  readonly keyspaceNames: string[];

  private constructor(
    readonly config: Config,
    readonly keyspaces: Map<string, KeyspaceRoute>,
  ) {
    this.keyspaceNames = [...keyspaces.keys()];
  }

  /**
   * Builds the routing for `config`, keeping the pools of `previous` whose shard still has the same
   * primary and pool settings, so a reload touches only the shards it changes.
   */
  static build(config: Config, network: Network, logger: Logger, previous?: RoutingSnapshot): RoutingSnapshot {
    const options: PoolOptions = config.pool;
    const reusable = new Map(previous?.allPools().map((pool) => [poolIdentity(pool.keyspace, pool.shard, pool.options), pool]));
    const keyspaces = new Map<string, KeyspaceRoute>();
    for (const keyspace of Object.values(config.keyspaces)) {
      keyspaces.set(keyspace.name, {
        config: keyspace,
        pools: keyspace.shards.map((shard) => {
          const kept = reusable.get(poolIdentity(keyspace.name, shard, options));
          return kept ?? new ShardPool(keyspace.name, shard, network, options, logger);
        }),
      });
    }
    return new RoutingSnapshot(config, keyspaces);
  }

  keyspace(name: string): KeyspaceRoute | undefined {
    return this.keyspaces.get(name);
  }

  allPools(): ShardPool[] {
    return [...this.keyspaces.values()].flatMap((route) => route.pools);
  }

  async close(): Promise<void> {
    await Promise.all(this.allPools().map((pool) => pool.close()));
  }
}

function poolIdentity(keyspace: string, shard: ShardConfig, options: PoolOptions): string {
  const { maxConnections, idleTimeoutMs, connectTimeoutMs, acquireTimeoutMs } = options;
  // The CA's text too: a reload after the file changed must reconnect with it.
  return JSON.stringify([keyspace, shard.name, shard.primaryUrl, shard.primary.tls?.ca ?? "", maxConnections, idleTimeoutMs, connectTimeoutMs, acquireTimeoutMs]);
}
