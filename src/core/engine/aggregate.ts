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
}

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
        const fresh: Group = { row: row.slice(), distinct: new Map() };
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
      const add = adder(fields[column]!);
      return {
        start: noop,
        add: (group, row) => {
          group.row[column] = add(group.row[column] ?? null, row[column] ?? null);
        },
        finish: noop,
      };
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
      const sumColumn = aggregate.sumColumn!;
      const countColumn = aggregate.countColumn!;
      const addSum = adder(fields[sumColumn]!);
      const addCount = adder(fields[countColumn]!);
      const avgField = fields[column]!;
      return {
        start: noop,
        add: (group, row) => {
          group.row[sumColumn] = addSum(group.row[sumColumn] ?? null, row[sumColumn] ?? null);
          group.row[countColumn] = addCount(group.row[countColumn] ?? null, row[countColumn] ?? null);
        },
        finish: (group) => {
          const sum = text(group.row[sumColumn]);
          const count = BigInt(text(group.row[countColumn]) ?? "0");
          if (sum === null || count === 0n) {
            group.row[column] = null;
          } else if (isFloat(avgField)) {
            group.row[column] = encodeUtf8(formatDouble(Number(sum) / Number(count)));
          } else {
            group.row[column] = encodeUtf8(formatDecimal(divideDecimal(parseDecimal(sum), count, avgField.decimals)));
          }
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
          const add = adder(isFloat(fields[column]!) ? fields[column]! : field);
          let total: Uint8Array | null = null;
          for (const value of values) total = add(total, value);
          if (aggregate.op === "sumDistinct" || total === null) {
            group.row[column] = total;
            return;
          }
          const avgField = fields[column]!;
          group.row[column] = isFloat(avgField)
            ? encodeUtf8(formatDouble(Number(decodeUtf8(total)) / values.length))
            : encodeUtf8(formatDecimal(divideDecimal(parseDecimal(decodeUtf8(total)), BigInt(values.length), avgField.decimals)));
        },
      };
    }
  }
}

function isFloat(field: ColumnDefinition): boolean {
  return field.type === ColumnType.DOUBLE || field.type === ColumnType.FLOAT;
}

/** Adds two values of a numeric column (NULL is no value, as SUM skips NULLs). */
function adder(field: ColumnDefinition): (a: Uint8Array | null, b: Uint8Array | null) => Uint8Array | null {
  return (a, b) => {
    if (a === null) return b;
    if (b === null) return a;
    const x = decodeUtf8(a);
    const y = decodeUtf8(b);
    if (isFloat(field)) return encodeUtf8(formatDouble(Number(x) + Number(y)));
    const sum: Decimal = addDecimals(parseDecimal(x), parseDecimal(y));
    return encodeUtf8(formatDecimal(sum));
  };
}

/** MySQL prints a DOUBLE with up to 17 significant digits, shortest round-trip, exponent past 1e15. */
function formatDouble(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const shortest = String(value);
  return shortest.replace("e+", "e");
}
