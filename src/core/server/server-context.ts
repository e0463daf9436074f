import type { RsaKeyPair } from "../auth/rsa.ts";
import type { Logger } from "../logger.ts";
import type { RoutingSnapshot } from "../routing-snapshot.ts";
import type { UserDirectory } from "./user-directory.ts";

/** What a client connection needs from the gateway around it. */
export interface ServerContext {
  readonly logger: Logger;
  /** The routing state now; a statement reads it once when it starts. */
  snapshot(): RoutingSnapshot;
  users(): UserDirectory;
  rsaKeyPair(): Promise<RsaKeyPair>;
  /** Stop reading new commands: the gateway is draining for shutdown. */
  readonly shuttingDown: boolean;
}
