/**
 * Running one statement on a mysql2 connection and comparing two outcomes (through the gateway vs
 * the plain database): column names, types, decimals and character sets, then the rows, in order or as
 * multisets. Values arrive as exact text: DECIMAL/BIGINT as strings (bigNumberStrings), dates as
 * strings (dateStrings), DOUBLE/FLOAT as the server's own text (typeCast below), binary as bytes.
 */
import mysql, { type Connection, type FieldPacket, type ResultSetHeader } from "mysql2/promise";

/**
 * mysql2 options both sides use, so values compare exactly: the same connection collation, no lossy
 * number or date conversions, rows as arrays (duplicate column names in joins survive).
 */
export const EXACT_VALUE_OPTIONS: mysql.ConnectionOptions = {
  charset: "UTF8MB4_GENERAL_CI",
  dateStrings: true,
  supportBigNumbers: true,
  bigNumberStrings: true,
  decimalNumbers: false,
  rowsAsArray: true,
  // The server's text for floating-point values, not a JS number re-parsed from it.
  typeCast: (field, next) => (field.type === "DOUBLE" || field.type === "FLOAT" ? field.string() : next()),
};

export interface ColumnMeta {
  name: string;
  columnType: number | undefined;
  decimals: number;
  characterSet: number | undefined;
}

export type Outcome =
  | { kind: "rows"; columns: ColumnMeta[]; rows: unknown[][] }
  | { kind: "ok"; affectedRows: number; insertId: number; info: string; warnings: number }
  | { kind: "error"; errno: number | undefined; code: string | undefined; message: string; fatal: boolean };

/** MySQL column types whose values are text: their `decimals` byte means nothing to clients. */
const TEXT_TYPES = new Set([15, 249, 250, 251, 252, 253, 254]);

/**
 * For text columns `decimals` is left out: MariaDB itself sends 0 or 39 (NOT_FIXED_DEC) for the same
 * string expression depending on the execution path (e.g. UPPER(col) grouped over a join with or without
 * extra select items), and no client reads it for strings.
 */
function columnMeta(field: FieldPacket): ColumnMeta {
  const decimals = field.columnType !== undefined && TEXT_TYPES.has(field.columnType) ? 0 : field.decimals;
  return { name: field.name, columnType: field.columnType, decimals, characterSet: field.characterSet };
}

/**
 * The OK packet's info text without a stray length byte. MariaDB always sends info length-encoded;
 * mysql2 strips the length only when the server's handshake offered CLIENT_SESSION_TRACK, which
 * MariaDB does and the gateway does not, so through the gateway (sharded or not, the same bytes) the
 * length shows up as a first character ("(Rows matched: 1 …": 0x28 = 40 characters follow).
 */
export function infoText(info: string): string {
  const length = info.charCodeAt(0);
  return info.length > 0 && length < 0xfb && length === Buffer.byteLength(info.slice(1)) ? info.slice(1) : info;
}

/**
 * Runs `sql`; an error is an outcome, not an exception. `fatal`: the connection is gone (or the
 * statement timed out after `timeoutMs`), open a new one before the next statement.
 */
export async function run(connection: Connection, sql: string, timeoutMs = 15_000): Promise<Outcome> {
  try {
    const [result, fields] = await connection.query({ sql, timeout: timeoutMs });
    if (Array.isArray(result)) {
      return { kind: "rows", columns: (fields ?? []).map(columnMeta), rows: result as unknown[][] };
    }
    const header = result as ResultSetHeader;
    return { kind: "ok", affectedRows: header.affectedRows, insertId: header.insertId, info: infoText(header.info), warnings: header.warningStatus };
  } catch (error) {
    const e = error as { errno?: number; code?: string; message?: string; fatal?: boolean };
    if (e.errno === undefined && e.code === undefined) throw error;
    return { kind: "error", errno: e.errno, code: e.code, message: e.message ?? String(error), fatal: e.fatal === true };
  }
}

/** A value as one unambiguous string: strings JSON-quoted, numbers bare, so 5, "5" and NULL differ. */
export function valueKey(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "bigint") return `${value}n`;
  if (value instanceof Uint8Array) return `x'${Buffer.from(value).toString("hex")}'`;
  return `?${JSON.stringify(value)}`;
}

export function rowKey(row: readonly unknown[]): string {
  return `(${row.map(valueKey).join(", ")})`;
}

function describeColumns(columns: readonly ColumnMeta[]): string {
  return columns.map((c) => `${c.name}:type=${c.columnType}/dec=${c.decimals}/cs=${c.characterSet}`).join(", ");
}

export function describeOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case "error":
      return `error ${outcome.errno ?? "?"} (${outcome.code ?? "?"}): ${outcome.message}${outcome.fatal ? " [connection lost]" : ""}`;
    case "ok":
      return `OK affectedRows=${outcome.affectedRows} insertId=${outcome.insertId} warnings=${outcome.warnings} info=${JSON.stringify(outcome.info)}`;
    case "rows":
      return `${outcome.rows.length} row(s) [${describeColumns(outcome.columns)}]`;
  }
}

const MAX_LISTED = 3;

/** Multiset difference: rows one side has more often than the other. */
function multisetDiff(gateway: readonly unknown[][], plain: readonly unknown[][]): { missing: string[]; extra: string[] } {
  const counts = new Map<string, number>();
  for (const row of plain) counts.set(rowKey(row), (counts.get(rowKey(row)) ?? 0) + 1);
  for (const row of gateway) counts.set(rowKey(row), (counts.get(rowKey(row)) ?? 0) - 1);
  const missing: string[] = [];
  const extra: string[] = [];
  for (const [key, count] of counts) {
    for (let i = 0; i < Math.abs(count); i++) (count > 0 ? missing : extra).push(key);
  }
  return { missing, extra };
}

function listed(keys: readonly string[]): string {
  const shown = keys.slice(0, MAX_LISTED).join(" ");
  return keys.length > MAX_LISTED ? `${shown} … (${keys.length} in all)` : shown;
}

/**
 * Why `gateway` is not `plain` (undefined when they agree). `ordered`: rows must come in the same
 * order; otherwise they are compared as multisets.
 */
export function compareOutcomes(gateway: Outcome, plain: Outcome, ordered: boolean): string | undefined {
  if (plain.kind === "error") return `the plain database failed (corpus bug?): ${describeOutcome(plain)}`;
  if (gateway.kind === "error") return `gateway ${describeOutcome(gateway)}`;
  if (gateway.kind !== plain.kind) return `gateway answered ${describeOutcome(gateway)}, plain ${describeOutcome(plain)}`;
  if (gateway.kind === "ok" && plain.kind === "ok") {
    const a = describeOutcome(gateway);
    const b = describeOutcome(plain);
    return a === b ? undefined : `gateway ${a}, plain ${b}`;
  }
  if (gateway.kind !== "rows" || plain.kind !== "rows") return undefined;
  const columnsA = describeColumns(gateway.columns);
  const columnsB = describeColumns(plain.columns);
  if (columnsA !== columnsB) return `columns differ: gateway [${columnsA}], plain [${columnsB}]`;
  if (ordered) {
    const n = Math.max(gateway.rows.length, plain.rows.length);
    for (let i = 0; i < n; i++) {
      const a = gateway.rows[i];
      const b = plain.rows[i];
      const keyA = a === undefined ? "(no row)" : rowKey(a);
      const keyB = b === undefined ? "(no row)" : rowKey(b);
      if (keyA !== keyB) {
        return `row ${i} differs (gateway ${gateway.rows.length} rows, plain ${plain.rows.length}): gateway ${keyA}, plain ${keyB}`;
      }
    }
    return undefined;
  }
  const { missing, extra } = multisetDiff(gateway.rows, plain.rows);
  if (missing.length === 0 && extra.length === 0) return undefined;
  const parts = [`gateway ${gateway.rows.length} rows, plain ${plain.rows.length}`];
  if (missing.length > 0) parts.push(`missing on the gateway: ${listed(missing)}`);
  if (extra.length > 0) parts.push(`extra on the gateway: ${listed(extra)}`);
  return parts.join("; ");
}

/** Rows of a SELECT, or an exception naming the statement (setup and placement checks). */
export async function rowsOf(connection: Connection, sql: string): Promise<unknown[][]> {
  const outcome = await run(connection, sql);
  if (outcome.kind !== "rows") throw new Error(`${sql}: ${describeOutcome(outcome)}`);
  return outcome.rows;
}

/** One mismatch as the failure message shows it. */
export interface Mismatch {
  sql: string;
  plainSql?: string;
  problem: string;
}

export function formatMismatches(title: string, mismatches: readonly Mismatch[], total: number): string {
  const lines = [`${title}: ${mismatches.length} of ${total} statement(s) differ`];
  for (const m of mismatches) {
    lines.push(`- ${m.sql}`);
    if (m.plainSql !== undefined && m.plainSql !== m.sql) lines.push(`  (plain: ${m.plainSql})`);
    lines.push(`  ${m.problem}`);
  }
  return lines.join("\n");
}
