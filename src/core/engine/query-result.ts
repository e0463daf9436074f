import type { ColumnDefinition } from "../protocol/column-definition.ts";

/** One row as the text protocol carries it: each value's bytes, or null for SQL NULL. */
export type Row = (Uint8Array | null)[];

/** A statement's answer gathered at the gateway: a result set, or (no fields) the counts of an OK packet. */
export interface QueryResult {
  fields: ColumnDefinition[];
  rows: Row[];
  affectedRows: bigint;
  lastInsertId: bigint;
  warnings: number;
  /** The OK packet's info text (`Records: 2  Duplicates: 0 ...`); empty when merged. */
  info: string;
}

export function okResult(affectedRows = 0n, lastInsertId = 0n): QueryResult {
  return { fields: [], rows: [], affectedRows, lastInsertId, warnings: 0, info: "" };
}

/** The same columns (and counts) without rows: the shape of an answer no shard could hold rows for. */
export function withRows(result: QueryResult, rows: Row[]): QueryResult {
  return { ...result, rows };
}

/**
 * Results of one statement run on several shards, as one: rows concatenated in shard order, OK counts
 * summed (LAST_INSERT_ID the first generated id, as one multi-row INSERT reports it).
 */
export function concatResults(results: readonly QueryResult[]): QueryResult {
  if (results.length === 1) return results[0]!;
  const withFields = results.find((r) => r.fields.length > 0);
  let affectedRows = 0n;
  let lastInsertId = 0n;
  let warnings = 0;
  const rows: Row[] = [];
  for (const result of results) {
    affectedRows += result.affectedRows;
    if (lastInsertId === 0n) lastInsertId = result.lastInsertId;
    warnings += result.warnings;
    for (const row of result.rows) rows.push(row);
  }
  return { fields: withFields?.fields ?? [], rows, affectedRows, lastInsertId, warnings, info: sumInfo(results.map((r) => r.info)) };
}

/**
 * The OK packets' info texts (`Rows matched: 2  Changed: 2  Warnings: 0`, `Records: 3  Duplicates: 0
 * Warnings: 0`) added up, as one server running all the rows would have counted them; drivers read
 * changedRows from it.
 */
function sumInfo(infos: readonly string[]): string {
  const present = infos.filter((info) => info !== "");
  if (present.length === 0) return "";
  const shape = (info: string) => info.replace(/\d+/g, "#");
  if (present.some((info) => shape(info) !== shape(present[0]!))) return "";
  const totals = present.map((info) => [...info.matchAll(/\d+/g)].map((m) => BigInt(m[0])));
  let index = 0;
  return present[0]!.replace(/\d+/g, () => {
    const sum = totals.reduce((acc, numbers) => acc + numbers[index]!, 0n);
    index++;
    return String(sum);
  });
}

