import { describe, it } from "node:test";
import assert from "node:assert/strict";

import type { ShardPool } from "../../src/core/backend/shard-pool.ts";
import { keyRangeContains } from "../../src/core/config/key-range.ts";
import { parseConfig } from "../../src/core/config/load-config.ts";
import type { KeyspaceConfig } from "../../src/core/config/types.ts";
import { Aggregate, type AggregateColumn } from "../../src/core/engine/aggregate.ts";
import { Insert, ROWS_SLOT } from "../../src/core/engine/insert.ts";
import { Join } from "../../src/core/engine/join.ts";
import { Limit } from "../../src/core/engine/limit.ts";
import { MergeSort } from "../../src/core/engine/merge-sort.ts";
import type { BindValues, PlanDescription, Primitive, ShardQuery, VCursor } from "../../src/core/engine/primitive.ts";
import { ProjectColumns } from "../../src/core/engine/project-columns.ts";
import { TrimColumns } from "../../src/core/engine/projection.ts";
import { PulloutSubquery, sqlLiteral, type SubqueryUse } from "../../src/core/engine/pullout-subquery.ts";
import { okResult, type QueryResult, type Row } from "../../src/core/engine/query-result.ts";
import { QueryTemplate, renderText } from "../../src/core/engine/query-template.ts";
import { IN_LIST_SLOT, LIMIT_SLOT, Route, type RouteOptions } from "../../src/core/engine/route.ts";
import type { RouteValue } from "../../src/core/engine/route-value.ts";
import type { OrderKey } from "../../src/core/engine/row-order.ts";
import { MySqlError } from "../../src/core/errors.ts";
import { parameterize, type Literal } from "../../src/core/planner/parameterize.ts";
import type { ColumnDefinition } from "../../src/core/protocol/column-definition.ts";
import { ColumnFlag, ColumnType } from "../../src/core/protocol/constants.ts";
import type { KeyspaceRoute } from "../../src/core/routing-snapshot.ts";
import { HashVindex } from "../../src/core/vindexes/hash.ts";
import { SQL_NULL, sqlInt } from "../../src/core/vindexes/sql-value.ts";

// ---------------------------------------------------------------------------------------------
// Fixtures: a two-shard keyspace, a fake VCursor, realistic column definitions and text rows.
// ---------------------------------------------------------------------------------------------

const CONFIG = `
listen:
  mysql: 127.0.0.1:15306
users:
  - user: app
    password: secret
topology:
  customer:
    "-80": { primary: "mysql://root@127.0.0.1:3307/customer" }
    "80-": { primary: "mysql://root@127.0.0.1:3308/customer" }
vschema:
  customer:
    sharded: true
    vindexes: { hash: { type: hash } }
    tables:
      customer: { column_vindexes: [{ column: customer_id, name: hash }] }
      corder: { column_vindexes: [{ column: customer_id, name: hash }] }
`;

const KEYSPACE: KeyspaceConfig = parseConfig(CONFIG, {
  env: {},
  readFile: () => assert.fail("no files"),
  baseDir: "/",
}).keyspaces["customer"]!;

const LOW = "customer/-80";
const HIGH = "customer/80-";
/** Only `name` of a pool is used by the primitives (and by this fake cursor). */
const POOLS = [{ name: LOW }, { name: HIGH }] as unknown as ShardPool[];
const ROUTE: KeyspaceRoute = { config: KEYSPACE, pools: POOLS };

type Answer = QueryResult | ((sql: string) => QueryResult);

/** A VCursor over the two shards: records every (pool, sql) it is asked to run and answers from canned results per shard. */
class FakeVCursor implements VCursor {
  readonly sent: { pool: string; sql: string }[] = [];
  vindexCalls = 0;

  constructor(private readonly answers: Partial<Record<string, Answer>> = {}) {}

  keyspace(name: string): KeyspaceRoute {
    assert.equal(name, "customer", "the primitives only ask for the keyspace they route to");
    return ROUTE;
  }

  vindex(keyspace: string, name: string): HashVindex {
    assert.equal(keyspace, "customer");
    assert.equal(name, "hash");
    this.vindexCalls++;
    return new HashVindex();
  }

  async executeMulti(queries: readonly ShardQuery[]): Promise<QueryResult[]> {
    return queries.map(({ pool, sql }) => {
      this.sent.push({ pool: pool.name, sql });
      const answer = this.answers[pool.name];
      if (answer === undefined) return okResult();
      return typeof answer === "function" ? answer(sql) : clone(answer);
    });
  }
}

function clone(result: QueryResult): QueryResult {
  return { ...result, fields: [...result.fields], rows: result.rows.map((row) => [...row]) };
}

const UTF8MB4_GENERAL_CI = 45;
const BINARY = 63;

/** A column as the server describes it: text in utf8mb4 (45), numbers and binary strings in `binary` (63). */
function column(name: string, type: number, options: Partial<ColumnDefinition> = {}): ColumnDefinition {
  const text = type === ColumnType.VAR_STRING || type === ColumnType.STRING || type === ColumnType.BLOB || type === ColumnType.VARCHAR;
  return {
    schema: "customer",
    table: "corder",
    orgTable: "corder",
    name,
    orgName: name,
    characterSet: text ? UTF8MB4_GENERAL_CI : BINARY,
    columnLength: text ? 1020 : 20,
    type,
    flags: text ? 0 : ColumnFlag.NUM,
    decimals: type === ColumnType.NEWDECIMAL ? 2 : 0,
    ...options,
  };
}

const bigint = (name: string) => column(name, ColumnType.LONGLONG, { flags: ColumnFlag.NOT_NULL | ColumnFlag.NUM });
const decimal = (name: string, decimals = 2) => column(name, ColumnType.NEWDECIMAL, { decimals, columnLength: 12 });
const varchar = (name: string) => column(name, ColumnType.VAR_STRING);
/** `WEIGHT_STRING(...)`: a binary string column. */
const weight = (name: string) => column(`WEIGHT_STRING(RTRIM(${name}))`, ColumnType.VAR_STRING, { characterSet: BINARY, flags: ColumnFlag.BINARY });
const double = (name: string) => column(name, ColumnType.DOUBLE, { decimals: 31, columnLength: 23 });

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A text-protocol row: strings become their UTF-8 bytes, null stays SQL NULL, bytes stay bytes. */
function row(...values: (string | null | Uint8Array)[]): Row {
  return values.map((v) => (v === null ? null : typeof v === "string" ? encoder.encode(v) : v));
}

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

function result(fields: ColumnDefinition[], rows: Row[]): QueryResult {
  return { fields, rows, affectedRows: 0n, lastInsertId: 0n, warnings: 0, info: "" };
}

/** The rows as strings (null for NULL), for comparing answers. */
function texts(res: QueryResult): (string | null)[][] {
  return res.rows.map((r) => r.map((v) => (v === null ? null : decoder.decode(v))));
}

/** A leaf primitive answering canned rows (a copy each time). */
class Canned implements Primitive {
  executions = 0;
  lastBind: BindValues | undefined;

  constructor(private readonly answer: QueryResult) {}

  async execute(_vcursor: VCursor, bind: BindValues): Promise<QueryResult> {
    this.executions++;
    this.lastBind = bind;
    return clone(this.answer);
  }

  describe(): PlanDescription {
    return { OperatorType: "Canned" };
  }
}

/** The literals of a statement, exactly as the planner binds them. */
function bindOf(sql: string): Literal[] {
  const parameterized = parameterize(sql);
  assert.ok(parameterized, `parameterize(${sql})`);
  return parameterized.literals;
}

const param = (index: number, negative = false): RouteValue => (negative ? { param: index, negative } : { param: index });

function route(options: Partial<RouteOptions> & Pick<RouteOptions, "variant" | "query">): Route {
  return new Route({ keyspace: "customer", sharded: true, table: "customer", ...options });
}

const hash = new HashVindex();

function hex(id: Uint8Array): string {
  return Array.from(id, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The shard the hash vindex sends an integer key to, from the shards' key ranges. */
async function shardOf(key: number): Promise<string> {
  const [id] = await hash.map([sqlInt(key)]);
  assert.ok(id);
  const shard = KEYSPACE.shards.find((s) => keyRangeContains(s.keyRange, id));
  assert.ok(shard, `no shard for ${hex(id)}`);
  return `customer/${shard.name}`;
}

async function rejectsWith(promise: Promise<unknown>, code: number, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof MySqlError, `expected a MySqlError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------

describe("fixtures", () => {
  it("the keyspace has shards -80 and 80- and the hash vindex splits small ids between them", async () => {
    assert.deepEqual(KEYSPACE.shards.map((s) => s.name), ["-80", "80-"]);
    assert.equal(hex((await hash.map([sqlInt(1)]))[0]!), "166b40b44aba4bd6");
    assert.equal(await shardOf(1), LOW);
    assert.equal(await shardOf(4), HIGH); // d2fd8867d50d2dfe
    assert.equal(await shardOf(5), LOW); // 70bb023c810ca87a
    assert.equal(await shardOf(6), HIGH); // f098480ac4c4be71
  });
});

describe("Route", () => {
  const customers = result([bigint("customer_id"), varchar("email")], []);

  it("EqualUnique sends the statement to the one shard hash(value) maps to, with the literal as written", async () => {
    for (const [key, sql] of [
      [1, "SELECT * FROM customer WHERE customer_id = 1"],
      [4, "SELECT * FROM customer WHERE customer_id = 0004"],
    ] as const) {
      const bind = bindOf(sql);
      const vcursor = new FakeVCursor({ [LOW]: customers, [HIGH]: customers });
      const plan = route({ variant: "EqualUnique", query: new QueryTemplate("SELECT * FROM customer WHERE customer_id = :__sg0"), vindex: { name: "hash", column: "customer_id" }, values: [param(0)] });
      await plan.execute(vcursor, bind);
      assert.deepEqual(vcursor.sent, [{ pool: await shardOf(key), sql }]);
    }
  });

  it("EqualUnique with a negative literal hashes the negated value (-1 as 2^64-1) and keeps the sign in the text", async () => {
    const vcursor = new FakeVCursor();
    const plan = route({ variant: "EqualUnique", query: new QueryTemplate("SELECT email FROM customer WHERE customer_id = -:__sg0"), vindex: { name: "hash", column: "customer_id" }, values: [param(0, true)] });
    await plan.execute(vcursor, bindOf("SELECT email FROM customer WHERE customer_id = -1"));
    // hash(-1) = 355550b2150e2451: the low half.
    assert.deepEqual(vcursor.sent, [{ pool: LOW, sql: "SELECT email FROM customer WHERE customer_id = -1" }]);
  });

  it("EqualUnique with a value the vindex cannot map (a non-numeric string) goes to every shard rather than miss rows", async () => {
    const vcursor = new FakeVCursor();
    const plan = route({ variant: "EqualUnique", query: new QueryTemplate("SELECT * FROM customer WHERE customer_id = :__sg0"), vindex: { name: "hash", column: "customer_id" }, values: [param(0)] });
    await plan.execute(vcursor, bindOf("SELECT * FROM customer WHERE customer_id = 'abc'"));
    assert.deepEqual(vcursor.sent.map((s) => s.pool), [LOW, HIGH]);
  });

  it("IN splits the list so each shard gets only its own values (IN_LIST_SLOT), in shard order", async () => {
    const sql = "SELECT * FROM customer WHERE customer_id IN (4, 1, 6, 5)";
    const vcursor = new FakeVCursor({
      [LOW]: result(customers.fields, [row("1", "a@x"), row("5", "e@x")]),
      [HIGH]: result(customers.fields, [row("4", "d@x")]),
    });
    const plan = route({
      variant: "IN",
      query: new QueryTemplate(`SELECT * FROM customer WHERE customer_id IN (${IN_LIST_SLOT})`),
      vindex: { name: "hash", column: "customer_id" },
      values: [param(0), param(1), param(2), param(3)],
    });
    const answer = await plan.execute(vcursor, bindOf(sql));
    assert.deepEqual(vcursor.sent, [
      { pool: LOW, sql: "SELECT * FROM customer WHERE customer_id IN (1, 5)" },
      { pool: HIGH, sql: "SELECT * FROM customer WHERE customer_id IN (4, 6)" },
    ]);
    assert.deepEqual(texts(answer), [["1", "a@x"], ["5", "e@x"], ["4", "d@x"]], "rows concatenated in shard order");
  });

  it("IN whose values all live on one shard reaches only that shard", async () => {
    const vcursor = new FakeVCursor();
    const plan = route({ variant: "IN", query: new QueryTemplate(`DELETE FROM customer WHERE customer_id IN (${IN_LIST_SLOT})`), vindex: { name: "hash", column: "customer_id" }, values: [param(0), param(1)] });
    await plan.execute(vcursor, bindOf("DELETE FROM customer WHERE customer_id IN (1, 5)"));
    assert.deepEqual(vcursor.sent, [{ pool: LOW, sql: "DELETE FROM customer WHERE customer_id IN (1, 5)" }]);
  });

  it("IN sends an unmappable value to every shard, next to the mapped ones", async () => {
    const vcursor = new FakeVCursor();
    const plan = route({ variant: "IN", query: new QueryTemplate(`SELECT email FROM customer WHERE customer_id IN (${IN_LIST_SLOT})`), vindex: { name: "hash", column: "customer_id" }, values: [param(0), param(1)] });
    await plan.execute(vcursor, bindOf("SELECT email FROM customer WHERE customer_id IN (4, '1.0')"));
    assert.deepEqual(vcursor.sent, [
      { pool: LOW, sql: "SELECT email FROM customer WHERE customer_id IN ('1.0')" },
      { pool: HIGH, sql: "SELECT email FROM customer WHERE customer_id IN (4, '1.0')" },
    ]);
  });

  it("Scatter sends the same statement to both shards and concatenates their rows", async () => {
    const vcursor = new FakeVCursor({
      [LOW]: result(customers.fields, [row("1", "a@x")]),
      [HIGH]: result(customers.fields, [row("4", "d@x"), row("6", "f@x")]),
    });
    const plan = route({ variant: "Scatter", query: new QueryTemplate("SELECT * FROM customer WHERE email LIKE :__sg0") });
    const answer = await plan.execute(vcursor, bindOf("SELECT * FROM customer WHERE email LIKE '%@x'"));
    assert.deepEqual(vcursor.sent, [
      { pool: LOW, sql: "SELECT * FROM customer WHERE email LIKE '%@x'" },
      { pool: HIGH, sql: "SELECT * FROM customer WHERE email LIKE '%@x'" },
    ]);
    assert.deepEqual(texts(answer), [["1", "a@x"], ["4", "d@x"], ["6", "f@x"]]);
    assert.equal(vcursor.vindexCalls, 0, "a scatter maps no values");
  });

  it("AllShards runs on every shard and answers one copy's counts (each shard holds the same rows)", async () => {
    const vcursor = new FakeVCursor({
      [LOW]: { ...okResult(2n), info: "Rows matched: 2  Changed: 2  Warnings: 0" },
      [HIGH]: { ...okResult(2n), info: "Rows matched: 2  Changed: 2  Warnings: 0" },
    });
    const plan = route({ variant: "AllShards", query: new QueryTemplate("UPDATE country SET name = :__sg0") });
    const answer = await plan.execute(vcursor, bindOf("UPDATE country SET name = 'x'"));
    assert.equal(vcursor.sent.length, 2);
    assert.equal(answer.affectedRows, 2n);
    assert.equal(answer.info, "Rows matched: 2  Changed: 2  Warnings: 0");
  });

  it("None asks one shard only (for the result's shape)", async () => {
    const vcursor = new FakeVCursor({ [LOW]: customers, [HIGH]: customers });
    const plan = route({ variant: "None", query: new QueryTemplate("SELECT * FROM customer WHERE customer_id = NULL"), vindex: { name: "hash", column: "customer_id" }, values: [{ constant: SQL_NULL, source: "NULL" }] });
    const answer = await plan.execute(vcursor, []);
    assert.deepEqual(vcursor.sent, [{ pool: LOW, sql: "SELECT * FROM customer WHERE customer_id = NULL" }]);
    assert.equal(answer.fields.length, 2);
    assert.equal(vcursor.vindexCalls, 0);
  });

  it("shardLimit renders offset + count into LIMIT_SLOT", async () => {
    const vcursor = new FakeVCursor();
    const sql = "SELECT email FROM customer ORDER BY email LIMIT 5, 10";
    const plan = route({
      variant: "Scatter",
      query: new QueryTemplate(`SELECT email, WEIGHT_STRING(RTRIM(email)) FROM customer ORDER BY email LIMIT ${LIMIT_SLOT} `),
      shardLimit: { count: param(1), offset: param(0) },
    });
    await plan.execute(vcursor, bindOf(sql));
    assert.deepEqual(
      vcursor.sent.map((s) => s.sql),
      ["SELECT email, WEIGHT_STRING(RTRIM(email)) FROM customer ORDER BY email LIMIT 15 ", "SELECT email, WEIGHT_STRING(RTRIM(email)) FROM customer ORDER BY email LIMIT 15 "],
    );
  });

  it("shardLimit without an offset is the count; a non-integer LIMIT is refused", async () => {
    const plan = route({ variant: "Scatter", query: new QueryTemplate(`SELECT email FROM customer LIMIT ${LIMIT_SLOT}`), shardLimit: { count: param(0), offset: undefined } });
    const vcursor = new FakeVCursor();
    await plan.execute(vcursor, bindOf("SELECT email FROM customer LIMIT 7"));
    assert.equal(vcursor.sent[0]!.sql, "SELECT email FROM customer LIMIT 7");
    await rejectsWith(plan.execute(new FakeVCursor(), bindOf("SELECT email FROM customer LIMIT 1.5")), 1064, /LIMIT/);
  });

  it("describe() prints the slots as Vitess bind variables", () => {
    const plan = route({
      variant: "IN",
      query: new QueryTemplate(`SELECT * FROM customer WHERE customer_id IN (${IN_LIST_SLOT}) LIMIT ${LIMIT_SLOT}`),
      vindex: { name: "hash", column: "customer_id" },
      values: [param(0), param(1, true)],
    });
    assert.deepEqual(plan.describe(), {
      OperatorType: "Route",
      Variant: "IN",
      Keyspace: { Name: "customer", Sharded: true },
      Query: "SELECT * FROM customer WHERE customer_id IN (::__vals) LIMIT :__upper_limit",
      Vindex: "hash",
      Values: [":__sg0", "-:__sg1"],
      Table: "customer",
    });
  });
});

describe("QueryTemplate", () => {
  it("renders each placeholder back to its literal's exact source text", () => {
    const sql = "SELECT 1e3, _utf8mb4'abc', X'41', 0x41, b'101', 'it''s', \"dq\", 1.50, -5 FROM t";
    const parameterized = parameterize(sql)!;
    assert.equal(new QueryTemplate(parameterized.text).render(parameterized.literals), sql);
    assert.equal(renderText(parameterized.text, parameterized.literals), sql);
  });

  it("tells :__sg1 from :__sg10 and :__sg11, and leaves text without placeholders alone", () => {
    const values = Array.from({ length: 12 }, (_, i) => `v${i}`);
    const sql = `SELECT ${values.map((v) => `'${v}'`).join(", ")}`;
    const parameterized = parameterize(sql)!;
    const template = new QueryTemplate("x :__sg1 y :__sg10 z :__sg11 w :__sg1");
    assert.equal(template.render(parameterized.literals), "x 'v1' y 'v10' z 'v11' w 'v1'");
    assert.equal(new QueryTemplate("SELECT 1").render([]), "SELECT 1");
  });
});

describe("MergeSort", () => {
  const sortRows = async (fields: ColumnDefinition[], rows: Row[], keys: OrderKey[]) =>
    texts(await new MergeSort(new Canned(result(fields, rows)), keys).execute(new FakeVCursor(), []));

  it("orders integers by value: '10' after '9', negatives first", async () => {
    const got = await sortRows([bigint("n")], [row("10"), row("9"), row("-1"), row("100"), row("2")], [{ column: 0 }]);
    assert.deepEqual(got.map((r) => r[0]), ["-1", "2", "9", "10", "100"]);
  });

  it("orders DECIMAL exactly (no float rounding), and equal values keep their merged order", async () => {
    const got = await sortRows(
      [decimal("price"), varchar("tag")],
      [row("12345678901234567890.02", "a"), row("12345678901234567890.01", "b"), row("0.10", "c"), row("0.1", "d"), row("-0.5", "e")],
      [{ column: 0 }],
    );
    assert.deepEqual(got, [["-0.5", "e"], ["0.10", "c"], ["0.1", "d"], ["12345678901234567890.01", "b"], ["12345678901234567890.02", "a"]]);
  });

  it("puts NULLs first ascending and last descending", async () => {
    const rows = [row("3"), row(null), row("1")];
    assert.deepEqual((await sortRows([bigint("n")], rows, [{ column: 0 }])).map((r) => r[0]), [null, "1", "3"]);
    assert.deepEqual((await sortRows([bigint("n")], rows, [{ column: 0, descending: true }])).map((r) => r[0]), ["3", "1", null]);
  });

  it("orders text by its weight column, not by its bytes; DESC reverses", async () => {
    // Case-insensitive weights: 'a' and 'A' weigh the same, 'b' more; byte order would put 'B' before 'a'.
    const fields = [varchar("name"), weight("name")];
    const rows = [row("b", bytes(0x42)), row("A", bytes(0x41)), row("B", bytes(0x42)), row("a", bytes(0x41)), row("c", bytes(0x43))];
    assert.deepEqual((await sortRows(fields, rows, [{ column: 0, weight: 1 }])).map((r) => r[0]), ["A", "a", "b", "B", "c"]);
    assert.deepEqual((await sortRows(fields, rows, [{ column: 0, weight: 1, descending: true }])).map((r) => r[0]), ["c", "b", "B", "A", "a"]);
  });

  it("breaks ties by the next key", async () => {
    const got = await sortRows([bigint("a"), bigint("b")], [row("1", "2"), row("0", "9"), row("1", "1")], [{ column: 0 }, { column: 1, descending: true }]);
    assert.deepEqual(got, [["0", "9"], ["1", "2"], ["1", "1"]]);
  });

  it("resolves negative key indices from the end (helpers after SELECT *)", async () => {
    const fields = [bigint("id"), varchar("name"), varchar("name"), weight("name")];
    const rows = [row("1", "b", "b", bytes(0x42)), row("2", "a", "a", bytes(0x41))];
    assert.deepEqual((await sortRows(fields, rows, [{ column: -2, weight: -1 }])).map((r) => r[0]), ["2", "1"]);
  });

  it("refuses to order text without a weight column (ER 1235) rather than guess the collation", async () => {
    await rejectsWith(new MergeSort(new Canned(result([varchar("name")], [row("a"), row("b")])), [{ column: 0 }]).execute(new FakeVCursor(), []), 1235);
  });
});

describe("Limit", () => {
  const numbers = result([bigint("n")], ["1", "2", "3", "4", "5"].map((n) => row(n)));

  it("takes count and offset from the bind values", async () => {
    const bind = bindOf("SELECT n FROM t LIMIT 1, 2");
    const answer = await new Limit(new Canned(numbers), param(1), param(0)).execute(new FakeVCursor(), bind);
    assert.deepEqual(texts(answer), [["2"], ["3"]]);
    const first = await new Limit(new Canned(numbers), param(0), undefined).execute(new FakeVCursor(), bindOf("SELECT n FROM t LIMIT 3"));
    assert.deepEqual(texts(first), [["1"], ["2"], ["3"]]);
  });

  it("keeps the columns and describes count and offset", async () => {
    const limit = new Limit(new Canned(numbers), param(1), param(0));
    const answer = await limit.execute(new FakeVCursor(), bindOf("SELECT n FROM t LIMIT 4, 10"));
    assert.deepEqual(texts(answer), [["5"]]);
    assert.equal(answer.fields[0]!.name, "n");
    assert.deepEqual(limit.describe(), { OperatorType: "Limit", Count: ":__sg1", Offset: ":__sg0", Inputs: [{ OperatorType: "Canned" }] });
  });
});

describe("TrimColumns", () => {
  it("drops the trailing helper columns from fields and rows", async () => {
    const input = result([bigint("id"), varchar("email"), weight("email")], [row("1", "a@x", bytes(0x41)), row("2", null, null)]);
    const answer = await new TrimColumns(new Canned(input), 1).execute(new FakeVCursor(), []);
    assert.deepEqual(answer.fields.map((f) => f.name), ["id", "email"]);
    assert.deepEqual(texts(answer), [["1", "a@x"], ["2", null]]);
  });
});

describe("Aggregate", () => {
  const aggregate = async (fields: ColumnDefinition[], rows: Row[], keys: OrderKey[], columns: AggregateColumn[], variant: "GroupBy" | "Distinct" | "Scalar" = "Scalar") =>
    texts(await new Aggregate(new Canned(result(fields, rows)), keys, columns, variant === "GroupBy", variant).execute(new FakeVCursor(), []));

  it("adds DECIMAL sums exactly ('0.10' + '0.20' = '0.30') and counts", async () => {
    const got = await aggregate(
      [decimal("SUM(price)"), bigint("COUNT(*)")],
      [row("0.10", "2"), row("0.20", "3")],
      [],
      [{ column: 0, op: "sum" }, { column: 1, op: "count" }],
    );
    assert.deepEqual(got, [["0.30", "5"]]);
  });

  it("Scalar: a shard's NULL sum is no value; all NULL stays NULL", async () => {
    const fields = [decimal("SUM(price)"), bigint("COUNT(price)")];
    assert.deepEqual(await aggregate(fields, [row(null, "0"), row("5.25", "1"), row(null, "0")], [], [{ column: 0, op: "sum" }, { column: 1, op: "count" }]), [["5.25", "1"]]);
    assert.deepEqual(await aggregate(fields, [row(null, "0"), row(null, "0")], [], [{ column: 0, op: "sum" }, { column: 1, op: "count" }]), [[null, "0"]]);
  });

  it("sums DOUBLEs as floats", async () => {
    assert.deepEqual(await aggregate([double("SUM(x)")], [row("0.5"), row("0.25")], [], [{ column: 0, op: "sum" }]), [["0.75"]]);
  });

  it("min/max on text compare by the weight column and carry the winner's weight", async () => {
    const fields = [varchar("MIN(name)"), varchar("MAX(name)"), weight("MIN(name)"), weight("MAX(name)")];
    const rows = [
      row("b", "b", bytes(0x42), bytes(0x42)),
      row("A", "Z", bytes(0x41), bytes(0x5a)),
      row("c", "c", bytes(0x43), bytes(0x43)),
      row(null, null, null, null),
    ];
    const got = await aggregate(fields, rows, [], [{ column: 0, op: "min", weight: 2 }, { column: 1, op: "max", weight: 3 }]);
    assert.deepEqual(got.map((r) => r.slice(0, 2)), [["A", "Z"]]);
    assert.deepEqual(got[0]!.slice(2), ["A", "Z"], "the weights of the winners");
  });

  it("min/max on numbers compare by value ('9' < '10')", async () => {
    const got = await aggregate([bigint("MIN(n)"), bigint("MAX(n)")], [row("10", "10"), row("9", "9"), row("100", "100")], [], [{ column: 0, op: "min" }, { column: 1, op: "max" }]);
    assert.deepEqual(got, [["9", "100"]]);
  });

  it("avg = sum / count over all shards with the AVG column's decimals (AVG of INT: 4 decimals)", async () => {
    // Shard A: AVG 4.0000 of 1 row (sum 4), shard B: AVG 3.0000 of 2 rows (sum 6): 10 / 3.
    const fields = [decimal("AVG(qty)", 4), decimal("SUM(qty)", 0), bigint("COUNT(qty)")];
    const got = await aggregate(fields, [row("4.0000", "4", "1"), row("3.0000", "6", "2")], [], [{ column: 0, op: "avg", sumColumn: 1, countColumn: 2 }]);
    assert.deepEqual(got, [["3.3333", "10", "3"]]);
  });

  it("avg rounds half away from zero, of DECIMALs too, and is NULL with no rows", async () => {
    const fields = [decimal("AVG(price)", 6), decimal("SUM(price)", 2), bigint("COUNT(price)")];
    const columns: AggregateColumn[] = [{ column: 0, op: "avg", sumColumn: 1, countColumn: 2 }];
    // 2.00 / 3 = 0.6666666... → 0.666667; -2.00 / 3 → -0.666667
    assert.deepEqual((await aggregate(fields, [row("1.000000", "1.00", "1"), row("0.500000", "1.00", "2")], [], columns))[0]![0], "0.666667");
    assert.deepEqual((await aggregate(fields, [row("-1.000000", "-1.00", "1"), row("-0.500000", "-1.00", "2")], [], columns))[0]![0], "-0.666667");
    assert.deepEqual((await aggregate(fields, [row(null, null, "0"), row(null, null, "0")], [], columns))[0]![0], null);
  });

  it("avg of a DOUBLE column divides as a float", async () => {
    const fields = [double("AVG(x)"), double("SUM(x)"), bigint("COUNT(x)")];
    const got = await aggregate(fields, [row("1", "1", "1"), row("1", "2", "2")], [], [{ column: 0, op: "avg", sumColumn: 1, countColumn: 2 }]);
    assert.equal(got[0]![0], "1");
  });

  it("countDistinct counts the distinct argument values over all shards (text by weight, NULLs not counted)", async () => {
    // Each shard grouped by sku too: one row per (shard, sku). 'b' and 'B' weigh the same.
    const fields = [bigint("COUNT(DISTINCT sku)"), varchar("sku"), weight("sku")];
    const rows = [
      row("1", "a", bytes(0x41)),
      row("1", "b", bytes(0x42)),
      row("1", "B", bytes(0x42)),
      row("1", "c", bytes(0x43)),
      row("0", null, null),
    ];
    const got = await aggregate(fields, rows, [], [{ column: 0, op: "countDistinct", argument: { column: 1, weight: 2 } }]);
    assert.equal(got[0]![0], "3");
  });

  it("countDistinct over numbers treats 5 and 5.00 as one value; sumDistinct adds each distinct value once", async () => {
    const fields = [bigint("COUNT(DISTINCT price)"), decimal("SUM(DISTINCT price)"), decimal("price")];
    const rows = [row("1", "5.00", "5.00"), row("1", "5.00", "5"), row("1", "0.10", "0.10"), row("1", "0.20", "0.20")];
    const got = await aggregate(fields, rows, [], [
      { column: 0, op: "countDistinct", argument: { column: 2 } },
      { column: 1, op: "sumDistinct", argument: { column: 2 } },
    ]);
    assert.deepEqual(got[0]!.slice(0, 2), ["3", "5.30"]);
  });

  it("GroupBy merges groups by weight ('eu' and 'EU' are one group) and sorts the groups by key", async () => {
    const fields = [varchar("region"), bigint("COUNT(*)"), decimal("SUM(price)"), weight("region")];
    const rows = [
      // Shard -80, grouped and sorted by region:
      row("eu", "2", "1.10", bytes(0x45, 0x55)),
      row("us", "1", "3.00", bytes(0x55, 0x53)),
      // Shard 80-:
      row("asia", "4", "0.05", bytes(0x41, 0x53, 0x49, 0x41)),
      row("EU", "3", "2.20", bytes(0x45, 0x55)),
    ];
    const got = await aggregate(fields, rows, [{ column: 0, weight: 3 }], [{ column: 1, op: "count" }, { column: 2, op: "sum" }], "GroupBy");
    assert.deepEqual(got.map((r) => r.slice(0, 3)), [["asia", "4", "0.05"], ["eu", "5", "3.30"], ["us", "1", "3.00"]]);
  });

  it("GroupBy keeps a NULL key as its own group and numeric keys group by value", async () => {
    const fields = [decimal("k"), bigint("COUNT(*)")];
    const rows = [row("5.00", "1"), row(null, "2"), row("5", "4"), row("10", "1"), row(null, "1")];
    const got = await aggregate(fields, rows, [{ column: 0 }], [{ column: 1, op: "count" }], "GroupBy");
    assert.deepEqual(got, [[null, "3"], ["5.00", "5"], ["10", "1"]]);
  });

  it("Distinct keeps one row per key without sorting", async () => {
    const fields = [varchar("sku"), weight("sku")];
    const rows = [row("b", bytes(0x42)), row("a", bytes(0x41)), row("B", bytes(0x42))];
    const got = await aggregate(fields, rows, [{ column: 0, weight: 1 }], [], "Distinct");
    assert.deepEqual(got.map((r) => r[0]), ["b", "a"]);
  });

  it("describe() lists keys and aggregates", () => {
    const plan = new Aggregate(new Canned(result([], [])), [{ column: 0, weight: 3 }], [{ column: 1, op: "count" }, { column: 2, op: "avg", sumColumn: 4, countColumn: 5 }], true, "GroupBy");
    assert.deepEqual(plan.describe(), { OperatorType: "Aggregate", Variant: "GroupBy", GroupBy: "0|3", Aggregates: "count(1), avg(2)", Inputs: [{ OperatorType: "Canned" }] });
  });
});

describe("Insert", () => {
  const sql = "INSERT INTO corder (order_id, customer_id, sku) VALUES (10, 1, 'a'), (11, 4, 'b'), (12, 5, 'c')";
  const insert = () =>
    new Insert({
      keyspace: "customer",
      table: "corder",
      vindex: { name: "hash", column: "customer_id", values: [param(1), param(4), param(7)] },
      query: new QueryTemplate(`INSERT INTO corder (order_id, customer_id, sku) VALUES ${ROWS_SLOT}`),
      rows: ["(:__sg0, :__sg1, :__sg2)", "(:__sg3, :__sg4, :__sg5)", "(:__sg6, :__sg7, :__sg8)"].map((t) => new QueryTemplate(t)),
    });

  it("splits the rows per shard by the hash of the vindex column (ROWS_SLOT) and adds up the OK packets", async () => {
    const vcursor = new FakeVCursor({
      [LOW]: { ...okResult(2n), info: "Records: 2  Duplicates: 0  Warnings: 0" },
      [HIGH]: { ...okResult(1n), info: "Records: 1  Duplicates: 0  Warnings: 0" },
    });
    const answer = await insert().execute(vcursor, bindOf(sql));
    assert.equal(await shardOf(1), LOW);
    assert.equal(await shardOf(5), LOW);
    assert.equal(await shardOf(4), HIGH);
    assert.deepEqual(vcursor.sent, [
      { pool: LOW, sql: "INSERT INTO corder (order_id, customer_id, sku) VALUES (10, 1, 'a'), (12, 5, 'c')" },
      { pool: HIGH, sql: "INSERT INTO corder (order_id, customer_id, sku) VALUES (11, 4, 'b')" },
    ]);
    assert.equal(answer.affectedRows, 3n);
    assert.equal(answer.info, "Records: 3  Duplicates: 0  Warnings: 0");
  });

  it("reaches only the shards that get rows", async () => {
    const vcursor = new FakeVCursor();
    await insert().execute(vcursor, bindOf("INSERT INTO corder (order_id, customer_id, sku) VALUES (10, 4, 'a'), (11, 6, 'b'), (12, 7, 'c')"));
    assert.deepEqual(vcursor.sent.map((s) => s.pool), [HIGH]);
  });

  it("refuses a row whose key maps to no keyspace id, before sending anything", async () => {
    const vcursor = new FakeVCursor();
    await rejectsWith(insert().execute(vcursor, bindOf("INSERT INTO corder (order_id, customer_id, sku) VALUES (10, 1, 'a'), (11, 'x', 'b'), (12, NULL, 'c')")), 1105, /could not map/);
    assert.deepEqual(vcursor.sent, []);
  });

  it("describe() shows the rows slot and the vindex values", () => {
    assert.deepEqual(insert().describe(), {
      OperatorType: "Insert",
      Variant: "Sharded",
      Keyspace: { Name: "customer", Sharded: true },
      Table: "corder",
      Vindex: "hash",
      Query: "INSERT INTO corder (order_id, customer_id, sku) VALUES ::__rows",
      VindexValues: [":__sg1", ":__sg4", ":__sg7"],
    });
  });

  it(
    "sends a row's text unchanged when it contains `$` sequences that String.replace treats as patterns",
    async () => {
      const text = "INSERT INTO corder (order_id, customer_id, sku) VALUES (10, 1, 'a$$b'), (11, 5, 'x$&y')";
      const vcursor = new FakeVCursor();
      await new Insert({
        keyspace: "customer",
        table: "corder",
        vindex: { name: "hash", column: "customer_id", values: [param(1), param(4)] },
        query: new QueryTemplate(`INSERT INTO corder (order_id, customer_id, sku) VALUES ${ROWS_SLOT}`),
        rows: ["(:__sg0, :__sg1, :__sg2)", "(:__sg3, :__sg4, :__sg5)"].map((t) => new QueryTemplate(t)),
      }).execute(vcursor, bindOf(text));
      assert.deepEqual(vcursor.sent, [{ pool: LOW, sql: text }]);
    },
  );
});

describe("Join", () => {
  const leftFields = [bigint("id"), bigint("customer_id"), weight("customer_id")];
  const rightQuery = "SELECT c.email, c.customer_id, WEIGHT_STRING(RTRIM(c.customer_id)) FROM customer c WHERE (c.customer_id IN (:__sg0))";
  const rightFields = [varchar("email"), bigint("customer_id"), weight("customer_id")];

  const left = result(leftFields, [row("100", "1", null), row("101", "2", null), row("102", "2", null), row("103", null, null), row("104", "3", null)]);
  const right = result(rightFields, [row("one@x", "1", null), row("two@x", "2", null), row("two-b@x", "2", null), row("nine@x", "9", null)]);

  it("probes the right side's route with the left side's distinct non-NULL keys in its IN slot", async () => {
    const vcursor = new FakeVCursor({ [LOW]: right });
    const plan = new Join({
      left: new Canned(left),
      right: route({ variant: "Reference", query: new QueryTemplate(rightQuery) }),
      slot: 0,
      leftKey: { column: 1, weight: 2 },
      rightKey: { column: 1, weight: 2 },
      outer: false,
    });
    const answer = await plan.execute(vcursor, []);
    assert.deepEqual(vcursor.sent, [
      { pool: LOW, sql: "SELECT c.email, c.customer_id, WEIGHT_STRING(RTRIM(c.customer_id)) FROM customer c WHERE (c.customer_id IN (1, 2, 3))" },
    ]);
    assert.equal(answer.rows.length, 5);
  });

  it("inner join: each left row with each matching right row; unmatched and NULL keys dropped", async () => {
    const plan = new Join({
      left: new Canned(left),
      right: new Canned(right),
      slot: 0,
      leftKey: { column: 1, weight: 2 },
      rightKey: { column: 1, weight: 2 },
      outer: false,
    });
    const answer = await plan.execute(new FakeVCursor(), []);
    assert.deepEqual(answer.fields.map((f) => f.name), ["id", "customer_id", leftFields[2]!.name, "email", "customer_id", rightFields[2]!.name]);
    assert.deepEqual(texts(answer).map((r) => [r[0], r[3]]), [
      ["100", "one@x"],
      ["101", "two@x"],
      ["101", "two-b@x"],
      ["102", "two@x"],
      ["102", "two-b@x"],
    ]);
  });

  it("LEFT JOIN fills a left row without a match (or with a NULL key) with NULLs", async () => {
    const plan = new Join({ left: new Canned(left), right: new Canned(right), slot: 0, leftKey: { column: 1 }, rightKey: { column: 1 }, outer: true });
    const answer = await plan.execute(new FakeVCursor(), []);
    assert.deepEqual(texts(answer).map((r) => [r[0], r[3], r[4]]), [
      ["100", "one@x", "1"],
      ["101", "two@x", "2"],
      ["101", "two-b@x", "2"],
      ["102", "two@x", "2"],
      ["102", "two-b@x", "2"],
      ["103", null, null],
      ["104", null, null],
    ]);
  });

  it("the right side's IN slot gets the distinct keys as literals", async () => {
    const probe = new Canned(result(rightFields, []));
    await new Join({ left: new Canned(left), right: probe, slot: 3, leftKey: { column: 1 }, rightKey: { column: 1 }, outer: false }).execute(new FakeVCursor(), bindOf("SELECT 1, 2, 3"));
    assert.equal(probe.lastBind![3]!.source, "1, 2, 3");
    assert.equal(probe.lastBind![0]!.source, "1", "the statement's own literals stay");
  });

  it("with no left keys the right side is asked for IN (NULL)", async () => {
    const probe = new Canned(result(rightFields, []));
    const answer = await new Join({ left: new Canned(result(leftFields, [])), right: probe, slot: 0, leftKey: { column: 1 }, rightKey: { column: 1 }, outer: true }).execute(new FakeVCursor(), []);
    assert.equal(probe.lastBind![0]!.source, "NULL");
    assert.deepEqual(answer.rows, []);
  });

  it("numeric keys match by value: '5' (BIGINT) joins '5.00' (DECIMAL)", async () => {
    const l = result([bigint("k")], [row("5"), row("6")]);
    const r = result([decimal("k"), varchar("v")], [row("5.00", "five"), row("6.10", "six-ish")]);
    const answer = await new Join({ left: new Canned(l), right: new Canned(r), slot: 0, leftKey: { column: 0 }, rightKey: { column: 0 }, outer: false }).execute(new FakeVCursor(), []);
    assert.deepEqual(texts(answer), [["5", "5.00", "five"]]);
  });

  it("text keys are sent quoted and matched by weight ('ab' joins 'AB')", async () => {
    const l = result([varchar("sku"), weight("sku")], [row("ab", bytes(0x41, 0x42)), row("it's", bytes(0x49, 0x54, 0x27, 0x53))]);
    const r = result([varchar("sku"), weight("sku"), varchar("description")], [row("AB", bytes(0x41, 0x42), "upper")]);
    const probe = new Canned(r);
    const answer = await new Join({ left: new Canned(l), right: probe, slot: 0, leftKey: { column: 0, weight: 1 }, rightKey: { column: 0, weight: 1 }, outer: false }).execute(new FakeVCursor(), []);
    assert.equal(probe.lastBind![0]!.source, "'ab', 'it\\'s'");
    assert.deepEqual(texts(answer).map((row) => [row[0], row[2], row[4]]), [["ab", "AB", "upper"]]);
  });

  it("refuses (ER 1235) to join a text key with a numeric one across shards", async () => {
    const l = result([varchar("k"), weight("k")], [row("5", bytes(0x35))]);
    const r = result([bigint("k")], [row("5")]);
    await rejectsWith(new Join({ left: new Canned(l), right: new Canned(r), slot: 0, leftKey: { column: 0, weight: 1 }, rightKey: { column: 0 }, outer: false }).execute(new FakeVCursor(), []), 1235);
  });

  it("describe() nests left and right", () => {
    const plan = new Join({ left: new Canned(left), right: new Canned(right), slot: 4, leftKey: { column: 1 }, rightKey: { column: 1 }, outer: true });
    assert.deepEqual(plan.describe(), { OperatorType: "Join", Variant: "LeftJoin", JoinValues: ":__sg4", Inputs: [{ OperatorType: "Canned" }, { OperatorType: "Canned" }] });
  });
});

describe("PulloutSubquery", () => {
  /** Runs the pullout with a subquery answering `answer` and returns the text the outer statement got in its slot. */
  async function pulled(answer: QueryResult, use: SubqueryUse): Promise<string> {
    const outer = new Canned(result([bigint("x")], []));
    await new PulloutSubquery(outer, new Canned(answer), 1, use).execute(new FakeVCursor(), bindOf("SELECT 42"));
    assert.equal(outer.lastBind![0]!.source, "42", "the statement's own literals stay");
    return outer.lastBind![1]!.source;
  }

  it("renders values as literals: numbers bare, text quoted and escaped, binary as X'..', NULL as NULL", async () => {
    assert.equal(await pulled(result([bigint("id")], [row("1"), row("-2"), row(null)]), "values"), "1, -2, NULL");
    assert.equal(await pulled(result([decimal("price")], [row("2.50")]), "values"), "2.50");
    assert.equal(await pulled(result([varchar("name")], [row("O'Brien"), row("back\\slash"), row("nul\0byte")]), "values"), "'O\\'Brien', 'back\\\\slash', 'nul\\0byte'");
    const blob = column("data", ColumnType.BLOB, { characterSet: BINARY, flags: ColumnFlag.BINARY | ColumnFlag.BLOB });
    assert.equal(await pulled(result([blob], [row(bytes(0x00, 0xff, 0x27))]), "values"), "X'00ff27'");
    const date = column("d", ColumnType.DATE, { characterSet: BINARY });
    assert.equal(await pulled(result([date], [row("2020-01-01")]), "values"), "'2020-01-01'");
  });

  it("an empty IN list becomes the subquery with no rows", async () => {
    assert.equal(await pulled(result([bigint("id")], []), "values"), "SELECT NULL FROM DUAL WHERE 0");
  });

  it("scalar: one row its value, none NULL, two rows ER 1242", async () => {
    assert.equal(await pulled(result([varchar("email")], [row("a@x")]), "scalar"), "'a@x'");
    assert.equal(await pulled(result([varchar("email")], []), "scalar"), "NULL");
    await rejectsWith(pulled(result([bigint("id")], [row("1"), row("2")]), "scalar"), 1242, /more than 1 row/);
  });

  it("exists and rows uses; more than one column is ER 1241", async () => {
    assert.equal(await pulled(result([bigint("id")], [row("1")]), "exists"), "SELECT 1");
    assert.equal(await pulled(result([bigint("id")], []), "exists"), "SELECT NULL FROM DUAL WHERE 0");
    assert.equal(await pulled(result([bigint("id")], [row("1"), row("2")]), "rows"), "SELECT 1 UNION ALL SELECT 2");
    await rejectsWith(pulled(result([bigint("a"), bigint("b")], [row("1", "2")]), "values"), 1241);
  });

  it("the outer route renders the subquery's literals into its text", async () => {
    const vcursor = new FakeVCursor({ [LOW]: result([bigint("id")], [row("1"), row("4")]) });
    const subquery = route({ variant: "Reference", query: new QueryTemplate("SELECT customer_id FROM country_customers WHERE code = :__sg0") });
    const outer = route({ variant: "Scatter", query: new QueryTemplate("SELECT * FROM corder WHERE customer_id IN (:__sg1      )") });
    await new PulloutSubquery(outer, subquery, 1, "values").execute(vcursor, bindOf("SELECT 'FR'"));
    assert.deepEqual(vcursor.sent.map((s) => s.sql), [
      "SELECT customer_id FROM country_customers WHERE code = 'FR'",
      "SELECT * FROM corder WHERE customer_id IN (1, 4      )",
      "SELECT * FROM corder WHERE customer_id IN (1, 4      )",
    ]);
  });

  it("sqlLiteral treats YEAR and FLOAT as numbers and CHAR in a binary character set as bytes", () => {
    assert.equal(sqlLiteral(column("y", ColumnType.YEAR), encoder.encode("2024")), "2024");
    assert.equal(sqlLiteral(double("f"), encoder.encode("1.5e-7")), "1.5e-7");
    assert.equal(sqlLiteral(column("b", ColumnType.STRING, { characterSet: BINARY }), bytes(0x41)), "X'41'");
    assert.equal(sqlLiteral(varchar("s"), null), "NULL");
  });
});

describe("ProjectColumns", () => {
  it("picks and reorders columns", async () => {
    const input = result([bigint("a"), varchar("b"), bigint("c")], [row("1", "x", "3"), row("4", null, "6")]);
    const answer = await new ProjectColumns(new Canned(input), [2, 0]).execute(new FakeVCursor(), []);
    assert.deepEqual(answer.fields.map((f) => f.name), ["c", "a"]);
    assert.deepEqual(texts(answer), [["3", "1"], ["6", "4"]]);
    assert.deepEqual(new ProjectColumns(new Canned(input), [2, 0]).describe(), { OperatorType: "SimpleProjection", Columns: "2,0", Inputs: [{ OperatorType: "Canned" }] });
  });
});

describe("a small plan tree", () => {
  const tree = () =>
    new TrimColumns(
      new Limit(
        new MergeSort(
          route({
            variant: "Scatter",
            query: new QueryTemplate(`SELECT customer_id, email, WEIGHT_STRING(RTRIM(email)) FROM customer ORDER BY email DESC LIMIT ${LIMIT_SLOT} `),
            shardLimit: { count: param(0), offset: undefined },
          }),
          [{ column: 1, weight: 2, descending: true }],
        ),
        param(0),
        undefined,
      ),
      1,
    );

  it("describe() returns the OperatorType/Variant nesting", () => {
    assert.deepEqual(tree().describe(), {
      OperatorType: "SimpleProjection",
      DropTrailingColumns: 1,
      Inputs: [
        {
          OperatorType: "Limit",
          Count: ":__sg0",
          Inputs: [
            {
              OperatorType: "Sort",
              Variant: "Memory",
              OrderBy: "1|2 DESC",
              Inputs: [
                {
                  OperatorType: "Route",
                  Variant: "Scatter",
                  Keyspace: { Name: "customer", Sharded: true },
                  Query: "SELECT customer_id, email, WEIGHT_STRING(RTRIM(email)) FROM customer ORDER BY email DESC LIMIT :__upper_limit ",
                  Table: "customer",
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it("executes end to end: each shard limited, merged by weight descending, cut, helpers dropped", async () => {
    const fields = [bigint("customer_id"), varchar("email"), weight("email")];
    const vcursor = new FakeVCursor({
      [LOW]: result(fields, [row("1", "d@x", bytes(0x44)), row("5", "B@x", bytes(0x42))]),
      [HIGH]: result(fields, [row("4", "c@x", bytes(0x43)), row("6", "a@x", bytes(0x41))]),
    });
    const answer = await tree().execute(vcursor, bindOf("SELECT customer_id, email FROM customer ORDER BY email DESC LIMIT 3"));
    assert.deepEqual(vcursor.sent.map((s) => s.sql.endsWith("LIMIT 3 ")), [true, true]);
    assert.deepEqual(answer.fields.map((f) => f.name), ["customer_id", "email"]);
    assert.deepEqual(texts(answer), [["1", "d@x"], ["4", "c@x"], ["5", "B@x"]]);
  });
});

describe("Route with `$` in the values it splices", () => {
  it(
    "an IN list value containing `$&` reaches the shard unchanged",

    async () => {
      const vcursor = new FakeVCursor();
      const plan = route({ variant: "IN", query: new QueryTemplate(`SELECT email FROM customer WHERE customer_id IN (${IN_LIST_SLOT})`), vindex: { name: "hash", column: "customer_id" }, values: [param(0), param(1)] });
      await plan.execute(vcursor, bindOf("SELECT email FROM customer WHERE customer_id IN (4, 'a$&b')"));
      assert.deepEqual(vcursor.sent.map((s) => s.sql), [
        "SELECT email FROM customer WHERE customer_id IN ('a$&b')",
        "SELECT email FROM customer WHERE customer_id IN (4, 'a$&b')",
      ]);
    },
  );
});

