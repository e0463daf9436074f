import { RsaKeyPair } from "./auth/rsa.ts";
import type { Config } from "./config/types.ts";
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
}

/** The MySQL front end: accepts clients, holds the routing snapshot and the backend pools. */
export class Gateway implements ServerContext {
  readonly logger: Logger;
  private readonly clients = new Set<ClientConnection>();
  private listener: SocketListener | undefined;
  private nextConnectionId = 1;
  private keyPair: Promise<RsaKeyPair> | undefined;
  private closing = false;

  private constructor(
    private readonly runtime: GatewayRuntime,
    private current: RoutingSnapshot,
    private userDirectory: UserDirectory,
  ) {
    this.logger = runtime.logger;
  }

  static async start(config: Config, runtime: GatewayRuntime): Promise<Gateway> {
    const gateway = new Gateway(runtime, RoutingSnapshot.build(config, runtime.network, runtime.logger), await UserDirectory.build(config.users));
    const { host, port } = config.listen.mysql;
    gateway.listener = await runtime.network.listen(host, port, (socket) => gateway.accept(socket));
    runtime.logger.info("listening for MySQL clients", { host: gateway.listener.host, port: gateway.listener.port });
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
