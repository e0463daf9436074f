import { commandPacket, FLAVOR_CAPABILITIES, type BackendConnection, type BackendFlavor, type ResponseSink, type ResponseSummary } from "../backend/backend-connection.ts";
import type { ShardPool } from "../backend/shard-pool.ts";
import type { TextResult } from "../backend/text-result-decoder.ts";
import type { Logger } from "../logger.ts";
import { encodeUtf8 } from "../protocol/bytes.ts";
import { Command, ServerStatus } from "../protocol/constants.ts";
import type { ResponseKind } from "../protocol/response-scanner.ts";
import { ClientStatements } from "./client-statements.ts";
import { SessionVariables } from "./session-variables.ts";
import type { AuthUser } from "./user-directory.ts";

export interface StatementNeeds {
  /** Reasons the statement leaves per-connection state that can't be replayed elsewhere. */
  pinReasons: readonly string[];
  /** LAST_INSERT_ID() must return the id the session's last insert generated, on whichever connection. */
  usesLastInsertId: boolean;
}

export const NO_NEEDS: StatementNeeds = { pinReasons: [], usesLastInsertId: false };

/**
 * One client's session: who it is, the state it set, and the backend connections it holds. Between
 * statements it holds none, unless a transaction is open (pinned until it ends) or it made state that
 * can't be replayed (reserved until it disconnects); otherwise each statement borrows a pooled connection
 * and first brings it to the session's state.
 */
export class Session {
  keyspace: string | undefined;
  readonly variables: SessionVariables;
  autocommit = true;
  /** A BEGIN the client sent that hasn't reached any shard yet (Vitess's lazy begin), or undefined. */
  pendingBegin: string | undefined;
  lastInsertId: number | bigint = 0;
  /** Statements prepared with COM_STMT_PREPARE (the binary protocol). */
  readonly statements = new ClientStatements();
  private readonly transaction = new Map<string, BackendConnection>();
  private readonly reserved = new Map<string, BackendConnection>();
  /** Connections kept because server-side cursors (prepared statements') are open on them, by shard name. */
  private readonly cursorHolds = new Map<string, { connection: BackendConnection; closeCursors: (connection: BackendConnection) => Promise<void> }>();
  /** The backend statement running for the client now, for KILL QUERY. */
  private active: { pool: ShardPool; connection: BackendConnection } | undefined;

  constructor(
    public user: AuthUser,
    public clientCapabilities: number,
    public collationId: number,
    private readonly logger: Logger,
  ) {
    this.variables = new SessionVariables(
      user.config.readOnly ? [{ key: "transaction_read_only", text: "SET SESSION TRANSACTION READ ONLY", standalone: true }] : [],
    );
  }

  get flavor(): BackendFlavor {
    return { capabilities: this.clientCapabilities & FLAVOR_CAPABILITIES, collationId: this.collationId };
  }

  get inTransaction(): boolean {
    return this.pendingBegin !== undefined || this.transaction.size > 0;
  }

  /** Status flags for OK packets the gateway writes itself. */
  get statusFlags(): number {
    return (this.autocommit ? ServerStatus.AUTOCOMMIT : 0) | (this.inTransaction ? ServerStatus.IN_TRANS : 0);
  }

  /**
   * Runs one command on a shard, streaming the response to the client through `sink`. `afterSuccess`
   * runs on the same connection before it goes back, when the command succeeded.
   */
  async execute(
    pool: ShardPool,
    framedCommand: Uint8Array,
    kind: ResponseKind,
    sink: ResponseSink,
    needs = NO_NEEDS,
    afterSuccess?: (connection: BackendConnection) => Promise<void>,
  ): Promise<ResponseSummary> {
    return this.withConnection(pool, needs, async (connection) => {
      const summary = await connection.send(framedCommand, kind, sink);
      if (!summary.error && afterSuccess) await afterSuccess(connection);
      return summary;
    });
  }

  /**
   * Runs `work` on the session's connection to `pool` (its pinned one, or one borrowed and brought to the
   * session's state), then pins or returns it by the summary `work` gives (its last response's).
   */
  async withConnection(
    pool: ShardPool,
    needs: StatementNeeds,
    work: (connection: BackendConnection) => Promise<ResponseSummary>,
  ): Promise<ResponseSummary> {
    const connection = await this.connectionFor(pool, needs);
    let summary: ResponseSummary;
    this.active = { pool, connection };
    try {
      summary = await work(connection);
    } catch (error) {
      if (connection.isClosed) this.forget(pool.name, connection);
      else this.afterResponse(pool.name, connection, idleSummary(connection), NO_NEEDS);
      throw error;
    } finally {
      this.active = undefined;
    }
    this.afterResponse(pool.name, connection, summary, needs);
    return summary;
  }

  /** Runs SQL whose result the gateway reads itself (state sync, SET read-back). */
  async query(pool: ShardPool, sql: string): Promise<TextResult> {
    const connection = await this.connectionFor(pool, NO_NEEDS);
    try {
      return await connection.query(sql);
    } finally {
      if (connection.isClosed) this.forget(pool.name, connection);
      else this.afterResponse(pool.name, connection, idleSummary(connection), NO_NEEDS);
    }
  }

  /** COMMIT or ROLLBACK on every shard the transaction touched, in order; the first failure is reported. */
  async endTransaction(verb: "COMMIT" | "ROLLBACK"): Promise<void> {
    this.pendingBegin = undefined;
    let failure: unknown;
    for (const [name, connection] of [...this.transaction]) {
      this.transaction.delete(name);
      try {
        if (failure === undefined || verb === "ROLLBACK") await connection.query(verb);
        else await connection.query("ROLLBACK");
      } catch (error) {
        failure ??= error;
      }
      this.giveBack(name, connection);
    }
    if (failure !== undefined) throw failure;
  }

  /**
   * Keeps the session's connection to shard `name` between commands while cursors are open on it (a
   * cursor lives in one backend session). `closeCursors` ends them on the backend if the client leaves
   * or resets first; then the connection goes back to its pool like any other.
   */
  holdForCursors(name: string, connection: BackendConnection, closeCursors: (connection: BackendConnection) => Promise<void>): void {
    this.cursorHolds.set(name, { connection, closeCursors });
  }

  /**
   * No cursor is open on the connection to shard `name` any more: it goes back to its pool (once the
   * command running on it ends), unless a transaction or reserved state keeps it.
   */
  endCursorHold(name: string): void {
    const hold = this.cursorHolds.get(name);
    if (!hold) return;
    this.cursorHolds.delete(name);
    if (this.active?.connection !== hold.connection && !hold.connection.isClosed) this.giveBack(name, hold.connection);
  }

  /** Stops the statement running for this session, if any, by killing its query on the backend. */
  async killRunningQuery(): Promise<void> {
    const active = this.active;
    if (active?.connection.isBusy) await killBackendThread(active.pool, `KILL QUERY ${active.connection.connectionId}`, this.flavor, this.logger);
  }

  /** The client left or reset: roll back, and return or close everything held. */
  async releaseAll(): Promise<void> {
    this.pendingBegin = undefined;
    await this.killRunningQuery();
    type Held = { inTransaction: boolean; reserved: boolean; closeCursors?: (connection: BackendConnection) => Promise<void> };
    const held = new Map<BackendConnection, Held>();
    for (const connection of this.transaction.values()) held.set(connection, { inTransaction: true, reserved: false });
    for (const connection of this.reserved.values()) {
      const entry = held.get(connection);
      if (entry) entry.reserved = true;
      else held.set(connection, { inTransaction: false, reserved: true });
    }
    for (const { connection, closeCursors } of this.cursorHolds.values()) {
      const entry = held.get(connection);
      if (entry) entry.closeCursors = closeCursors;
      else held.set(connection, { inTransaction: false, reserved: false, closeCursors });
    }
    this.transaction.clear();
    this.reserved.clear();
    this.cursorHolds.clear();
    await Promise.all(
      [...held].map(async ([connection, { inTransaction, reserved, closeCursors }]) => {
        const pool = connection.pool!;
        if (connection.isBusy) {
          // Mid-statement: the only way to stop it and free its locks is to close it and kill the thread.
          connection.destroy();
          await killBackendThread(pool, `KILL ${connection.connectionId}`, this.flavor, this.logger);
          return;
        }
        if (reserved) {
          // Reserved state (temporary tables, locks, variables) must not leak into another session;
          // closing the connection also rolls back its transaction.
          connection.close();
          return;
        }
        try {
          if (closeCursors) await closeCursors(connection);
          if (inTransaction) await connection.query("ROLLBACK");
          pool.release(connection);
        } catch {
          pool.discard(connection);
        }
      }),
    );
  }

  private async connectionFor(pool: ShardPool, needs: StatementNeeds): Promise<BackendConnection> {
    // Looked up by shard name: a transaction that began before a reload keeps its connection to the shard's old primary.
    // A cursor's connection lost (server restart, idle kill) took its cursors along: the session goes on without it.
    if (this.cursorHolds.get(pool.name)?.connection.isClosed) this.cursorHolds.delete(pool.name);
    let connection = this.transaction.get(pool.name) ?? this.reserved.get(pool.name) ?? this.cursorHolds.get(pool.name)?.connection;
    const fresh = connection === undefined;
    connection ??= await pool.acquire(this.flavor);
    try {
      await this.synchronize(connection, needs);
      // A reserved connection joins the transaction too: it is not fresh, but not in it yet either.
      if (this.pendingBegin !== undefined && !this.transaction.has(pool.name)) {
        await connection.query(this.pendingBegin);
        this.transaction.set(pool.name, connection);
      }
    } catch (error) {
      if (fresh) {
        if (connection.isClosed || connection.isBusy) pool.discard(connection);
        else pool.release(connection);
      }
      throw error;
    }
    return connection;
  }

  private async synchronize(connection: BackendConnection, needs: StatementNeeds): Promise<void> {
    const plan = this.variables.plan(connection.appliedState);
    if (plan.reset) {
      await connection.simpleCommand(Command.RESET_CONNECTION);
      connection.appliedState = "";
      connection.lastInsertId = 0;
    }
    for (const statement of plan.statements) await connection.query(statement);
    connection.appliedState = this.variables.signature;
    if (needs.usesLastInsertId && connection.lastInsertId !== this.lastInsertId) {
      await connection.query(`DO LAST_INSERT_ID(${this.lastInsertId})`);
      connection.lastInsertId = this.lastInsertId;
    }
  }

  private afterResponse(name: string, connection: BackendConnection, summary: ResponseSummary, needs: StatementNeeds): void {
    if (summary.lastInsertId !== undefined && summary.lastInsertId !== 0) this.lastInsertId = summary.lastInsertId;
    if (needs.pinReasons.length > 0 && !this.reserved.has(name)) {
      this.logger.debug("session reserves a backend connection", { shard: name, reasons: needs.pinReasons });
      this.reserved.set(name, connection);
    }
    if (summary.statusFlags & ServerStatus.IN_TRANS) {
      this.transaction.set(name, connection);
    } else if (this.transaction.get(name) === connection) {
      // The statement ended the transaction (COMMIT inside a batch, DDL's implicit commit).
      this.transaction.delete(name);
      if (this.transaction.size === 0) this.pendingBegin = undefined;
    }
    this.giveBack(name, connection);
  }

  /** Back to the pool that opened it (after a reload, maybe a retired one, which then closes it). */
  private giveBack(name: string, connection: BackendConnection): void {
    if (this.transaction.get(name) === connection || this.reserved.get(name) === connection) return;
    if (this.cursorHolds.get(name)?.connection === connection) return;
    connection.pool!.release(connection);
  }

  private forget(name: string, connection: BackendConnection): void {
    if (this.transaction.get(name) === connection) this.transaction.delete(name);
    if (this.reserved.get(name) === connection) this.reserved.delete(name);
    if (this.cursorHolds.get(name)?.connection === connection) this.cursorHolds.delete(name);
    connection.pool!.discard(connection);
  }
}

export function idleSummary(connection: BackendConnection): ResponseSummary {
  return { statusFlags: connection.statusFlags, error: undefined, lastInsertId: undefined };
}

/** `KILL [QUERY] <thread>` on a backend, through another connection of its pool. */
async function killBackendThread(pool: ShardPool, kill: string, flavor: BackendFlavor, logger: Logger): Promise<void> {
  try {
    const killer = await pool.acquire(flavor);
    try {
      await killer.send(commandPacket(Command.QUERY, encodeUtf8(kill)), "query", () => true);
    } finally {
      pool.release(killer);
    }
  } catch (error) {
    logger.warn("could not kill a backend statement", { shard: pool.name, kill, error: String(error) });
  }
}

