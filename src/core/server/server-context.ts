import type { RsaKeyPair } from "../auth/rsa.ts";
import type { Logger } from "../logger.ts";
import type { StatementRecord } from "../observability/plan-stats.ts";
import type { RoutingSnapshot } from "../routing-snapshot.ts";
import type { ClientConnection } from "./client-connection.ts";
import type { UserDirectory } from "./user-directory.ts";

/** What a client connection needs from the gateway around it. */
export interface ServerContext {
  readonly logger: Logger;
  /** The routing state now; a statement reads it once when it starts. */
  snapshot(): RoutingSnapshot;
  users(): UserDirectory;
  rsaKeyPair(): Promise<RsaKeyPair>;
  /** A connected client by its connection id (what CONNECTION_ID() and KILL use). */
  client(connectionId: number): ClientConnection | undefined;
  /** Accounts for a finished statement (metrics, plan statistics). */
  observe(record: StatementRecord): void;
}
