/**
 * The session state a client set with SET, kept as the statements that recreate it on any backend
 * connection. Its signature is what a backend connection has applied: a connection whose signature is a
 * prefix of the session's needs only the newer statements; any other needs a reset and all of them.
 */
export interface SessionAssignment {
  /** What the assignment sets: `names`, a lowercased variable name, `@user_var`, or `transaction`. */
  key: string;
  /** SQL text: the assignment inside a SET list, or a whole statement when `standalone`. */
  text: string;
  /** `SET SESSION TRANSACTION …` can't share a SET statement with other assignments. */
  standalone: boolean;
}

export class SessionVariables {
  private assignments: SessionAssignment[] = [];
  private cachedSignature: string | undefined = "";

  constructor(private readonly base: readonly SessionAssignment[] = []) {
    this.reset();
  }

  get signature(): string {
    this.cachedSignature ??= this.assignments.map((a) => a.text).join(";\n");
    return this.cachedSignature;
  }

  get isEmpty(): boolean {
    return this.assignments.length === 0;
  }

  /** Sets or replaces; a replaced one moves to the end, since later SETs win over earlier ones. */
  set(assignment: SessionAssignment): void {
    const index = this.assignments.findIndex((a) => a.key === assignment.key);
    if (index >= 0) {
      if (this.assignments[index]!.text === assignment.text) return;
      this.assignments.splice(index, 1);
    }
    this.assignments.push(assignment);
    this.cachedSignature = undefined;
  }

  get(key: string): SessionAssignment | undefined {
    return this.assignments.find((a) => a.key === key);
  }

  reset(): void {
    this.assignments = [...this.base];
    this.cachedSignature = undefined;
  }

  /**
   * The statements that bring a connection with `applied` state to this session's state, and whether it
   * must be reset first. Consecutive assignments share one SET statement.
   */
  plan(applied: string): { reset: boolean; statements: string[] } {
    if (applied === this.signature) return { reset: false, statements: [] };
    let skip = 0;
    if (applied !== "") {
      skip = -1;
      let prefix = "";
      for (let i = 0; i < this.assignments.length && prefix.length < applied.length; i++) {
        prefix += (i > 0 ? ";\n" : "") + this.assignments[i]!.text;
        if (prefix === applied) skip = i + 1;
      }
    }
    if (skip < 0) return { reset: true, statements: toStatements(this.assignments) };
    return { reset: false, statements: toStatements(this.assignments.slice(skip)) };
  }
}

function toStatements(assignments: readonly SessionAssignment[]): string[] {
  const statements: string[] = [];
  let pending: string[] = [];
  const flush = () => {
    if (pending.length > 0) statements.push(`SET ${pending.join(", ")}`);
    pending = [];
  };
  for (const assignment of assignments) {
    if (assignment.standalone) {
      flush();
      statements.push(assignment.text);
    } else {
      pending.push(assignment.text);
    }
  }
  flush();
  return statements;
}
