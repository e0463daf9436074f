/** A statement prepared on one backend connection (COM_STMT_PREPARE), under the backend's own id. */
export interface BackendStatement {
  id: number;
  params: number;
  columns: number;
  /** The parameter types this statement was last executed with; the server keeps them between executes. */
  types: Uint8Array | undefined;
}

/**
 * A backend connection's prepared statements by key (session state + SQL), least recently used first.
 * Bounded: a gateway's clients may prepare any number of distinct statements over time, and each one
 * held on a backend counts against the server's global max_prepared_stmt_count.
 */
export class StatementCache {
  private readonly entries = new Map<string, BackendStatement>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): BackendStatement | undefined {
    const statement = this.entries.get(key);
    if (statement) {
      this.entries.delete(key);
      this.entries.set(key, statement);
    }
    return statement;
  }

  /** Adds (or replaces) a statement; returns those that must now be closed on the backend. */
  add(key: string, statement: BackendStatement): BackendStatement[] {
    const dropped: BackendStatement[] = [];
    const previous = this.entries.get(key);
    if (previous) {
      this.entries.delete(key);
      dropped.push(previous);
    }
    this.entries.set(key, statement);
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(oldest);
      dropped.push(entry);
    }
    return dropped;
  }

  /** Forgets everything (the backend session was reset, which closes its statements). */
  clear(): void {
    this.entries.clear();
  }
}
