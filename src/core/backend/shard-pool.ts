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

export interface ShardHealth {
  /** undefined until the first check or connection attempt. */
  up: boolean | undefined;
  since: number;
  error: string | undefined;
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
  private retired = false;
  private onDrained: (() => void) | undefined;
  private probe: BackendConnection | undefined;
  private readonly sweeper: ReturnType<typeof setInterval>;
  health: ShardHealth = { up: undefined, since: Date.now(), error: undefined };

  constructor(
    readonly keyspace: string,
    readonly shard: ShardConfig,
    private readonly network: Network,
    readonly options: PoolOptions,
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
    if (this.health.up === false) {
      // Fail fast rather than wait out a connect timeout per statement; the health check brings it back.
      throw MySqlError.of(
        "UNKNOWN",
        `shard ${this.name} is unavailable: ${this.health.error} (down since ${new Date(this.health.since).toISOString()})`,
      );
    }
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
    if (this.waiters.length > 0 || this.retired) {
      // Someone waits for another flavor: trade this connection for a fresh one of theirs. A retired
      // pool (left the topology in a reload) keeps nothing idle.
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

  /**
   * Leaves the topology: new statements no longer come here, but the ones already routed to this pool
   * (and transactions pinned to it) finish; each connection closes as it comes back. Resolves when none
   * is left, or after `timeoutMs`, when the rest are closed regardless.
   */
  retire(timeoutMs: number): Promise<void> {
    this.retired = true;
    this.probe?.close();
    clearInterval(this.sweeper);
    for (const list of this.idle.values()) for (const connection of list.splice(0)) connection.close();
    if (this.open === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => void this.close().then(resolve), timeoutMs);
      this.onDrained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** A health check: COM_PING on a connection kept for probing; updates `health`. */
  async check(): Promise<boolean> {
    try {
      this.probe ??= await BackendConnection.connect(this.network, {
        address: this.shard.primary,
        flavor: { capabilities: 0, collationId: 45 },
        connectTimeoutMs: this.options.connectTimeoutMs,
      });
      await withTimeout(this.probe.simpleCommand(0x0e), this.options.connectTimeoutMs, "ping timed out");
      this.setHealth(true, undefined);
      return true;
    } catch (error) {
      this.probe?.destroy();
      this.probe = undefined;
      this.setHealth(false, describe(error));
      return false;
    }
  }

  private setHealth(up: boolean, error: string | undefined): void {
    if (this.health.up !== up) {
      this.health = { up, since: Date.now(), error };
      this.logger[up ? "info" : "warn"](up ? "shard is up" : "shard is down", { shard: this.name, error });
    } else {
      this.health.error = error;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.probe?.close();
    this.probe = undefined;
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
      connection.pool = this;
      connection.onClosed = () => {
        this.open--;
        this.removeIdle(connection);
        this.serveWaiterAfterClose();
        if (this.open === 0) this.onDrained?.();
      };
      return connection;
    } catch (error) {
      this.logger.warn("backend connect failed", { shard: this.name, error: describe(error) });
      if (error instanceof MySqlError) throw new MySqlError(error.code, error.sqlState, `shard ${this.name}: ${error.message}`);
      // The server is unreachable: statements fail fast until a health check finds it back.
      this.setHealth(false, describe(error));
      throw MySqlError.of("UNKNOWN", `shard ${this.name} is unavailable: ${describe(error)}`);
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

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
