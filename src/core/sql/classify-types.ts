/** Values the gateway answers itself in a FROM-less SELECT. */
export type GatewayValue = "version" | "version_comment" | "database" | "connection_id" | "user" | "current_user";

/** Scope of a system variable assignment; `LOCAL` is folded into `session`. */
export type SystemScope = "session" | "global" | "persist" | "persist_only";

/**
 * Scope of `SET ... TRANSACTION`: without a scope keyword it applies to the next transaction only
 * (MySQL "SET TRANSACTION Statement", Transaction Characteristic Scope).
 */
export type TransactionScope = "next" | SystemScope;

export type SetAssignment =
  /** `SET NAMES cs [COLLATE col]`; names are lowercased and unquoted (`DEFAULT` → `"default"`). */
  | { readonly type: "names"; readonly charset: string; readonly collation?: string }
  /** `SET CHARACTER SET cs` / `SET CHARSET cs`; lowercased and unquoted. */
  | { readonly type: "charset"; readonly charset: string }
  /** `SET [scope] TRANSACTION characteristics`; `text` is the characteristics as written. */
  | { readonly type: "transaction"; readonly scope: TransactionScope; readonly text: string }
  /** `name` is lowercased, without `@@` or scope prefix. */
  | {
      readonly type: "system";
      readonly scope: SystemScope;
      readonly name: string;
      readonly valueText: string;
      readonly literal: boolean;
    }
  /** `name` is without `@`, unquoted and lowercased (user variable names are case-insensitive). */
  | { readonly type: "user"; readonly name: string; readonly valueText: string; readonly literal: boolean };

export type PinReason =
  | "temporary table"
  | "table lock"
  | "user lock"
  | "user variable"
  | "prepared statement"
  | "found rows"
  | "handler"
  | "xa"
  /** A session variable, role or character set changed where the gateway can't track it (multi-statement, unusual SET). */
  | "session variable"
  /** `USE` inside a multi-statement. */
  | "database change"
  /** A transaction opened where the gateway can't track it (multi-statement, `COMMIT AND CHAIN`, ...). */
  | "transaction";

export interface EmptyStatement {
  readonly kind: "empty";
}

export interface UseStatement {
  readonly kind: "use";
  readonly database: string;
}

export interface SetStatement {
  readonly kind: "set";
  readonly assignments: readonly SetAssignment[];
}

export interface BeginStatement {
  readonly kind: "begin";
  /** The statement as written, from its first to its last token (no trailing `;`). */
  readonly text: string;
  /** Canonical `START TRANSACTION` characteristics: "READ ONLY", "READ WRITE", "WITH CONSISTENT SNAPSHOT". */
  readonly characteristics: readonly string[];
}

export interface CommitStatement {
  readonly kind: "commit";
}

export interface RollbackStatement {
  readonly kind: "rollback";
}

export interface ShowDatabasesStatement {
  readonly kind: "show-databases";
  /** Unescaped LIKE pattern. */
  readonly like: string | undefined;
}

export interface GatewayColumn {
  /** The column name MySQL would send: the alias, else the item's text as typed. */
  readonly name: string;
  readonly value: GatewayValue;
}

export interface SelectGatewayStatement {
  readonly kind: "select-gateway";
  readonly columns: readonly GatewayColumn[];
  readonly limit: number | undefined;
}

export interface OtherStatement {
  readonly kind: "other";
  /** Uppercase; for `WITH ...` the main statement's keyword, for `(SELECT` `SELECT`; "" if no word leads. */
  readonly firstKeyword: string;
  /** Every statement only reads (SELECT/TABLE/VALUES/SHOW/DESCRIBE/EXPLAIN/HELP, no INTO OUTFILE/DUMPFILE). */
  readonly isReadOnly: boolean;
  /** `FOR UPDATE`, `FOR SHARE` or `LOCK IN SHARE MODE`: a read that takes row locks. */
  readonly lockingRead: boolean;
  /** Distinct reasons this statement leaves connection state that can't move to another backend connection. */
  readonly sessionPinReasons: readonly PinReason[];
  /** `LAST_INSERT_ID(` appears. */
  readonly usesLastInsertId: boolean;
  /** `FOUND_ROWS(` or `ROW_COUNT(` appears: depends on the previous statement on the same connection. */
  readonly usesPerStatementState: boolean;
  /**
   * A value only the gateway knows may appear (`@@version`, `@@version_comment`, `VERSION()`, `DATABASE()`,
   * `SCHEMA()`, `CONNECTION_ID()`, `USER()`, `SESSION_USER()`, `SYSTEM_USER()`, `CURRENT_USER`): the
   * statement needs `rewriteGatewayValues` (rewrite-gateway-values.ts) before a backend sees it. False means
   * surely none (no rewrite, no cost); true may still find nothing to rewrite.
   */
  readonly gatewayValues: boolean;
  /** Distinct lowercased first parts of qualified names (`db.t`, `t.col`, `` `db`.`t` ``). */
  readonly qualifiers: readonly string[];
  /** Non-empty statements separated by `;` outside strings, comments and stored-program bodies. */
  readonly statementCount: number;
  /** The lexer hit an unterminated string, identifier or comment; the backend will report the error. */
  readonly lexError: boolean;
}

export type Classified =
  | EmptyStatement
  | UseStatement
  | SetStatement
  | BeginStatement
  | CommitStatement
  | RollbackStatement
  | ShowDatabasesStatement
  | SelectGatewayStatement
  | OtherStatement;
