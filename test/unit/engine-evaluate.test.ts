import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ComputeColumns, formatterFor } from "../../src/core/engine/compute-columns.ts";
import { bindExpression, compileExpression, misgroupedLogic, type Expr } from "../../src/core/engine/evaluate.ts";
import { Filter } from "../../src/core/engine/filter.ts";
import { decimalQuotient, formatDouble, formatDoubleFixed } from "../../src/core/engine/numeric-value.ts";
import type { BindValues, Primitive, VCursor } from "../../src/core/engine/primitive.ts";
import type { QueryResult, Row } from "../../src/core/engine/query-result.ts";
import { MySqlError } from "../../src/core/errors.ts";
import { parameterize } from "../../src/core/planner/parameterize.ts";
import { parseStatement } from "../../src/core/planner/sql-parser.ts";
import type { SqlNode } from "../../src/core/planner/sql-node.ts";
import type { ColumnDefinition } from "../../src/core/protocol/column-definition.ts";
import { ColumnFlag, ColumnType } from "../../src/core/protocol/constants.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function field(name: string, type: number, decimals = 0, flags = 0): ColumnDefinition {
  return { schema: "", table: "", orgTable: "", name, orgName: "", characterSet: 63, columnLength: 20, type, flags, decimals };
}

/** Columns of the rows the expressions below read: `c0`, `c1`, ... by position. */
const FIELDS = [
  field("c0", ColumnType.LONGLONG),
  field("c1", ColumnType.NEWDECIMAL, 2),
  field("c2", ColumnType.DOUBLE, 31),
  field("c3", ColumnType.VAR_STRING),
  field("c4", ColumnType.LONGLONG, 0, ColumnFlag.UNSIGNED),
];

const row = (...values: (string | null)[]): Row => values.map((v) => (v === null ? null : encoder.encode(v)));

/**
 * Compiles `expression` as a HAVING clause, as the planner would (literals as placeholders; the parser
 * groups logical operators worst there); `cN` reads column N.
 */
async function compile(expression: string): Promise<{ expr: Expr; bind: BindValues }> {
  const statement = parameterize(`SELECT 1 FROM t GROUP BY c0 HAVING ${expression}`)!;
  const ast = await parseStatement(statement.text);
  const expr = compileExpression(ast["having"] as SqlNode, statement.text, (node) => {
    const name = String(node["column"]);
    if (node.type !== "column_ref" || !/^c\d$/.test(name)) throw new Error(`unexpected reference ${JSON.stringify(node)}`);
    return { op: "column", column: Number(name.slice(1)) };
  });
  return { expr, bind: statement.literals };
}

/** The value of `expression` over `values`, printed in a column of the given type as the server would. */
async function evaluate(expression: string, type: number, decimals: number, values: Row = row("7", "2.50", "1.5", "abc", "18446744073709551615")): Promise<string | null> {
  const { expr, bind } = await compile(expression);
  const bound = bindExpression(expr, FIELDS, bind);
  const out = formatterFor(bound.type, field("out", type, decimals), expression)(bound.evaluate(values));
  return out === null ? null : decoder.decode(out);
}

async function refused(expression: string, pattern: RegExp): Promise<void> {
  await assert.rejects(
    async () => {
      const { expr, bind } = await compile(expression);
      bindExpression(expr, FIELDS, bind).evaluate(row("7", "2.50", "1.5", "abc", "1"));
    },
    (error: unknown) => error instanceof MySqlError && error.code === 1235 && pattern.test(error.message),
    expression,
  );
}

const { LONGLONG, LONG, NEWDECIMAL, DOUBLE } = ColumnType;

describe("evaluate: values as MariaDB 10.11 computes and prints them", () => {
  // [expression, column type, decimals, the server's text]: read from the server with these literals.
  const cases: [string, number, number, string | null][] = [
    ["1/3", NEWDECIMAL, 4, "0.3333"],
    ["1/3*3", NEWDECIMAL, 4, "1.0000"],
    ["(1/3)*1000000000", NEWDECIMAL, 4, "333333333.0000"],
    ["1.5/7*1000000000000", NEWDECIMAL, 5, "214285714000.00000"],
    ["1.5/7.3*1000000000000000000", NEWDECIMAL, 5, "205479452054794520.00000"],
    ["1.1234567891/7*10000000000000000000", NEWDECIMAL, 14, "1604938270142857140.00000000000000"],
    ["10/3/3", NEWDECIMAL, 8, "1.11111111"],
    ["123.45 / 0.007", NEWDECIMAL, 6, "17635.714286"],
    ["0.0001 / 3", NEWDECIMAL, 8, "0.00003333"],
    ["5 / 0", NEWDECIMAL, 4, null],
    ["7 div 2", LONGLONG, 0, "3"],
    ["-7 div 2", LONGLONG, 0, "-3"],
    ["7.5 div 2", LONGLONG, 0, "3"],
    ["-7 % 2", LONGLONG, 0, "-1"],
    ["7 % 2.5", NEWDECIMAL, 1, "2.0"],
    ["mod(-7.5, 2)", NEWDECIMAL, 1, "-1.5"],
    ["1 + 2 * 3 - 4", LONGLONG, 0, "3"],
    ["1.5 * 1.5 * 1.5", NEWDECIMAL, 3, "3.375"],
    ["3 - -3.25", NEWDECIMAL, 2, "6.25"],
    ["18446744073709551615 - 1", LONGLONG, 0, "18446744073709551614"],
    ["1e0/3", DOUBLE, 31, "0.3333333333333333"],
    ["0.1e0 + 0.2e0", DOUBLE, 31, "0.30000000000000004"],
    ["1e16/3", DOUBLE, 31, "3333333333333333.5"],
    ["round(2.5)", NEWDECIMAL, 0, "3"],
    ["round(-2.5)", NEWDECIMAL, 0, "-3"],
    ["round(1.15e0, 1)", DOUBLE, 1, "1.2"],
    ["round(2.5e0)", DOUBLE, 0, "2"],
    ["round(-125.5, -1)", NEWDECIMAL, 0, "-130"],
    ["round(155, -2)", NEWDECIMAL, 0, "200"],
    ["truncate(-155.55, -1)", NEWDECIMAL, 0, "-150"],
    ["truncate(1.999e0, 2)", DOUBLE, 2, "1.99"],
    ["round(1.2345, 2) + 1", NEWDECIMAL, 2, "2.23"],
    ["floor(-1.5)", LONGLONG, 0, "-2"],
    ["ceil(-0.5)", LONGLONG, 0, "0"],
    ["abs(-3.25)", NEWDECIMAL, 2, "3.25"],
    ["sign(-3.25)", LONG, 0, "-1"],
    ["ifnull(1, 2.25)", NEWDECIMAL, 2, "1.00"],
    ["if(1 > 2, 1, 2.5)", NEWDECIMAL, 1, "2.5"],
    ["round(0.25e0,2) * round(0.5e0, 1)", DOUBLE, 2, "0.12"],
    ["round(1e0,2)/8", DOUBLE, 6, "0.125000"],
    // Columns: c0 = 7, c1 = 2.50, c2 = 1.5, c4 = 18446744073709551615 (UNSIGNED).
    ["c1 / c0", NEWDECIMAL, 6, "0.357143"],
    ["c1 / c0 * c0", NEWDECIMAL, 6, "2.500000"],
    ["c0 * c1 + 1", NEWDECIMAL, 2, "18.50"],
    ["c2 / c0", DOUBLE, 31, "0.21428571428571427"],
    ["c4 - c0", LONGLONG, 0, "18446744073709551608"],
  ];
  for (const [expression, type, decimals, expected] of cases) {
    it(`${expression} = ${expected}`, async () => assert.equal(await evaluate(expression, type, decimals), expected));
  }

  it("follows three-valued logic", async () => {
    const cases: [string, string | null][] = [
      ["1 and null", null], ["0 and null", "0"], ["1 or null", "1"], ["0 or null", null], ["1 xor null", null], ["1 xor 0", "1"],
      ["not null", null], ["not 0", "1"], ["null is false", "0"], ["null is not true", "1"], ["0.5 is true", "1"],
      ["1 = null", null], ["null <=> null", "1"], ["1 <=> null", "0"], ["c0 <=> 7", "1"], ["3 in (1, null)", null], ["3 in (3, null)", "1"],
      ["3 not in (1, 2)", "1"], ["3 between 1 and 5", "1"], ["3 not between 1 and 2", "1"], ["null between 1 and 2", null],
      ["(1 > 2 or 3 > 2) and not (c0 = 7)", "0"], ["2 > 1 > 0", "1"], ["(2 > 1) + (3 > 1)", "2"], ["0.1 + 0.2 = 0.3", "1"],
      ["0.1e0 + 0.2e0 = 0.3", "0"], ["round(1.3e0, 1) = 1.34", "0"], ["5 in (5.0, 6)", "1"], ["c1 between 2.5 and 2.5", "1"],
    ];
    for (const [expression, expected] of cases) assert.equal(await evaluate(expression, LONGLONG, 0), expected, expression);
  });

  it("divides DECIMALs as decimal_div: truncated after whole 9-digit words", () => {
    assert.deepEqual(decimalQuotient({ units: 1n, frac: 0 }, { units: 3n, frac: 0 }, 4), { units: 333333333n, frac: 9 });
    assert.deepEqual(decimalQuotient({ units: 250n, frac: 2 }, { units: 7n, frac: 0 }, 4), { units: 357142857n, frac: 9 });
    assert.deepEqual(decimalQuotient({ units: 15n, frac: 1 }, { units: 73n, frac: 1 }, 4), { units: 205479452054794520n, frac: 18 });
    assert.equal(decimalQuotient({ units: 1n, frac: 0 }, { units: 0n, frac: 2 }, 4), null);
  });

  it("prints DOUBLEs as my_gcvt and my_fcvt do", () => {
    const cases: [number, string][] = [
      [1e15, "1e15"], [1e14, "100000000000000"], [123456789012345678, "1.2345678901234568e17"], [123456789012345.6, "123456789012345.6"],
      [1e-5, "0.00001"], [-1e-7, "-0.0000001"], [1.5e-15, "0.0000000000000015"], [1e-16, "1e-16"], [1.5e300, "1.5e300"], [-0, "0"],
      [1 / 7e14, "0.0000000000000014285714285714285"], [1 / 7e15, "1.4285714285714286e-16"], [1e17 / 3, "3.3333333333333332e16"],
    ];
    for (const [value, text] of cases) assert.equal(formatDouble(value), text, String(value));
    assert.equal(formatDoubleFixed(0.125, 2), "0.12");
    assert.equal(formatDoubleFixed(0.375, 2), "0.38");
    assert.equal(formatDoubleFixed(1.33, 2), "1.33");
    assert.equal(formatDoubleFixed(-0.001, 2), "0.00");
    assert.equal(formatDoubleFixed(2, 0), "2");
  });
});

describe("evaluate: refusals", () => {
  it("refuses groupings of logical operators node-sql-parser may have got wrong", async () => {
    await refused("c0 > 1 or c0 > 2 and c0 > 3", /logical operators/);
    await refused("c0 xor c1 and c2", /logical operators/);
    await refused("c0 and c1 xor c2", /logical operators/);
    await refused("c0 > 1 xor c0 > 2", /logical operators/);
    await refused("not (c0) > 1", /logical operators/);
    await refused("c0 > 1 || c0 > 2", /PIPES_AS_CONCAT/);
    // The same with parentheses, or in an order whose grouping MySQL shares, is computed.
    assert.equal(await evaluate("c0 > 1 or (c0 > 2 and c0 > 3)", LONGLONG, 0), "1");
    assert.equal(await evaluate("c0 > 1 and c0 > 2 or c0 > 30", LONGLONG, 0), "1");
    assert.equal(await evaluate("(c0 > 1) xor (c0 > 2)", LONGLONG, 0), "0");
  });

  it("finds the same misgroupings in a WHERE clause", async () => {
    const where = async (condition: string) => (await parseStatement(`SELECT * FROM t WHERE ${condition}`))["where"];
    assert.ok(misgroupedLogic(await where("sku = 'a' OR price > 1 AND customer_id = 5")));
    assert.equal(misgroupedLogic(await where("sku = 'a' OR (price > 1 AND customer_id = 5)")), undefined);
    assert.equal(misgroupedLogic(await where("price > 1 AND customer_id = 5 OR sku = 'a'")), undefined);
    assert.equal(misgroupedLogic(await where("a = 1 AND NOT b = 2 AND c IN (1, 2)")), undefined);
  });

  it("refuses functions and operators it does not compute, while planning", async () => {
    await refused("concat(c0, 'x')", /CONCAT/);
    await refused("greatest(c0, 1)", /GREATEST/);
    await refused("c3 like 'a%'", /LIKE/);
    await refused("case when c0 > 1 then 1 else 0 end", /at the gateway/);
    await refused("round(c1, c0)", /not a literal/);
  });

  it("refuses text: string literals and non-numeric columns", async () => {
    await refused("c0 > 'a'", /string values/);
    await refused("c3 > 5", /non-numeric/);
  });

  it("refuses a comparison MySQL and MariaDB answer differently", async () => {
    // 1/3 is 0.333333333 inside the server: MySQL compares that, MariaDB the printed 0.3333.
    await refused("1/3 = 0.3333", /MySQL and MariaDB/);
    await refused("c1 / c0 = 0.357143", /MySQL and MariaDB/);
    assert.equal(await evaluate("c1 / c0 > 0.357143", LONGLONG, 0), "0");
    assert.equal(await evaluate("1/3 = 0.33333", LONGLONG, 0), "0");
    assert.equal(await evaluate("1/3 between 0.3333 and 0.3333", LONGLONG, 0), "0");
  });

  it("refuses a value in a column type the evaluation does not produce", async () => {
    await assert.rejects(() => evaluate("c2 + 1", NEWDECIMAL, 2), /its column's type/);
    await assert.rejects(() => evaluate("c1 / 3", LONGLONG, 0), /its column's type/);
  });
});

class Rows implements Primitive {
  constructor(private readonly result: QueryResult) {}
  async execute(): Promise<QueryResult> {
    return { ...this.result, rows: this.result.rows.map((r) => r.slice()) };
  }
  describe() {
    return { OperatorType: "Rows" };
  }
}

describe("Filter and ComputeColumns", () => {
  const vcursor = {} as VCursor;
  const groups: QueryResult = {
    fields: [field("g", LONGLONG), field("avg", NEWDECIMAL, 6), field("SUM(x)", NEWDECIMAL, 2), field("COUNT(x)", LONGLONG)],
    rows: [row("1", "0", "10.00", "3"), row("2", "0", "1.00", "4"), row("3", "0", null, "0")],
    affectedRows: 0n,
    lastInsertId: 0n,
    warnings: 0,
    info: "",
  };
  const average: Expr = { op: "avg", sum: 2, count: 3 };

  it("computes a column from the merged aggregates, printed with the server's decimals", async () => {
    const plan = new ComputeColumns(new Rows(groups), [{ column: 1, expr: average, text: "SUM(x) / COUNT(x)" }]);
    const result = await plan.execute(vcursor, []);
    assert.deepEqual(result.rows.map((r) => decoder.decode(r[1] ?? new Uint8Array()) || null), ["3.333333", "0.250000", null]);
    assert.deepEqual(plan.describe(), { OperatorType: "Projection", Columns: ["1: SUM(x) / COUNT(x)"], Inputs: [{ OperatorType: "Rows" }] });
  });

  it("keeps the rows whose predicate is true", async () => {
    const { expr, bind } = await compile("c0 > 1 or c2 is null");
    const plan = new Filter(new Rows(groups), expr, "g > 1 OR SUM(x) IS NULL");
    const result = await plan.execute(vcursor, bind);
    assert.deepEqual(result.rows.map((r) => decoder.decode(r[0]!)), ["2", "3"]);
    const byAverage = new Filter(new Rows(groups), { op: "compare", operator: ">", left: average, right: { op: "literal", value: { param: 0 } } }, "AVG(x) > :__sg0");
    const [literal] = parameterize("SELECT 1")!.literals;
    assert.deepEqual((await byAverage.execute(vcursor, [literal!])).rows.map((r) => decoder.decode(r[0]!)), ["1"]);
    assert.deepEqual(plan.describe(), { OperatorType: "Filter", Predicate: "g > 1 OR SUM(x) IS NULL", Inputs: [{ OperatorType: "Rows" }] });
  });
});
