import { ShardPool, type PoolOptions } from "./backend/shard-pool.ts";
import type { Config, KeyspaceConfig } from "./config/types.ts";
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

  static build(config: Config, network: Network, logger: Logger): RoutingSnapshot {
    const options: PoolOptions = config.pool;
    const keyspaces = new Map<string, KeyspaceRoute>();
    for (const keyspace of Object.values(config.keyspaces)) {
      keyspaces.set(keyspace.name, {
        config: keyspace,
        pools: keyspace.shards.map((shard) => new ShardPool(keyspace.name, shard, network, options, logger)),
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
