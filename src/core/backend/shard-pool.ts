import type { ShardConfig } from "../config/types.ts";
import { MySqlError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { Network } from "../socket.ts";
import { BackendConnection, type BackendFlavor } from "./backend-connection.ts";

export interface PoolOptions {
  maxConnections: number;
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  acquireTimeoutMs: number;
}

export interface PoolStats {
  open: number;
  inUse: number;
  idle: number;
  waiting: number;
}

interface Waiter {
  flavor: BackendFlavor;
  resolve(connection: BackendConnection): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

function flavorKey(flavor: BackendFlavor): string {
  return `${flavor.capabilities}:${flavor.collationId}`;
}

/**
 * Connections to one shard's primary. Connections differ by flavor (the client capabilities that shape
 * response bytes, and the handshake collation), so idle ones are kept per flavor; the limit is per shard.
 */
export class ShardPool {
  private readonly idle = new Map<string, BackendConnection[]>();
  private readonly waiters: Waiter[] = [];
  private open = 0;
  private connecting = 0;
  private closing = false;
  private readonly sweeper: ReturnType<typeof setInterval>;

  constructor(
    readonly keyspace: string,
    readonly shard: ShardConfig,
    private readonly network: Network,
    private readonly options: PoolOptions,
    private readonly logger: Logger,
  ) {
    this.sweeper = setInterval(() => this.closeIdle(), Math.max(1000, Math.min(options.idleTimeoutMs, 30_000)));
    (this.sweeper as { unref?: () => void }).unref?.();
  }

  get name(): string {
    return `${this.keyspace}/${this.shard.name}`;
  }

  stats(): PoolStats {
    let idle = 0;
    for (const list of this.idle.values()) idle += list.length;
    return { open: this.open, inUse: this.open - idle, idle, waiting: this.waiters.length };
  }

  async acquire(flavor: BackendFlavor): Promise<BackendConnection> {
    if (this.closing) throw MySqlError.of("UNKNOWN", `shard ${this.name} is shutting down`);
    const reusable = this.takeIdle(flavor);
    if (reusable) return reusable;
    if (this.open + this.connecting < this.options.maxConnections) return this.openConnection(flavor);
    // At the limit: an idle connection of another flavor makes room for one of ours.
    if (this.evictOneIdle()) return this.openConnection(flavor);
    return new Promise<BackendConnection>((resolve, reject) => {
      const waiter: Waiter = {
        flavor,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(
            MySqlError.of(
              "UNKNOWN",
              `timed out after ${this.options.acquireTimeoutMs} ms waiting for a connection to shard ${this.name} ` +
                `(all ${this.options.maxConnections} in use)`,
            ),
          );
        }, this.options.acquireTimeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Returns a connection that finished its work in a clean state (no transaction, not mid-response). */
  release(connection: BackendConnection): void {
    if (connection.isClosed) return;
    if (this.closing || connection.isBusy) {
      connection.destroy();
      return;
    }
    connection.lastUsedAt = Date.now();
    const waiterIndex = this.waiters.findIndex((w) => flavorKey(w.flavor) === flavorKey(connection.flavor));
    if (waiterIndex >= 0) {
      const [waiter] = this.waiters.splice(waiterIndex, 1);
      clearTimeout(waiter!.timer);
      waiter!.resolve(connection);
      return;
    }
    if (this.waiters.length > 0) {
      // Someone waits for another flavor: trade this connection for a fresh one of theirs.
      connection.close();
      return;
    }
    const key = flavorKey(connection.flavor);
    const list = this.idle.get(key);
    if (list) list.push(connection);
    else this.idle.set(key, [connection]);
  }

  /** Closes a connection that can't be reused (broken, or left in an unknown state). */
  discard(connection: BackendConnection): void {
    connection.destroy();
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(MySqlError.of("SERVER_SHUTDOWN", `shard ${this.name} is shutting down`));
    }
    for (const list of this.idle.values()) for (const connection of list.splice(0)) connection.close();
  }

  private takeIdle(flavor: BackendFlavor): BackendConnection | undefined {
    const list = this.idle.get(flavorKey(flavor));
    while (list && list.length > 0) {
      const connection = list.pop()!;
      if (!connection.isClosed) return connection;
    }
    return undefined;
  }

  private evictOneIdle(): boolean {
    for (const list of this.idle.values()) {
      const connection = list.shift();
      if (connection) {
        connection.close();
        return true;
      }
    }
    return false;
  }

  private async openConnection(flavor: BackendFlavor): Promise<BackendConnection> {
    this.connecting++;
    try {
      const connection = await BackendConnection.connect(this.network, {
        address: this.shard.primary,
        flavor,
        connectTimeoutMs: this.options.connectTimeoutMs,
      });
      this.open++;
      connection.onClosed = () => {
        this.open--;
        this.removeIdle(connection);
        this.serveWaiterAfterClose();
      };
      return connection;
    } catch (error) {
      this.logger.warn("backend connect failed", { shard: this.name, error: String(error) });
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof MySqlError) throw new MySqlError(error.code, error.sqlState, `shard ${this.name}: ${message}`);
      throw MySqlError.of("UNKNOWN", `shard ${this.name} is unavailable: ${message}`);
    } finally {
      this.connecting--;
    }
  }

  private removeIdle(connection: BackendConnection): void {
    const list = this.idle.get(flavorKey(connection.flavor));
    const index = list?.indexOf(connection) ?? -1;
    if (index >= 0) list!.splice(index, 1);
  }

  private serveWaiterAfterClose(): void {
    if (this.closing || this.waiters.length === 0) return;
    if (this.open + this.connecting >= this.options.maxConnections) return;
    const waiter = this.waiters.shift()!;
    clearTimeout(waiter.timer);
    this.openConnection(waiter.flavor).then(waiter.resolve, waiter.reject);
  }

  private closeIdle(): void {
    const cutoff = Date.now() - this.options.idleTimeoutMs;
    for (const list of this.idle.values()) {
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i]!.lastUsedAt < cutoff) list.splice(i, 1)[0]!.close();
      }
    }
  }
}
