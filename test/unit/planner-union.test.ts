import { after, describe, it } from "node:test";
import assert from "node:assert/strict";

import { parseConfig } from "../../src/core/config/load-config.ts";
import type { PlanDescription } from "../../src/core/engine/primitive.ts";
import { rescaled, unionColumns } from "../../src/core/engine/union-columns.ts";
import { MySqlError } from "../../src/core/errors.ts";
import { silentLogger } from "../../src/core/logger.ts";
import { planStatement } from "../../src/core/planner/planner.ts";
import type { ColumnDefinition } from "../../src/core/protocol/column-definition.ts";
import { ColumnFlag, ColumnType } from "../../src/core/protocol/constants.ts";
import { RoutingSnapshot } from "../../src/core/routing-snapshot.ts";
import { NO_NETWORK, PLANNER_CONFIG } from "../support/planner-fixture.ts";

const snapshot = RoutingSnapshot.build(parseConfig(PLANNER_CONFIG, { env: {}, readFile: () => assert.fail("no files"), baseDir: "/" }), NO_NETWORK, silentLogger);
after(async () => {
  await snapshot.close();
});

async function describePlan(sql: string): Promise<PlanDescription> {
  const first = /^\s*\(?\s*(\w+)/.exec(sql)![1]!.toUpperCase();
  const bound = await planStatement(sql, first, { snapshot, defaultKeyspace: "customer", checkAccess: () => {} }, "customer");
  return bound.plan.root.describe();
}

/** The operator tree, depth first: `Route:Scatter`, `Concatenate`, ... */
function shape(plan: PlanDescription): string[] {
  return [`${plan.OperatorType}${plan.Variant ? `:${plan.Variant}` : ""}`, ...(plan.Inputs ?? []).flatMap(shape)];
}

async function refused(sql: string, code: number): Promise<void> {
  await assert.rejects(describePlan(sql), (error: unknown) => error instanceof MySqlError && error.code === code);
}

describe("planStatement: UNION", () => {
  it("reference tables and table-less SELECTs run whole on one shard; an unsharded keyspace too", async () => {
    const sql = "SELECT code FROM country UNION SELECT 'x' UNION ALL (SELECT name FROM country ORDER BY name LIMIT 1) ORDER BY 1";
    const plan = await describePlan(sql);
    assert.deepEqual(shape(plan), ["Route:Reference"]);
    assert.equal(plan["Query"], "SELECT code FROM country UNION SELECT :__sg0 UNION ALL (SELECT name FROM country ORDER BY name LIMIT :__sg1) ORDER BY 1");
    assert.deepEqual(shape(await describePlan("SELECT sku FROM commerce.product UNION SELECT 1")), ["Route:Unsharded"]);
  });

  it("UNION ALL concatenates the SELECTs' own routes, with no helper columns", async () => {
    const plan = await describePlan("SELECT email FROM customer UNION ALL SELECT sku FROM corder WHERE customer_id IN (1, 2)");
    assert.deepEqual(shape(plan), ["Concatenate", "Route:Scatter", "Route:IN"]);
    assert.equal(plan.Inputs![0]!["Query"], "SELECT email FROM customer");
  });

  it("a DISTINCT union removes duplicates from everything to its left, by weight columns every SELECT adds", async () => {
    const plan = await describePlan("SELECT email FROM customer UNION ALL SELECT sku FROM corder UNION SELECT email FROM customer UNION ALL SELECT name FROM country");
    assert.deepEqual(shape(plan), ["SimpleProjection", "Concatenate", "Distinct", "Concatenate", "Route:Scatter", "Route:Scatter", "Route:Scatter", "Route:Reference"]);
    assert.equal(plan["DropTrailingColumns"], 2);
    const reference = plan.Inputs![0]!.Inputs![1]!;
    assert.equal(reference["Query"], "SELECT name, WEIGHT_STRING(RTRIM(name)), COLLATION(name) FROM country");
    assert.equal(plan.Inputs![0]!.Inputs![0]!["Columns"], "0|1");
  });

  it("the union's ORDER BY and LIMIT apply at the gateway, by position or the first SELECT's names (COUNT needs no weight)", async () => {
    const plan = await describePlan("(SELECT email AS e, customer_id FROM customer LIMIT 5) UNION ALL SELECT sku, COUNT(*) FROM corder GROUP BY sku ORDER BY e DESC, 2 LIMIT 3");
    assert.deepEqual(shape(plan).slice(0, 4), ["SimpleProjection", "Limit", "Sort:Memory", "Concatenate"]);
    assert.equal(plan.Inputs![0]!.Inputs![0]!["OrderBy"], "0|2 DESC, 1 ASC");
  });

  it("SELECTs by shard key: whole on one shard when the bound values agree, else apart", async () => {
    const plan = await describePlan("SELECT email FROM customer WHERE customer_id = 1 UNION SELECT sku FROM corder WHERE customer_id = 2");
    assert.equal(plan.OperatorType, "SingleShardUnion");
    assert.deepEqual(shape(plan), ["SingleShardUnion", "Route:EqualUnique", "Route:EqualUnique"]);
    assert.deepEqual(shape(plan["Apart"] as PlanDescription).slice(0, 3), ["SimpleProjection", "Distinct", "Concatenate"]);
    const star = await describePlan("SELECT * FROM customer WHERE customer_id = 1 UNION SELECT * FROM customer WHERE customer_id = 2");
    assert.match(String(star["Apart"]), /SELECT \*/);
  });

  it("refuses what it cannot answer exactly, and gives the server's errors", async () => {
    await refused("SELECT email FROM customer UNION SELECT sku FROM commerce.product", 1235);
    await refused("SELECT * FROM customer UNION SELECT * FROM corder", 1235);
    await refused("SELECT email FROM customer UNION SELECT sku FROM corder ORDER BY LOWER(email)", 1235);
    await refused("SELECT email FROM customer UNION SELECT sku FROM corder FOR UPDATE", 1235);
    await refused("SELECT email, customer_id FROM customer UNION SELECT sku FROM corder", 1222);
    await refused("SELECT email FROM customer UNION SELECT sku FROM corder ORDER BY sku", 1054);
    await refused("SELECT email FROM customer UNION SELECT sku FROM corder ORDER BY customer.email", 1250);
  });
});

function column(type: number, extra: Partial<ColumnDefinition> = {}): ColumnDefinition {
  return { schema: "db", table: "t", orgTable: "t", name: "c", orgName: "c", characterSet: 63, columnLength: 11, type, flags: 0, decimals: 0, ...extra };
}

describe("unionColumns: the type one server gives a union's column", () => {
  it("integers widen; integers and DECIMALs become a DECIMAL of the largest scale, the values padded", () => {
    const int = column(ColumnType.LONG, { columnLength: 11 });
    const bigint = column(ColumnType.LONGLONG, { columnLength: 20 });
    const dec = column(ColumnType.NEWDECIMAL, { columnLength: 7, decimals: 1 });
    const dec3 = column(ColumnType.NEWDECIMAL, { columnLength: 12, decimals: 3 });
    assert.equal(unionColumns([[int], [bigint]], 0, false).fields[0]!.type, ColumnType.LONGLONG);
    const merged = unionColumns([[int], [dec], [dec3]], 0, false);
    assert.deepEqual([merged.fields[0]!.type, merged.fields[0]!.decimals, merged.fields[0]!.columnLength], [ColumnType.NEWDECIMAL, 3, 15]);
    assert.deepEqual(merged.rescale, [[3], [2], [0]]);
    assert.equal(new TextDecoder().decode(rescaled(new TextEncoder().encode("-5"), 3)), "-5.000");
    assert.equal(new TextDecoder().decode(rescaled(new TextEncoder().encode("1.5"), 2)), "1.500");
  });

  it("CHAR and VARCHAR become VARCHAR; a NULL-only column takes the others' type; names come from the first SELECT", () => {
    const char = column(ColumnType.STRING, { characterSet: 45, name: "first", columnLength: 8 });
    const varchar = column(ColumnType.VAR_STRING, { characterSet: 45, columnLength: 160, flags: ColumnFlag.NOT_NULL });
    const nul = column(ColumnType.NULL, { name: "NULL", columnLength: 0 });
    const streamed = unionColumns([[char], [varchar], [nul]], 0, false).fields[0]!;
    assert.deepEqual([streamed.name, streamed.type, streamed.columnLength, streamed.decimals, streamed.flags, streamed.table], ["first", ColumnType.VAR_STRING, 160, 39, 0, ""]);
    assert.equal(unionColumns([[nul], [varchar]], 0, true).fields[0]!.type, ColumnType.VAR_STRING);
    assert.equal(unionColumns([[varchar], [varchar]], 0, true).fields[0]!.decimals, 0);
  });

  it("refuses what the server would convert otherwise, and counts columns", () => {
    const text = column(ColumnType.VAR_STRING, { characterSet: 45 });
    const assertRefused = (a: ColumnDefinition, b: ColumnDefinition) =>
      assert.throws(() => unionColumns([[a], [b]], 0, false), (e: unknown) => e instanceof MySqlError && e.code === 1235);
    assertRefused(column(ColumnType.LONG), text);
    assertRefused(column(ColumnType.LONG), column(ColumnType.LONG, { flags: ColumnFlag.UNSIGNED }));
    assertRefused(column(ColumnType.DOUBLE, { decimals: 31 }), column(ColumnType.NEWDECIMAL, { decimals: 2 }));
    assertRefused(text, column(ColumnType.VAR_STRING, { characterSet: 8 }));
    assertRefused(column(ColumnType.DATETIME, { decimals: 3 }), column(ColumnType.DATETIME));
    assert.throws(() => unionColumns([[text], [text, text]], 0, false), (e: unknown) => e instanceof MySqlError && e.code === 1222);
  });
});
