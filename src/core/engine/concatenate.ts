import { MySqlError } from "../errors.ts";
import { decodeUtf8 } from "../protocol/bytes.ts";
import type { BindValues, PlanDescription, Primitive, VCursor } from "./primitive.ts";
import type { QueryResult, Row } from "./query-result.ts";
import { isCollatedText } from "./row-order.ts";
import { rescaled, unionColumns } from "./union-columns.ts";

/** A union column compared at the gateway: its index, and the helper column holding `COLLATION(expr)` on each row. */
export interface CollatedColumn {
  column: number;
  collation: number;
}

export interface ConcatenateOptions {
  /** Trailing helper columns (weights, collations): not the client's, so not held to the union's type rules. */
  helpers: number;
  /**
   * Columns the gateway will compare (deduplicate or order by their WEIGHT_STRING): each input computed
   * the weights under its own column's collation, which are comparable only when every input's is the same.
   */
  collated: readonly CollatedColumn[];
  /** The server would gather this union in a temporary table (DISTINCT, or the union's ORDER BY): see unionColumns. */
  materialized: boolean;
}

const SPACE = 0x20;

/**
 * The rows of several SELECTs one after the other (Vitess's Concatenate, for UNION), in the union's
 * columns: named after the first SELECT's, typed as the server would type them (see unionColumns;
 * SELECTs whose values the server would convert in ways the gateway cannot reproduce are refused,
 * before anything reaches the client, as nothing is written until the plan has run).
 * Inputs run one after another: a session in a transaction has one connection per shard, which serves
 * one statement at a time (each input still reaches its shards in parallel).
 */
export class Concatenate implements Primitive {
  constructor(
    readonly inputs: readonly Primitive[],
    readonly options: ConcatenateOptions,
  ) {}

  async execute(vcursor: VCursor, bind: BindValues): Promise<QueryResult> {
    const results: QueryResult[] = [];
    for (const input of this.inputs) results.push(await input.execute(vcursor, bind));
    const { fields, rescale } = unionColumns(
      results.map((r) => r.fields),
      this.options.helpers,
      this.options.materialized,
    );
    checkCollations(results, this.options.collated);
    const rows: Row[] = [];
    let warnings = 0;
    results.forEach((result, input) => {
      warnings += result.warnings;
      const zeros = rescale[input]!.flatMap((n, column) => (n > 0 ? [{ column, n }] : []));
      for (const row of result.rows) {
        if (zeros.length === 0) {
          rows.push(row);
          continue;
        }
        const copy = row.slice();
        for (const { column, n } of zeros) {
          const value = copy[column];
          if (value) copy[column] = rescaled(value, n);
        }
        rows.push(copy);
      }
    });
    return { fields, rows, affectedRows: 0n, lastInsertId: 0n, warnings, info: "" };
  }

  describe(): PlanDescription {
    return { OperatorType: "Concatenate", Inputs: this.inputs.map((input) => input.describe()) };
  }
}

/**
 * Every text value the gateway compares must come with a weight computed under one collation: the
 * union's (MySQL aggregates the SELECTs' collations into one; when they differ, the weights the shards
 * computed under each are not comparable). The weights are of the RTRIM'd value, right for PAD SPACE
 * collations; under a NO PAD one ('a' < 'a ') a value ending in a space cannot be told apart by them.
 */
function checkCollations(results: readonly QueryResult[], collated: readonly CollatedColumn[]): void {
  for (const { column, collation } of collated) {
    let seen: Uint8Array | undefined;
    for (const result of results) {
      const width = result.fields.length;
      const at = (index: number) => (index < 0 ? width + index : index);
      const field = result.fields[at(column)]!;
      if (!isCollatedText(field)) continue;
      for (const row of result.rows) {
        const name = row[at(collation)];
        if (name === null || name === undefined) continue;
        if (seen === undefined) {
          seen = name;
          if (isNoPad(decodeUtf8(name))) checkNoTrailingSpaces(results, column, field.name);
        } else if (!sameBytes(name, seen)) {
          throw MySqlError.of(
            "NOT_SUPPORTED_YET",
            `shardgate does not support UNION of text columns in different collations (${decodeUtf8(seen)}, ${decodeUtf8(name)}) over several shards yet`,
          );
        }
      }
    }
  }
}

function isNoPad(collation: string): boolean {
  return /_nopad_|_0900_/i.test(collation);
}

function checkNoTrailingSpaces(results: readonly QueryResult[], column: number, name: string): void {
  for (const result of results) {
    const index = column < 0 ? result.fields.length + column : column;
    for (const row of result.rows) {
      const value = row[index];
      if (value && value.length > 0 && value[value.length - 1] === SPACE) {
        throw MySqlError.of("NOT_SUPPORTED_YET", `shardgate does not support comparing NO PAD text ending in spaces ('${name}') over several shards yet`);
      }
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
