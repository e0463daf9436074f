import { after, describe, it } from "node:test";
import assert from "node:assert/strict";

import { parseConfig } from "../../src/core/config/load-config.ts";
import type { PlanDescription } from "../../src/core/engine/primitive.ts";
import { MySqlError } from "../../src/core/errors.ts";
import { silentLogger } from "../../src/core/logger.ts";
import { planStatement, type BoundPlan } from "../../src/core/planner/planner.ts";
import type { PlanningContext } from "../../src/core/planner/planning-context.ts";
import { RoutingSnapshot } from "../../src/core/routing-snapshot.ts";
import { NO_NETWORK, PLANNER_CONFIG } from "../support/planner-fixture.ts";

const config = parseConfig(PLANNER_CONFIG, { env: {}, readFile: () => assert.fail("no files"), baseDir: "/" });
const snapshot = RoutingSnapshot.build(config, NO_NETWORK, silentLogger);

after(async () => {
  await snapshot.close();
});

const checked: string[] = [];
const context: PlanningContext = {
  snapshot,
  defaultKeyspace: "customer",
  checkAccess: (keyspace) => {
    checked.push(keyspace);
  },
};

async function plan(sql: string, keyspace = "customer"): Promise<BoundPlan> {
  const first = /^\s*(\w+)/.exec(sql)![1]!.toUpperCase();
  return planStatement(sql, first, { ...context, defaultKeyspace: keyspace }, keyspace);
}

async function describePlan(sql: string): Promise<PlanDescription> {
  return (await plan(sql)).plan.root.describe();
}

const CUSTOMER = { Name: "customer", Sharded: true };

async function rejectsWith(promise: Promise<unknown>, code: number, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof MySqlError, `expected a MySqlError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, message);
    return true;
  });
}

describe("planStatement: routes", () => {
  it("a point select on the vindex column is Route EqualUnique with Vindex hash", async () => {
    const bound = await plan("SELECT * FROM customer WHERE customer_id = 1");
    assert.deepEqual(bound.plan.root.describe(), {
      OperatorType: "Route",
      Variant: "EqualUnique",
      Keyspace: CUSTOMER,
      Query: "SELECT * FROM customer WHERE customer_id = :__sg0",
      Vindex: "hash",
      Values: [":__sg0"],
      Table: "customer",
    });
    assert.equal(bound.plan.type, "Select");
    assert.deepEqual(bound.plan.keyspaces, ["customer"]);
    assert.deepEqual(bound.bind.map((l) => l.source), ["1"]);
  });

  it("the vindex value may be on the left, negative, or reached through a colocated join", async () => {
    assert.deepEqual((await describePlan("SELECT email FROM customer WHERE 7 = customer_id"))["Values"], [":__sg0"]);
    const negative = await describePlan("SELECT email FROM customer WHERE customer_id = -3");
    assert.equal(negative.Variant, "EqualUnique");
    assert.deepEqual(negative["Values"], ["-:__sg0"]);
    const joined = await describePlan("SELECT c.email, o.sku FROM customer c JOIN corder o ON c.customer_id = o.customer_id WHERE o.customer_id = 5");
    assert.equal(joined.OperatorType, "Route", "colocated tables run whole on one shard");
    assert.equal(joined.Variant, "EqualUnique");
  });

  it("`IN (1,2,3)` on the vindex column is Route IN with the list as the slot", async () => {
    assert.deepEqual(await describePlan("SELECT * FROM customer WHERE customer_id IN (1,2,3)"), {
      OperatorType: "Route",
      Variant: "IN",
      Keyspace: CUSTOMER,
      Query: "SELECT * FROM customer WHERE customer_id IN (::__vals)",
      Vindex: "hash",
      Values: [":__sg0", ":__sg1", ":__sg2"],
      Table: "customer",
    });
  });

  it("no vindex predicate (or only an OR of them) is Route Scatter", async () => {
    assert.deepEqual(await describePlan("SELECT * FROM customer WHERE email = 'a@x'"), {
      OperatorType: "Route",
      Variant: "Scatter",
      Keyspace: CUSTOMER,
      Query: "SELECT * FROM customer WHERE email = :__sg0",
      Table: "customer",
    });
    assert.equal((await describePlan("SELECT * FROM customer WHERE customer_id = 1 OR customer_id = 2")).Variant, "Scatter");
    assert.equal((await describePlan("SELECT * FROM customer WHERE customer_id <=> NULL")).Variant, "Scatter", "<=> NULL matches NULL keys on any shard");
  });

  it("`= NULL` on the vindex column matches nothing: Route None", async () => {
    const description = await describePlan("SELECT * FROM customer WHERE customer_id = NULL");
    assert.equal(description.Variant, "None");
    assert.equal(description["Query"], "SELECT * FROM customer WHERE customer_id = NULL");
  });

  it("a reference table is Route Reference; the unsharded keyspace is Route Unsharded", async () => {
    assert.deepEqual(await describePlan("SELECT * FROM country WHERE code = 'FR'"), {
      OperatorType: "Route",
      Variant: "Reference",
      Keyspace: CUSTOMER,
      Query: "SELECT * FROM country WHERE code = :__sg0",
    });
    const unsharded = await describePlan("SELECT * FROM commerce.product WHERE sku = 'x'");
    assert.equal(unsharded.Variant, "Unsharded");
    assert.deepEqual(unsharded.Keyspace, { Name: "commerce", Sharded: false });
  });
});

describe("planStatement: merging at the gateway", () => {
  it("ORDER BY text LIMIT 5 over shards: SimpleProjection/Limit/Sort/Route with a WEIGHT_STRING helper and LIMIT :__upper_limit", async () => {
    assert.deepEqual(await describePlan("SELECT customer_id, email FROM customer ORDER BY email LIMIT 5"), {
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
              OrderBy: "1|2 ASC",
              Inputs: [
                {
                  OperatorType: "Route",
                  Variant: "Scatter",
                  Keyspace: CUSTOMER,
                  Query: "SELECT customer_id, email, WEIGHT_STRING(RTRIM(email)) FROM customer ORDER BY email LIMIT :__upper_limit ",
                  Table: "customer",
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it("LIMIT offset, count: the Limit takes both, the shards get offset + count", async () => {
    const description = await describePlan("SELECT email FROM customer ORDER BY 1 DESC LIMIT 2, 3");
    const limit = (description.Inputs as PlanDescription[])[0]!;
    assert.equal(limit.OperatorType, "Limit");
    assert.equal(limit["Count"], ":__sg1");
    assert.equal(limit["Offset"], ":__sg0");
    const sort = (limit.Inputs as PlanDescription[])[0]!;
    assert.equal(sort["OrderBy"], "0|1 DESC");
  });

  it("ORDER BY a column not selected adds it (and its weight) as helpers", async () => {
    const description = await describePlan("SELECT customer_id FROM customer ORDER BY email DESC");
    assert.equal(description["DropTrailingColumns"], 2);
    const sort = (description.Inputs as PlanDescription[])[0]!;
    assert.equal(sort["OrderBy"], "1|2 DESC");
    assert.equal((sort.Inputs as PlanDescription[])[0]!["Query"], "SELECT customer_id, email, WEIGHT_STRING(RTRIM(email)) FROM customer ORDER BY email DESC");
  });

  it("GROUP BY a non-key column is Aggregate GroupBy over the shards' groups, merged by weight", async () => {
    assert.deepEqual(await describePlan("SELECT sku, count(*) FROM corder GROUP BY sku"), {
      OperatorType: "SimpleProjection",
      DropTrailingColumns: 1,
      Inputs: [
        {
          OperatorType: "Aggregate",
          Variant: "GroupBy",
          GroupBy: "0|2",
          Aggregates: "count(1)",
          Inputs: [
            {
              OperatorType: "Route",
              Variant: "Scatter",
              Keyspace: CUSTOMER,
              Query: "SELECT sku, count(*), WEIGHT_STRING(RTRIM(sku)) FROM corder GROUP BY sku",
              Table: "corder",
            },
          ],
        },
      ],
    });
  });

  it("GROUP BY the vindex column needs no merging: one Route", async () => {
    const description = await describePlan("SELECT customer_id, count(DISTINCT sku) FROM corder GROUP BY customer_id");
    assert.equal(description.OperatorType, "Route");
    assert.equal(description["Query"], "SELECT customer_id, count(DISTINCT sku) FROM corder GROUP BY customer_id");
  });

  it("COUNT(DISTINCT x) is countDistinct with x added to the shards' GROUP BY", async () => {
    const scalar = await describePlan("SELECT count(DISTINCT sku) FROM corder");
    assert.equal(scalar["DropTrailingColumns"], 2);
    const aggregate = (scalar.Inputs as PlanDescription[])[0]!;
    assert.equal(aggregate.Variant, "Scalar");
    assert.equal(aggregate["Aggregates"], "countDistinct(0)");
    assert.equal((aggregate.Inputs as PlanDescription[])[0]!["Query"], "SELECT count(DISTINCT sku), sku, WEIGHT_STRING(RTRIM(sku)) FROM corder GROUP BY sku ");

    const grouped = await describePlan("SELECT sku, count(DISTINCT customer_id) FROM corder GROUP BY sku");
    const inner = (grouped.Inputs as PlanDescription[])[0]!;
    assert.equal(inner["Aggregates"], "countDistinct(1)");
    assert.equal(
      (inner.Inputs as PlanDescription[])[0]!["Query"],
      "SELECT sku, count(DISTINCT customer_id), WEIGHT_STRING(RTRIM(sku)), customer_id, WEIGHT_STRING(RTRIM(customer_id)) FROM corder GROUP BY sku, customer_id",
    );
  });

  it("AVG over shards asks each shard for SUM and COUNT", async () => {
    const description = await describePlan("SELECT avg(price) FROM corder");
    const aggregate = (description.Inputs as PlanDescription[])[0]!;
    assert.equal(aggregate["Aggregates"], "avg(0)");
    assert.equal((aggregate.Inputs as PlanDescription[])[0]!["Query"], "SELECT avg(price), SUM(price), COUNT(price) FROM corder");
  });

  it("ORDER BY and LIMIT after aggregation: the LIMIT is taken off the shards' query", async () => {
    const description = await describePlan("SELECT sku, sum(price) FROM corder GROUP BY sku ORDER BY sum(price) DESC LIMIT 3");
    const limit = (description.Inputs as PlanDescription[])[0]!;
    assert.equal(limit.OperatorType, "Limit");
    const sort = (limit.Inputs as PlanDescription[])[0]!;
    assert.equal(sort["OrderBy"], "1 DESC");
    const aggregate = (sort.Inputs as PlanDescription[])[0]!;
    const query = (aggregate.Inputs as PlanDescription[])[0]!["Query"] as string;
    assert.doesNotMatch(query, /LIMIT/);
  });

  it("refuses what it cannot merge exactly with ER 1235", async () => {
    await rejectsWith(plan("SELECT SQL_CALC_FOUND_ROWS email FROM customer LIMIT 10"), 1235, /SQL_CALC_FOUND_ROWS/);
    await rejectsWith(plan("SELECT email, ROW_NUMBER() OVER (ORDER BY email) FROM customer"), 1235, /window functions/);
    await rejectsWith(plan("SELECT sku, count(*) FROM corder GROUP BY sku WITH ROLLUP"), 1235, /ROLLUP/);
  });
});

describe("planStatement: writes and DDL", () => {
  it("INSERT with 3 rows is Insert, routed per row by the vindex column's literals", async () => {
    const bound = await plan("INSERT INTO corder (order_id, customer_id, sku, price) VALUES (1, 1, 'a', 1.00), (2, 4, 'b', 2.00), (3, 5, 'c', 3.00)");
    assert.deepEqual(bound.plan.root.describe(), {
      OperatorType: "Insert",
      Variant: "Sharded",
      Keyspace: CUSTOMER,
      Table: "corder",
      Vindex: "hash",
      Query: "INSERT INTO corder (order_id, customer_id, sku, price) VALUES ::__rows",
      VindexValues: [":__sg1", ":__sg5", ":__sg9"],
    });
    assert.equal(bound.plan.type, "Insert");
  });

  it("INSERT without the vindex column, or with an expression for it, is refused", async () => {
    await rejectsWith(plan("INSERT INTO corder (order_id, sku) VALUES (1, 'a')"), 1235, /customer_id/);
    await rejectsWith(plan("INSERT INTO corder (order_id, customer_id) VALUES (1, 1 + 1)"), 1235, /expression/);
  });

  it("UPDATE that changes the vindex column is refused with errno 1235", async () => {
    await rejectsWith(plan("UPDATE customer SET customer_id = 5 WHERE customer_id = 1"), 1235, /customer_id/);
  });

  it("UPDATE / DELETE route by their WHERE", async () => {
    const update = await describePlan("UPDATE customer SET email = 'x' WHERE customer_id = 1");
    assert.equal(update.Variant, "EqualUnique");
    assert.equal(update["Query"], "UPDATE customer SET email = :__sg0 WHERE customer_id = :__sg1");
    assert.deepEqual(update["Values"], [":__sg1"]);
    const del = await describePlan("DELETE FROM customer WHERE customer_id IN (1, 2)");
    assert.equal(del.Variant, "IN");
    assert.equal(del["Query"], "DELETE FROM customer WHERE customer_id IN (::__vals)");
    await rejectsWith(plan("DELETE FROM customer WHERE email = 'x' LIMIT 1"), 1235, /LIMIT/);
  });

  it("DDL is Route AllShards with the statement as written", async () => {
    const bound = await plan("CREATE TABLE t (id INT, note VARCHAR(10) DEFAULT 'x')");
    assert.deepEqual(bound.plan.root.describe(), {
      OperatorType: "Route",
      Variant: "AllShards",
      Keyspace: CUSTOMER,
      Query: "CREATE TABLE t (id INT, note VARCHAR(10) DEFAULT 'x')",
    });
    assert.equal(bound.plan.type, "DDL");
    assert.deepEqual(bound.bind, []);
  });
});

describe("planStatement: the plan cache", () => {
  it("a second statement differing only in its literals returns cached: true and the same plan object", async () => {
    const first = await plan("SELECT email FROM customer WHERE customer_id = 11 AND email LIKE 'a%'");
    const second = await plan("SELECT email FROM customer WHERE customer_id = 12 AND email LIKE 'zz%'");
    assert.equal(first.cached, false);
    assert.equal(second.cached, true);
    assert.equal(second.plan, first.plan);
    assert.deepEqual(second.bind.map((l) => l.source), ["12", "'zz%'"]);
  });

  it("re-checks keyspace access on a cache hit", async () => {
    await plan("SELECT sku FROM corder WHERE customer_id = 21");
    checked.length = 0;
    const again = await plan("SELECT sku FROM corder WHERE customer_id = 22");
    assert.equal(again.cached, true);
    assert.deepEqual(checked, ["customer"]);
  });

  it("a different shape is a different plan", async () => {
    const a = await plan("SELECT email FROM customer WHERE customer_id = 31");
    const b = await plan("SELECT email FROM customer WHERE customer_id IN (31)");
    assert.notEqual(a.plan, b.plan);
    assert.equal(b.cached, false);
  });
});

describe("planStatement: text reaching the shards", () => {
  it(
    "a REGEXP pattern containing `*/` reaches the shards unchanged",

    async () => {
      const description = await describePlan("SELECT email FROM customer WHERE email REGEXP 'a*/b'");
      assert.equal(description["Query"], "SELECT email FROM customer WHERE email REGEXP 'a*/b'");
    },
  );
});
