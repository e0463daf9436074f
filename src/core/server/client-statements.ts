import type { BackendConnection } from "../backend/backend-connection.ts";
import type { ShardPool } from "../backend/shard-pool.ts";
import type { BackendStatement } from "../backend/statement-cache.ts";
import { MySqlError } from "../errors.ts";
import type { StatementNeeds } from "./session.ts";

/**
 * A server-side cursor a client's execute opened (CURSOR_TYPE_READ_ONLY): its rows wait in the backend
 * statement `backend` on `connection`, which the session holds until the cursor ends.
 */
export interface OpenCursor {
  pool: ShardPool;
  connection: BackendConnection;
  backend: BackendStatement;
  /** The backend statement's key in the connection's cache: a copy of the statement of the cursor's own. */
  key: string;
}

/** A statement a client prepared (COM_STMT_PREPARE), under the id the gateway gave it. */
export interface ClientStatement {
  id: number;
  /** The SQL as the client sent it (its bytes, in its character set). */
  sql: Uint8Array;
  /** The SQL decoded, for metrics and the connections list. */
  text: string;
  /** `sql` as a string key, distinct for distinct bytes (backend statement caches are keyed by it). */
  key: string;
  keyspace: string;
  params: number;
  needs: StatementNeeds;
  /** The parameter types of the client's last execute that sent them (new-params-bound flag 1). */
  types: Uint8Array | undefined;
  /** COM_STMT_SEND_LONG_DATA chunks by parameter, held until the next execute. */
  longData: Map<number, Uint8Array[]>;
  longDataBytes: number;
  /** Reported by the next execute, as mysqld does: long data has no response of its own. */
  longDataError: MySqlError | undefined;
  /** The cursor its last execute opened, until fetched to the end, reset, closed or executed again. */
  cursor: OpenCursor | undefined;
}

export type NewStatement = Pick<ClientStatement, "sql" | "text" | "keyspace" | "params" | "needs">;

const LAST_PREPARED = 0xffffffff;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A client connection's prepared statements. Ids count up per connection, as mysqld's do. */
export class ClientStatements {
  private nextId = 1;
  private readonly byId = new Map<number, ClientStatement>();

  get size(): number {
    return this.byId.size;
  }

  /** Registers a statement; past `limit` open ones, ER 1461 as mysqld's max_prepared_stmt_count. */
  add(statement: NewStatement, limit: number): ClientStatement {
    checkRoom(this.byId.size, limit);
    const id = this.nextId;
    this.nextId = this.nextId === LAST_PREPARED - 1 ? 1 : this.nextId + 1;
    const entry: ClientStatement = {
      ...statement,
      id,
      key: statementKey(statement.sql),
      types: undefined,
      longData: new Map(),
      longDataBytes: 0,
      longDataError: undefined,
      cursor: undefined,
    };
    this.byId.set(id, entry);
    return entry;
  }

  /** MariaDB's id 0xFFFFFFFF names the last statement prepared (so a client can pipeline prepare and execute). */
  get(id: number): ClientStatement | undefined {
    return this.byId.get(id === LAST_PREPARED ? this.nextId - 1 : id);
  }

  values(): IterableIterator<ClientStatement> {
    return this.byId.values();
  }

  delete(id: number): void {
    this.byId.delete(id);
  }

  /** COM_RESET_CONNECTION / COM_CHANGE_USER: the client's statements are gone. */
  clear(): void {
    this.byId.clear();
  }
}

export function checkRoom(open: number, limit: number): void {
  if (open >= limit) {
    throw MySqlError.of("MAX_PREPARED_STMT_COUNT_REACHED", `Can't create more than max_prepared_stmt_count statements (current value: ${limit})`);
  }
}

/** The SQL itself when it is valid UTF-8 (nearly always), else its bytes in hex: never two byte strings for one key. */
export function statementKey(sql: Uint8Array): string {
  try {
    return `u${strictUtf8.decode(sql)}`;
  } catch {
    return `x${Array.from(sql, (b) => b.toString(16).padStart(2, "0")).join("")}`;
  }
}
