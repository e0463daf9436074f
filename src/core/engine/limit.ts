import { MySqlError } from "../errors.ts";
import type { BindValues, PlanDescription, Primitive, VCursor } from "./primitive.ts";
import { withRows, type QueryResult } from "./query-result.ts";
import { describeValue, routingKey, valueOf, type RouteValue } from "./route-value.ts";

/** `LIMIT count OFFSET offset` applied at the gateway (the shards were asked for offset + count rows each). */
export class Limit implements Primitive {
  constructor(
    readonly input: Primitive,
    readonly count: RouteValue,
    readonly offset: RouteValue | undefined,
  ) {}

  async execute(vcursor: VCursor, bind: BindValues): Promise<QueryResult> {
    const count = limitNumber(this.count, bind);
    const offset = this.offset ? limitNumber(this.offset, bind) : 0;
    const result = await this.input.execute(vcursor, bind);
    return withRows(result, result.rows.slice(offset, offset + count));
  }

  describe(): PlanDescription {
    const description: PlanDescription = { OperatorType: "Limit", Count: describeValue(this.count), Inputs: [this.input.describe()] };
    if (this.offset) description["Offset"] = describeValue(this.offset);
    return description;
  }
}

export function limitNumber(value: RouteValue, bind: BindValues): number {
  // A driver's DOUBLE parameter (`10e0`) that holds an integer is taken as that integer, as MariaDB takes it.
  const v = routingKey(valueOf(value, bind));
  if (v.kind === "int" || v.kind === "uint") return v.value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v.value);
  throw MySqlError.of("PARSE", "LIMIT takes integer arguments");
}
