import { MySqlError } from "../errors.ts";
import { shardForKeyspaceId } from "../vindexes/key-range-routing.ts";
import { formatSqlValue, sqlInt, SQL_NULL, type SqlValue } from "../vindexes/sql-value.ts";
import type { LookupRow, OwnedLookupVindex } from "../vindexes/vindex.ts";
import { dmlVCursor, type DmlVCursor } from "./dml-vcursor.ts";
import type { BindValues, PlanDescription, Primitive, VCursor } from "./primitive.ts";
import { concatResults, okResult, type QueryResult } from "./query-result.ts";
import type { QueryTemplate } from "./query-template.ts";
import { describeValue, sourceOf, valueOf, type RouteValue, routingKey } from "./route-value.ts";
import { nextSequenceIds, type SequenceRef } from "./sequence.ts";

/** Where the rows of an INSERT sit in its text: each shard gets the statement with only its own rows there. */
export const ROWS_SLOT = "\u0001ROWS\u0001";
/** Where a row's auto_increment value sits in its text: the id the sequence gives, or the row's own value. */
export const SEQUENCE_SLOT = "\u0001SEQ\u0001";

/** A row's value of a column: one of the statement's literals, or `next` (NULL or no value: the sequence's next id). */
export type InsertValue = RouteValue | "next";

export interface InsertVindexColumn {
  /** The vschema's vindex name. */
  name: string;
  column: string;
  /** Each row's value of the column. */
  values: readonly InsertValue[];
}

export interface InsertOptions {
  keyspace: string;
  table: string;
  /** The primary vindex: where each row goes. */
  vindex: InsertVindexColumn;
  /** The statement with its VALUES rows replaced by ROWS_SLOT. */
  query: QueryTemplate;
  /** Each row's text, as the client wrote it (with SEQUENCE_SLOT for the auto_increment value). */
  rows: readonly QueryTemplate[];
  /** The table's auto_increment column and the sequence that gives its ids (the column's values are in `values`). */
  sequence?: SequenceRef & { column: string; values: readonly InsertValue[] };
  /** Lookup vindexes the table owns: their rows are inserted with the table's rows. */
  owned?: readonly InsertVindexColumn[];
  /** Lookup vindexes of the table it does not own: each row's value must already map to the row's keyspace id. */
  verified?: readonly InsertVindexColumn[];
  /** INSERT IGNORE. */
  ignore?: boolean;
  /** REPLACE, or INSERT ... ON DUPLICATE KEY UPDATE: how a shard's one-row answer counts duplicates. */
  onDuplicate?: "replace" | "update";
}

/**
 * A multi-row INSERT into a sharded table, split so each shard receives only the rows it owns. As in
 * Vitess (engine/insert.go): ids come from the sequence first, then each row's keyspace id from the
 * primary vindex, then the lookup rows of owned vindexes are inserted, then the rows themselves.
 */
export class Insert implements Primitive {
  constructor(readonly options: InsertOptions) {}

  async execute(vcursor: VCursor, bind: BindValues): Promise<QueryResult> {
    const { sequence, owned = [] } = this.options;
    const generated = sequence ? await this.generate(vcursor, bind) : undefined;
    const value = (column: InsertVindexColumn, row: number): SqlValue => {
      if (generated && sameColumn(column.column, sequence!.column)) return generated.values[row]!;
      const given = column.values[row]!;
      return given === "next" ? SQL_NULL : valueOf(given, bind);
    };
    const ids = await this.keyspaceIds(vcursor, (row) => value(this.options.vindex, row));
    const skipped = await this.verify(vcursor, ids, value);
    const run = async () => {
      for (const lookup of owned) await this.createLookupRows(vcursor, lookup, ids, value);
      return this.insertRows(vcursor, bind, ids, generated?.sources, skipped);
    };
    const result = owned.length > 0 ? await dmlVCursor(vcursor, "an INSERT that writes lookup rows").atomically(run) : await run();
    if (generated?.first !== undefined) {
      dmlVCursor(vcursor, "an INSERT with a sequence").setLastInsertId(generated.first);
      return { ...result, lastInsertId: generated.first };
    }
    return result;
  }

  /**
   * Each row's auto_increment value: the next ids of the sequence for the rows that give NULL, no
   * value, or 0 (unless sql_mode has NO_AUTO_VALUE_ON_ZERO), as MySQL's auto_increment would; the
   * row's own value otherwise. `first` is the first generated id.
   */
  private async generate(vcursor: VCursor, bind: BindValues): Promise<{ values: SqlValue[]; sources: string[]; first: bigint | undefined }> {
    const sequence = this.options.sequence!;
    const given = sequence.values.map((v) => (v === "next" ? undefined : valueOf(v, bind)));
    let cursor: DmlVCursor | undefined;
    const dml = () => (cursor ??= dmlVCursor(vcursor, "an INSERT with a sequence"));
    const generates = given.map((v) => v === undefined || (isZero(v) && !dml().noAutoValueOnZero));
    const count = generates.filter(Boolean).length;
    const first = count > 0 ? await nextSequenceIds(dml(), sequence, count) : undefined;
    let next = first ?? 0n;
    const values: SqlValue[] = [];
    const sources: string[] = [];
    sequence.values.forEach((v, row) => {
      if (generates[row]) {
        values.push(sqlInt(next));
        sources.push(String(next));
        next++;
      } else {
        values.push(given[row]!);
        sources.push(sourceOf(v as RouteValue, bind));
      }
    });
    return { values, sources, first };
  }

  private async keyspaceIds(vcursor: VCursor, keyOf: (row: number) => SqlValue): Promise<Uint8Array[]> {
    const { keyspace, vindex, table, rows } = this.options;
    const keys = rows.map((_, row) => routingKey(keyOf(row)));
    const ids = await vcursor.vindex(keyspace, vindex.name).map(keys);
    return ids.map((id, row) => {
      if (id !== null) return id;
      const shown = keys[row]!.kind === "null" ? "NULL" : describeInsertValue(vindex.values[row]!);
      throw MySqlError.of("UNKNOWN", `could not map ${shown} to a keyspace id with vindex '${vindex.name}' for column '${vindex.column}' of table '${table}'`);
    });
  }

  private async createLookupRows(
    vcursor: VCursor,
    lookup: InsertVindexColumn,
    ids: readonly Uint8Array[],
    value: (column: InsertVindexColumn, row: number) => SqlValue,
  ): Promise<void> {
    const vindex = vcursor.vindex(this.options.keyspace, lookup.name) as Partial<OwnedLookupVindex>;
    if (typeof vindex.create !== "function") {
      throw MySqlError.of("NOT_SUPPORTED_YET", `vindex '${lookup.name}' is owned by table '${this.options.table}' but is not a lookup vindex`);
    }
    const rows: LookupRow[] = ids.map((keyspaceId, row) => ({ from: [value(lookup, row)], keyspaceId }));
    await vindex.create(rows, { ignore: this.options.ignore ?? false });
  }

  /**
   * Vitess `processUnowned`: a row whose value of an unowned lookup column maps elsewhere (or nowhere)
   * is refused, or with INSERT IGNORE left out (returned).
   */
  private async verify(vcursor: VCursor, ids: readonly Uint8Array[], value: (column: InsertVindexColumn, row: number) => SqlValue): Promise<Set<number>> {
    const skipped = new Set<number>();
    for (const lookup of this.options.verified ?? []) {
      const rows = ids.map((_, row) => row).filter((row) => value(lookup, row).kind !== "null");
      if (rows.length === 0) continue;
      const mapped = await vcursor.vindex(this.options.keyspace, lookup.name).map(rows.map((row) => value(lookup, row)));
      const wrong = rows.filter((row, i) => !sameBytes(mapped[i] ?? null, ids[row]!));
      if (this.options.ignore) {
        for (const row of wrong) skipped.add(row);
      } else if (wrong.length > 0) {
        const shown = wrong.map((row) => formatSqlValue(value(lookup, row))).join(", ");
        throw MySqlError.of("UNKNOWN", `values [${shown}] for column '${lookup.column}' do not map to the keyspace ids of their rows (vindex '${lookup.name}')`);
      }
    }
    return skipped;
  }

  private async insertRows(
    vcursor: VCursor,
    bind: BindValues,
    ids: readonly Uint8Array[],
    sequenceSources: readonly string[] | undefined,
    skipped: ReadonlySet<number>,
  ): Promise<QueryResult> {
    const { keyspace, rows, query } = this.options;
    const route = vcursor.keyspace(keyspace);
    const perShard = new Map<number, string[]>();
    ids.forEach((id, row) => {
      if (skipped.has(row)) return;
      const shard = shardForKeyspaceId(route.config.shards, id);
      if (!shard) throw MySqlError.of("UNKNOWN", `keyspace '${keyspace}' has no shard for the row ${row + 1}`);
      const index = route.config.shards.indexOf(shard);
      const list = perShard.get(index) ?? [];
      const text = rows[row]!.render(bind);
      // Function replacements: a row's text may hold `$&` and the like, which a replacement string would expand.
      list.push(sequenceSources ? text.replace(SEQUENCE_SLOT, () => sequenceSources[row]!) : text);
      perShard.set(index, list);
    });
    if (perShard.size === 0) return okResult();
    const sql = query.render(bind);
    const shards = [...perShard.keys()].sort((a, b) => a - b);
    const results = await vcursor.executeMulti(
      shards.map((shard) => ({ pool: route.pools[shard]!, sql: sql.replace(ROWS_SLOT, () => perShard.get(shard)!.join(", ")) })),
    );
    const merged = concatResults(results);
    return rows.length > 1 ? { ...merged, info: this.info(results, merged.warnings, skipped.size) } : merged;
  }

  /**
   * The info of a multi-row INSERT as one server would write it. A shard that got one row answers
   * without info (MySQL writes it for multi-row statements only), so its duplicates are read from its
   * affected rows: an ignored row is 0, a replaced one 2, an updated one 2 (MySQL's duplicates are
   * `records - copied` with IGNORE, else `deleted + updated`).
   */
  private info(results: readonly QueryResult[], warnings: number, skipped: number): string {
    const { ignore, onDuplicate } = this.options;
    let duplicates = BigInt(skipped);
    for (const result of results) {
      const counted = /Records: \d+\s+Duplicates: (\d+)/.exec(result.info);
      if (counted) duplicates += BigInt(counted[1]!);
      else if (ignore) duplicates += result.affectedRows === 0n ? 1n : 0n;
      else if (onDuplicate) duplicates += result.affectedRows === 2n ? 1n : 0n;
    }
    return `Records: ${this.options.rows.length}  Duplicates: ${duplicates}  Warnings: ${warnings}`;
  }

  describe(): PlanDescription {
    const { keyspace, table, vindex, query, sequence, owned } = this.options;
    const description: PlanDescription = {
      OperatorType: "Insert",
      Variant: "Sharded",
      Keyspace: { Name: keyspace, Sharded: true },
      Table: table,
      Vindex: vindex.name,
      Query: query.text.replace(ROWS_SLOT, "::__rows"),
      VindexValues: vindex.values.map(describeInsertValue),
    };
    if (sequence) description["AutoIncrement"] = `${sequence.keyspace}.${sequence.table}:${sequence.column}`;
    if (owned && owned.length > 0) description["OwnedVindexes"] = owned.map((o) => o.name);
    return description;
  }
}

function describeInsertValue(value: InsertValue): string {
  return value === "next" ? ":__seq" : describeValue(value);
}

function sameColumn(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** What MySQL's auto_increment takes for "no value" besides NULL: 0, also written as '0'. */
function isZero(value: SqlValue): boolean {
  if (value.kind === "int" || value.kind === "uint") return value.value === 0n;
  if (value.kind === "string") return value.bytes.length === 1 && value.bytes[0] === 0x30;
  return false;
}

function sameBytes(a: Uint8Array | null, b: Uint8Array): boolean {
  return a !== null && a.length === b.length && a.every((byte, i) => byte === b[i]);
}
