import { MySqlError } from "../errors.ts";
import type { RoutingSnapshot } from "../routing-snapshot.ts";
import type { Session } from "./session.ts";

/** Keyspaces are the databases clients see: unknown → 1049, not granted to the user → 1044. */
export function checkKeyspaceAccess(snapshot: RoutingSnapshot, session: Session, name: string, host: string): void {
  if (!snapshot.keyspace(name)) throw MySqlError.of("BAD_DB", `Unknown database '${name}'`);
  if (!mayUseKeyspace(session, name)) {
    throw MySqlError.of("DBACCESS_DENIED", `Access denied for user '${session.user.config.user}'@'${host}' to database '${name}'`);
  }
}

export function mayUseKeyspace(session: Session, name: string): boolean {
  const allowed = session.user.config.keyspaces;
  return allowed === undefined || allowed.includes(name);
}
