import { encodeUtf8, decodeUtf8 } from "../protocol/bytes.ts";
import type { ColumnDefinition } from "../protocol/column-definition.ts";
import { ColumnType } from "../protocol/constants.ts";
import { addDecimals, divideDecimal, formatDecimal, parseDecimal, type Decimal } from "./decimal-text.ts";
import type { BindValues, PlanDescription, Primitive, VCursor } from "./primitive.ts";
import type { QueryResult, Row } from "./query-result.ts";
import { groupKey, keyComparator, resolveColumn, resolveKey, rowComparator, type OrderKey } from "./row-order.ts";

/**
 * How one column of the shards' partial results combines into the final one:
 * - sum / count: added (COUNT(*), COUNT(x), SUM(x) each computed per shard);
 * - min / max: the least / greatest, compared as the server would (text by its weight column);
 * - avg: `sumColumn / countColumn`, with the scale and type of the shard's own AVG column;
 * - countDistinct / sumDistinct / avgDistinct: over the distinct values of `argument` (the shards grouped by it too);
 * - bitAnd / bitOr / bitXor: the shards' results combined bit by bit (64-bit unsigned, as the server computes them);
 * - any: the value of the group's first row (group keys, columns functionally dependent on them).
 */
export type AggregateOp =
  | "any" | "sum" | "count" | "min" | "max" | "avg" | "countDistinct" | "sumDistinct" | "avgDistinct" | "bitAnd" | "bitOr" | "bitXor";

export interface AggregateColumn {
  column: number;
  op: AggregateOp;
  weight?: number;
  sumColumn?: number;
  countColumn?: number;
  argument?: OrderKey;
}

interface Group {
  row: Row;
  distinct: Map<number, Map<string, Uint8Array>>;
  /** Running sums and counts by column, kept as numbers and printed once the group is complete. */
  totals: Map<number, Total>;
}

/** A running total: exact for integer and DECIMAL columns, a double for FLOAT/DOUBLE ones. */
type Total = Decimal | number;

/** Merges rows that belong to one group (GROUP BY keys, or DISTINCT over whole rows) into one. */
export class Aggregate implements Primitive {
  constructor(
    readonly input: Primitive,
    readonly keys: readonly OrderKey[],
    readonly aggregates: readonly AggregateColumn[],
    /** MariaDB returns GROUP BY groups in key order; DISTINCT keeps no particular order. */
    readonly sortByKeys: boolean,
    readonly variant: "GroupBy" | "Distinct" | "Scalar",
  ) {}

  async execute(vcursor: VCursor, bind: BindValues): Promise<QueryResult> {
    const result = await this.input.execute(vcursor, bind);
    const { fields } = result;
    const width = fields.length;
    const at = (column: number | undefined) => (column === undefined ? undefined : resolveColumn(width, column));
    const combiners = this.aggregates.map((a) =>
      combiner(fields, {
        ...a,
        column: at(a.column)!,
        weight: at(a.weight),
        sumColumn: at(a.sumColumn),
        countColumn: at(a.countColumn),
        argument: a.argument && resolveKey(width, a.argument),
      }),
    );
    const groups = new Map<string, Group>();
    for (const row of result.rows) {
      const key = groupKey(fields, this.keys, row);
      const group = groups.get(key);
      if (!group) {
        const fresh: Group = { row: row.slice(), distinct: new Map(), totals: new Map() };
        groups.set(key, fresh);
        for (const c of combiners) c.start(fresh, row);
        continue;
      }
      for (const c of combiners) c.add(group, row);
    }
    const rows: Row[] = [];
    for (const group of groups.values()) {
      for (const c of combiners) c.finish(group);
      rows.push(group.row);
    }
    if (this.sortByKeys && rows.length > 1) rows.sort(rowComparator(fields, this.keys));
    return { ...result, rows };
  }

  describe(): PlanDescription {
    return {
      OperatorType: "Aggregate",
      Variant: this.variant,
      GroupBy: this.keys.map((k) => `${k.column}${k.weight === undefined ? "" : `|${k.weight}`}`).join(", "),
      Aggregates: this.aggregates.map((a) => `${a.op}(${a.column})`).join(", "),
      Inputs: [this.input.describe()],
    };
  }
}

interface Combiner {
  start(group: Group, row: Row): void;
  add(group: Group, row: Row): void;
  finish(group: Group): void;
}

function text(value: Uint8Array | null | undefined): string | null {
  return value === null || value === undefined ? null : decodeUtf8(value);
}

function combiner(fields: readonly ColumnDefinition[], aggregate: AggregateColumn): Combiner {
  const { column } = aggregate;
  const noop = () => {};
  switch (aggregate.op) {
    case "any":
      return { start: noop, add: noop, finish: noop };
    case "sum":
    case "count": {
      const total = runningTotal(fields[column]!, column);
      return { start: total.add, add: total.add, finish: (group) => (group.row[column] = total.print(total.of(group))) };
    }
    case "min":
    case "max": {
      const compare = keyComparator(fields, { column, weight: aggregate.weight });
      const sign = aggregate.op === "min" ? 1 : -1;
      return {
        start: noop,
        add: (group, row) => {
          if (row[column] === null) return;
          if (group.row[column] === null || sign * compare(row, group.row) < 0) {
            group.row[column] = row[column]!;
            if (aggregate.weight !== undefined) group.row[aggregate.weight] = row[aggregate.weight] ?? null;
          }
        },
        finish: noop,
      };
    }
    case "avg": {
      const sum = runningTotal(fields[aggregate.sumColumn!]!, aggregate.sumColumn!);
      const count = runningTotal(fields[aggregate.countColumn!]!, aggregate.countColumn!);
      const add = (group: Group, row: Row) => {
        sum.add(group, row);
        count.add(group, row);
      };
      return {
        start: add,
        add,
        finish: (group) => {
          // The helper columns carry the merged SUM and COUNT too: expressions over this AVG read them.
          group.row[aggregate.sumColumn!] = sum.print(sum.of(group));
          group.row[aggregate.countColumn!] = count.print(count.of(group));
          const n = count.of(group);
          group.row[column] = average(fields[column]!, sum.of(group), n === undefined ? 0 : toNumber(n));
        },
      };
    }
    case "bitAnd":
    case "bitOr":
    case "bitXor": {
      const combine = { bitAnd: (a: bigint, b: bigint) => a & b, bitOr: (a: bigint, b: bigint) => a | b, bitXor: (a: bigint, b: bigint) => a ^ b }[aggregate.op];
      return {
        start: noop,
        add: (group, row) => {
          const a = text(group.row[column]);
          const b = text(row[column]);
          if (a === null || b === null) return;
          group.row[column] = encodeUtf8(String(combine(BigInt(a), BigInt(b))));
        },
        finish: noop,
      };
    }
    case "countDistinct":
    case "sumDistinct":
    case "avgDistinct": {
      const argument = aggregate.argument!;
      const field = fields[argument.column]!;
      const collect = (group: Group, row: Row) => {
        const value = row[argument.column];
        if (value === null || value === undefined) return;
        let set = group.distinct.get(column);
        if (!set) group.distinct.set(column, (set = new Map()));
        set.set(groupKey(fields, [argument], row), value);
      };
      return {
        start: collect,
        add: collect,
        finish: (group) => {
          const values = [...(group.distinct.get(column)?.values() ?? [])];
          if (aggregate.op === "countDistinct") {
            group.row[column] = encodeUtf8(String(values.length));
            return;
          }
          let total: Total | undefined;
          const float = isFloat(fields[column]!) || isFloat(field);
          for (const value of values) total = plus(total, parseTotal(value, float));
          group.row[column] =
            aggregate.op === "sumDistinct" ? printTotal(total) : average(fields[column]!, total, values.length);
        },
      };
    }
  }
}

function isFloat(field: ColumnDefinition): boolean {
  return field.type === ColumnType.DOUBLE || field.type === ColumnType.FLOAT;
}

/**
 * SUM and COUNT over the shards' partial values of one column: each value is read once into the
 * group's running total (NULL is no value, as SUM skips NULLs), printed once when the group is done.
 */
function runningTotal(field: ColumnDefinition, column: number) {
  const float = isFloat(field);
  return {
    add(group: Group, row: Row): void {
      const value = row[column];
      if (value === null || value === undefined) return;
      group.totals.set(column, plus(group.totals.get(column), parseTotal(value, float)));
    },
    of: (group: Group): Total | undefined => group.totals.get(column),
    print: printTotal,
  };
}

function parseTotal(value: Uint8Array, float: boolean): Total {
  const text = decodeUtf8(value);
  return float ? Number(text) : parseDecimal(text);
}

function plus(total: Total | undefined, value: Total): Total {
  if (total === undefined) return value;
  return typeof total === "number" || typeof value === "number" ? toNumber(total) + toNumber(value) : addDecimals(total, value);
}

function toNumber(total: Total): number {
  return typeof total === "number" ? total : Number(formatDecimal(total));
}

function printTotal(total: Total | undefined): Uint8Array | null {
  if (total === undefined) return null;
  return encodeUtf8(typeof total === "number" ? formatDouble(total) : formatDecimal(total));
}

/** AVG from a sum and a count, with the type and scale of the shard's own AVG column. */
function average(field: ColumnDefinition, sum: Total | undefined, count: number): Uint8Array | null {
  if (sum === undefined || count === 0) return null;
  if (isFloat(field) || typeof sum === "number") return encodeUtf8(formatDouble(toNumber(sum) / count));
  return encodeUtf8(formatDecimal(divideDecimal(sum, BigInt(count), field.decimals)));
}

/** MySQL prints a DOUBLE with up to 17 significant digits, shortest round-trip, exponent past 1e15. */
function formatDouble(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const shortest = String(value);
  return shortest.replace("e+", "e");
}
