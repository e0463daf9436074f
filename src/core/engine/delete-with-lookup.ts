import { MySqlError } from "../errors.ts";
import type { ColumnDefinition } from "../protocol/column-definition.ts";
import { ColumnFlag, ColumnType } from "../protocol/constants.ts";
import { sqlDecimal, sqlFloat, sqlInt, sqlString, sqlUint, SQL_NULL, type SqlValue } from "../vindexes/sql-value.ts";
import type { LookupRow, OwnedLookupVindex } from "../vindexes/vindex.ts";
import { dmlVCursor } from "./dml-vcursor.ts";
import type { BindValues, PlanDescription, Primitive, VCursor } from "./primitive.ts";
import { concatResults, type QueryResult } from "./query-result.ts";
import type { Route } from "./route.ts";

export interface DeleteWithLookupOptions {
  keyspace: string;
  table: string;
  /** The table's primary vindex, which gives each deleted row's keyspace id. */
  primaryVindex: string;
  /** The lookup vindexes the table owns, and their columns. */
  owned: readonly { name: string; column: string }[];
  /**
   * `SELECT primary_col, owned_col... FROM <the DELETE's FROM, WHERE, ORDER BY, LIMIT> FOR UPDATE`,
   * routed as the delete is (Vitess's OwnedVindexQuery).
   */
  select: Route;
  delete: Route;
}

/**
 * DELETE from a table that owns lookup vindexes (Vitess engine/delete.go with owned vindexes): reads
 * the owned columns of the rows about to go, locking them, removes their lookup rows, then deletes the
 * rows, all in one transaction (the session's, or one of its own).
 */
export class DeleteWithLookup implements Primitive {
  constructor(readonly options: DeleteWithLookupOptions) {}

  async execute(vcursor: VCursor, bind: BindValues): Promise<QueryResult> {
    const { keyspace, primaryVindex, owned } = this.options;
    return dmlVCursor(vcursor, "a DELETE that removes lookup rows").atomically(async () => {
      // Routed before the lookup rows go: a delete routed by one of them must still find its shard.
      const targets = await this.options.delete.shardQueries(vcursor, bind);
      const selected = concatResults(await vcursor.executeMulti(await this.options.select.shardQueries(vcursor, bind)));
      if (selected.rows.length > 0) {
        const values = selected.rows.map((row) => row.map((cell, i) => cellValue(selected.fields[i]!, cell)));
        const ids = await vcursor.vindex(keyspace, primaryVindex).map(values.map((row) => row[0]!));
        for (const [index, lookup] of owned.entries()) {
          const rows: LookupRow[] = [];
          values.forEach((row, r) => {
            const id = ids[r];
            if (id === null || id === undefined) throw MySqlError.of("UNKNOWN", `a row of table '${this.options.table}' has no keyspace id for vindex '${primaryVindex}'`);
            const from = row[index + 1]!;
            if (from.kind !== "null") rows.push({ from: [from], keyspaceId: id });
          });
          await this.ownedVindex(vcursor, lookup.name).delete(rows);
        }
      }
      return concatResults(await vcursor.executeMulti(targets));
    });
  }

  private ownedVindex(vcursor: VCursor, name: string): OwnedLookupVindex {
    const vindex = vcursor.vindex(this.options.keyspace, name) as Partial<OwnedLookupVindex>;
    if (typeof vindex.delete !== "function") throw MySqlError.of("UNKNOWN", `vindex '${name}' is owned by table '${this.options.table}' but is not a lookup vindex`);
    return vindex as OwnedLookupVindex;
  }

  describe(): PlanDescription {
    const route = this.options.delete.describe();
    return {
      ...route,
      OperatorType: "Delete",
      Table: this.options.table,
      OwnedVindexQuery: this.options.select.describe()["Query"],
      OwnedVindexes: this.options.owned.map((o) => o.name),
    };
  }
}

const INTEGER_TYPES = new Set<number>([ColumnType.TINY, ColumnType.SHORT, ColumnType.LONG, ColumnType.INT24, ColumnType.LONGLONG, ColumnType.YEAR]);

/** A text-protocol cell as the typed value a vindex maps (Vitess's sqltypes.Value of that column type). */
function cellValue(field: ColumnDefinition, cell: Uint8Array | null): SqlValue {
  if (cell === null) return SQL_NULL;
  const text = new TextDecoder().decode(cell);
  if (INTEGER_TYPES.has(field.type)) return field.flags & ColumnFlag.UNSIGNED ? sqlUint(BigInt(text)) : sqlInt(BigInt(text));
  if (field.type === ColumnType.DECIMAL || field.type === ColumnType.NEWDECIMAL) return sqlDecimal(text);
  if (field.type === ColumnType.FLOAT || field.type === ColumnType.DOUBLE) return sqlFloat(text);
  return sqlString(cell);
}
