import type { RoutingSnapshot } from "../routing-snapshot.ts";

/** What planning a statement depends on besides its text. */
export interface PlanningContext {
  readonly snapshot: RoutingSnapshot;
  /** The session's keyspace (USE), where unqualified table names resolve first. */
  readonly defaultKeyspace: string | undefined;
  /** Throws the client's error when the user may not use the keyspace. */
  checkAccess(keyspace: string): void;
}

/** Planning one statement: also hands out placeholder slots beyond the statement's own literals. */
export interface StatementScope extends PlanningContext {
  /** A placeholder index no literal of the statement uses, for a value the plan computes (a subquery's answer). */
  allocateSlot(): number;
}
