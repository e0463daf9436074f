import type { ShardPool } from "../backend/shard-pool.ts";
import type { TextResult } from "../backend/text-result-decoder.ts";
import { MySqlError } from "../errors.ts";
import type { VCursor } from "./primitive.ts";

/** Runs SQL for the gateway's own use on a connection and decodes its text result; rejects on an ERR. */
export type RunQuery = (sql: string) => Promise<TextResult>;

/**
 * What writes that keep sequences and lookup vindexes in step need from the session besides a
 * VCursor (Vitess's VCursor has the same: `InTransaction`, `ExecuteStandalone` for sequences, the
 * session's `LastInsertId`).
 */
export interface DmlVCursor extends VCursor {
  /**
   * Runs `work` inside a transaction: the session's own when one is open (or autocommit is off), else
   * one begun for this statement, committed when `work` succeeds and rolled back when it fails. Vitess
   * does the same for DML that writes lookup rows: the lookup rows and the owner rows go together.
   */
  atomically<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Runs `work` on a connection of `pool` of its own, outside the session, its state and its
   * transaction; a transaction `work` leaves open is rolled back.
   */
  withOwnConnection<T>(pool: ShardPool, work: (query: RunQuery) => Promise<T>): Promise<T>;
  /** The statement generated ids, `first` the first of them: LAST_INSERT_ID() returns it from now on. */
  setLastInsertId(first: bigint): void;
  /** The session's sql_mode has NO_AUTO_VALUE_ON_ZERO: an inserted 0 is kept, not replaced by the next id. */
  readonly noAutoValueOnZero: boolean;
}

export function isDmlVCursor(vcursor: VCursor): vcursor is DmlVCursor {
  const candidate = vcursor as Partial<DmlVCursor>;
  return typeof candidate.atomically === "function" && typeof candidate.withOwnConnection === "function";
}

/** The cursor as a DmlVCursor; a cursor without those abilities can't run this write. */
export function dmlVCursor(vcursor: VCursor, what: string): DmlVCursor {
  if (!isDmlVCursor(vcursor)) throw MySqlError.of("UNKNOWN", `${what} needs a session that can run its own transactions`);
  return vcursor;
}
