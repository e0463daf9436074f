/**
 * The VSchema rules checked at config load (src/core/config/vschema-checks.ts): each fault is
 * reported with its path, the way Vitess's BuildVSchema would refuse it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";

import { ConfigError, type ConfigIssue } from "../../src/core/config/config-error.ts";
import { parseConfig, type ConfigSource } from "../../src/core/config/load-config.ts";
import type { Config } from "../../src/core/config/types.ts";
import { renderSandboxConfig } from "../../src/sandbox/sandbox.ts";
import type { MariaDbServer } from "../../src/sandbox/mariadb-server.ts";

type Json = Record<string, unknown>;

const SOURCE: ConfigSource = { env: {}, baseDir: "/etc/shardgate", readFile: () => { throw new Error("no files here"); } };

const TOPOLOGY = {
  commerce: { "-": { primary: "mysql://root@127.0.0.1:3306/commerce" } },
  customer: { "-80": { primary: "mysql://root@127.0.0.1:3307/customer" }, "80-": { primary: "mysql://root@127.0.0.1:3308/customer" } },
};

const HASH_VINDEXES = { hash: { type: "hash" } };
const CUSTOMER_TABLE = { column_vindexes: [{ column: "customer_id", name: "hash" }] };

/** A config whose keyspaces are `commerce` (unsharded) and `customer` (sharded), with these tables and vindexes; JSON is YAML. */
function configText(vschema: { commerce?: Json; customer?: Json }): string {
  const full = {
    commerce: { sharded: false, ...vschema.commerce },
    customer: { sharded: true, vindexes: HASH_VINDEXES, tables: { customer: CUSTOMER_TABLE }, ...vschema.customer },
  };
  const users = [{ user: "app", password: "secret" }];
  return JSON.stringify({ listen: { mysql: "127.0.0.1:15306" }, users, topology: TOPOLOGY, vschema: full });
}

function load(vschema: { commerce?: Json; customer?: Json }): Config {
  return parseConfig(configText(vschema), SOURCE);
}

function issuesOf(vschema: { commerce?: Json; customer?: Json }): ConfigIssue[] {
  try {
    load(vschema);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.issues;
  }
  assert.fail("expected a ConfigError");
}

/** Asserts the config is refused with exactly one issue, at `path`, whose message contains `fragment`. */
function assertOnlyIssue(vschema: { commerce?: Json; customer?: Json }, path: string, fragment: string): void {
  const issues = issuesOf(vschema);
  assert.equal(issues.length, 1, JSON.stringify(issues));
  assert.equal(issues[0]!.path, path);
  assert.ok(issues[0]!.message.includes(fragment), `"${issues[0]!.message}" should contain "${fragment}"`);
}

describe("VSchema checks: vindex definitions", () => {
  it("refuses an unknown vindex type at .type", () => {
    assertOnlyIssue({ customer: { vindexes: { ...HASH_VINDEXES, x: { type: "sha3" } } } }, "vschema.customer.vindexes.x.type", 'unknown vindex type "sha3"; known types: binary');
  });

  it("names a Vitess type shardgate lacks as such", () => {
    assertOnlyIssue(
      { customer: { vindexes: { ...HASH_VINDEXES, lk: { type: "consistent_lookup_unique" } } } },
      "vschema.customer.vindexes.lk.type",
      'vindex type "consistent_lookup_unique" exists in Vitess but is not supported by shardgate yet',
    );
  });

  it("refuses lookup_unique without table, from or to at .params", () => {
    for (const missing of ["table", "from", "to"]) {
      const params: Record<string, string> = { table: "commerce.email_idx", from: "email", to: "keyspace_id" };
      delete params[missing];
      const vindexes = { ...HASH_VINDEXES, lk: { type: "lookup_unique", params } };
      assertOnlyIssue({ customer: { vindexes } }, "vschema.customer.vindexes.lk.params", `lookup_unique: missing required param "${missing}"`);
    }
    const badLock = { ...HASH_VINDEXES, lk: { type: "lookup_unique", params: { table: "t", from: "a", to: "b", read_lock: "maybe" } } };
    assertOnlyIssue({ customer: { vindexes: badLock } }, "vschema.customer.vindexes.lk.params", "invalid read_lock value: maybe");
  });

  it("checks the lookup table's form and keyspace at .params.table", () => {
    const withTable = (table: string) => ({ customer: { vindexes: { ...HASH_VINDEXES, lk: { type: "lookup_unique", params: { table, from: "a", to: "b" } } } } });
    assertOnlyIssue(withTable("a.b.c"), "vschema.customer.vindexes.lk.params.table", 'invalid lookup table "a.b.c": expected "table" or "keyspace.table"');
    assertOnlyIssue(withTable("lookup.t"), "vschema.customer.vindexes.lk.params.table", 'lookup table "lookup.t" names unknown keyspace "lookup"');
    assert.doesNotThrow(() => load(withTable("email_idx")));
  });

  it("requires an owner to be a table of the keyspace that uses the vindex", () => {
    const lookup = { type: "lookup_unique", params: { table: "commerce.email_idx", from: "email", to: "keyspace_id" } };
    assertOnlyIssue(
      { customer: { vindexes: { ...HASH_VINDEXES, lk: { ...lookup, owner: "nobody" } } } },
      "vschema.customer.vindexes.lk.owner",
      'owner "nobody" is not a table of keyspace "customer"',
    );
    assertOnlyIssue(
      { customer: { vindexes: { ...HASH_VINDEXES, lk: { ...lookup, owner: "customer" } } } },
      "vschema.customer.vindexes.lk.owner",
      'owner "customer" does not use vindex "lk" in its column_vindexes',
    );
  });
});

describe("VSchema checks: tables of a sharded keyspace", () => {
  it("requires a primary vindex on a normal table", () => {
    assertOnlyIssue(
      { customer: { tables: { customer: CUSTOMER_TABLE, corder: {} } } },
      "vschema.customer.tables.corder.column_vindexes",
      'table "corder" of sharded keyspace "customer" has no primary vindex (column_vindexes is empty)',
    );
    // `corder:` with no value is a table with defaults, so the same fault.
    const bare = issuesOf({ customer: { tables: { customer: CUSTOMER_TABLE, corder: null } } });
    assert.deepEqual(bare.map((issue) => issue.path), ["vschema.customer.tables.corder.column_vindexes"]);
  });

  it("lets pinned tables go without a vindex, as Vitess does", () => {
    const config = load({ customer: { tables: { customer: CUSTOMER_TABLE, settings: { pinned: "80" } } } });
    assert.equal(config.keyspaces["customer"]!.tables["settings"]!.pinned, "80");
  });

  it("refuses a lookup vindex as primary vindex", () => {
    const vindexes = { ...HASH_VINDEXES, lk: { type: "lookup_unique", params: { table: "commerce.email_idx", from: "email", to: "keyspace_id" } } };
    const tables = { customer: { column_vindexes: [{ column: "email", name: "lk" }, { column: "customer_id", name: "hash" }] } };
    assertOnlyIssue(
      { customer: { vindexes, tables } },
      "vschema.customer.tables.customer.column_vindexes[0].name",
      'primary vindex "lk" of table "customer" is a lookup vindex (type lookup_unique)',
    );
  });

  it("refuses column_vindexes on a reference table", () => {
    assertOnlyIssue(
      { customer: { tables: { customer: CUSTOMER_TABLE, country: { type: "reference", ...CUSTOMER_TABLE } } } },
      "vschema.customer.tables.country.column_vindexes",
      'reference table "country" cannot have column_vindexes',
    );
    assert.doesNotThrow(() => load({ customer: { tables: { customer: CUSTOMER_TABLE, country: { type: "reference" } } } }));
  });

  it("refuses a sequence table", () => {
    assertOnlyIssue(
      { customer: { tables: { customer: CUSTOMER_TABLE, customer_seq: { type: "sequence" } } } },
      "vschema.customer.tables.customer_seq.type",
      'sequence table "customer_seq" must be in an unsharded keyspace, and "customer" is sharded',
    );
  });

  it("keeps checking column vindex names and column/columns", () => {
    const tables = { customer: { column_vindexes: [{ column: "customer_id", name: "x" }, { name: "hash" }] } };
    assert.deepEqual(issuesOf({ customer: { tables } }), [
      { path: "vschema.customer.tables.customer.column_vindexes[0].name", message: 'unknown vindex "x" (not defined in this keyspace\'s vindexes)' },
      { path: "vschema.customer.tables.customer.column_vindexes[1]", message: "one of column or columns is required" },
    ]);
  });

  it("refuses an unknown table type", () => {
    assertOnlyIssue({ customer: { tables: { customer: { ...CUSTOMER_TABLE, type: "view" } } } }, "vschema.customer.tables.customer.type", 'expected "", "reference" or "sequence"');
  });
});

describe("VSchema checks: tables of an unsharded keyspace", () => {
  it("refuses column_vindexes", () => {
    assertOnlyIssue(
      { commerce: { vindexes: HASH_VINDEXES, tables: { product: { column_vindexes: [{ column: "sku", name: "hash" }] } } } },
      "vschema.commerce.tables.product.column_vindexes",
      'table "product" of unsharded keyspace "commerce" cannot have column_vindexes',
    );
  });

  it("accepts plain, reference and sequence tables", () => {
    const tables = { product: {}, country: { type: "reference" }, customer_seq: { type: "sequence" }, bare: null };
    const commerce = load({ commerce: { tables } }).keyspaces["commerce"]!;
    assert.deepEqual(Object.entries(commerce.tables).map(([name, table]) => [name, table.type]), [
      ["product", ""], ["country", "reference"], ["customer_seq", "sequence"], ["bare", ""],
    ]);
  });
});

describe("VSchema checks: auto_increment sequences", () => {
  const path = "vschema.customer.tables.customer.auto_increment.sequence";
  const withSequence = (sequence: string, commerceTables: Json = { customer_seq: { type: "sequence" } }) => ({
    commerce: { tables: commerceTables },
    customer: { tables: { customer: { ...CUSTOMER_TABLE, auto_increment: { column: "customer_id", sequence } } } },
  });

  it("resolves keyspace.table and a bare table name to a sequence table", () => {
    const expected = { column: "customer_id", sequence: "commerce.customer_seq" };
    assert.deepEqual(load(withSequence("commerce.customer_seq")).keyspaces["customer"]!.tables["customer"]!.autoIncrement, expected);
    assert.doesNotThrow(() => load(withSequence("customer_seq")));
  });

  it("refuses a sequence that names no table", () => {
    assertOnlyIssue(withSequence("commerce.order_seq"), path, 'sequence table "order_seq" not found in keyspace "commerce"');
    assertOnlyIssue(withSequence("order_seq"), path, 'sequence table "order_seq" not found in any keyspace');
    assertOnlyIssue(withSequence("lookup.customer_seq"), path, 'sequence "lookup.customer_seq" names unknown keyspace "lookup"');
    assertOnlyIssue(withSequence("a.b.c"), path, 'invalid sequence "a.b.c": expected "table" or "keyspace.table"');
  });

  it("refuses a table that is not type: sequence", () => {
    assertOnlyIssue(withSequence("commerce.customer_seq", { customer_seq: {} }), path, '"commerce.customer_seq" is not a sequence table (it needs type: sequence)');
  });

  it("refuses a bare name that more than one keyspace has", () => {
    const text = withSequence("customer");
    assertOnlyIssue({ ...text, commerce: { tables: { customer: { type: "sequence" } } } }, path, 'sequence "customer" is ambiguous: keyspaces "commerce", "customer"');
  });
});

describe("VSchema checks: whole configs", () => {
  it("reports every fault of a VSchema at once", () => {
    const issues = issuesOf({
      commerce: { tables: { seq: {} } },
      customer: {
        vindexes: { ...HASH_VINDEXES, bad: { type: "nope" }, lk: { type: "lookup_unique", params: { from: "a", to: "b" }, owner: "gone" } },
        tables: { customer: { ...CUSTOMER_TABLE, auto_increment: { column: "customer_id", sequence: "seq" } }, corder: {} },
      },
    });
    assert.deepEqual(issues.map((issue) => issue.path), [
      "vschema.customer.vindexes.bad.type",
      "vschema.customer.vindexes.lk.params",
      "vschema.customer.vindexes.lk.owner",
      "vschema.customer.tables.customer.auto_increment.sequence",
      "vschema.customer.tables.corder.column_vindexes",
    ]);
  });

  it("loads a realistic Vitess VSchema: hash, an owned lookup_unique, a reference table, sequences", () => {
    const config = load({
      commerce: { tables: { product: {}, country: {}, customer_seq: { type: "sequence" }, corder_seq: { type: "sequence" } } },
      customer: {
        vindexes: {
          hash: { type: "hash" },
          email_md5: { type: "unicode_loose_md5" },
          email_lookup: {
            type: "lookup_unique",
            params: { table: "customer.email_keyspace_idx", from: "email", to: "keyspace_id", autocommit: "true" },
            owner: "customer",
          },
        },
        tables: {
          customer: {
            column_vindexes: [{ column: "customer_id", name: "hash" }, { column: "email", name: "email_lookup" }],
            auto_increment: { column: "customer_id", sequence: "commerce.customer_seq" },
          },
          corder: {
            column_vindexes: [{ column: "customer_id", name: "hash" }],
            auto_increment: { column: "order_id", sequence: "corder_seq" },
          },
          email_keyspace_idx: { column_vindexes: [{ column: "email", name: "email_md5" }] },
          country: { type: "reference", source: "commerce.country" },
        },
      },
    });
    const customer = config.keyspaces["customer"]!;
    assert.deepEqual(Object.keys(customer.vindexes), ["hash", "email_md5", "email_lookup"]);
    assert.equal(customer.vindexes["email_lookup"]!.owner, "customer");
    assert.deepEqual(customer.tables["customer"]!.columnVindexes, [{ columns: ["customer_id"], name: "hash" }, { columns: ["email"], name: "email_lookup" }]);
    assert.deepEqual(customer.tables["corder"]!.autoIncrement, { column: "order_id", sequence: "corder_seq" });
    assert.deepEqual(customer.tables["country"], { type: "reference", columnVindexes: [], autoIncrement: undefined, pinned: undefined });
    assert.equal(config.keyspaces["commerce"]!.tables["customer_seq"]!.type, "sequence");
  });

  it("loads the sandbox's generated config", () => {
    const server = (name: string, port: number): MariaDbServer => ({
      name, host: "127.0.0.1", port, user: "shardgate", password: "pw", socketPath: "", dataDir: "", errorLogPath: "", pid: undefined,
      stop: async () => {}, kill: async () => {}, restart: async () => {},
    });
    const servers = { commerce: server("commerce", 3306), "customer-80": server("customer-80", 3307), "customer80-": server("customer80-", 3308) };
    const config = parseConfig(renderSandboxConfig(servers, { mysqlPort: 15306, adminPort: 15000 }), SOURCE);
    assert.deepEqual(Object.keys(config.keyspaces["customer"]!.tables), ["customer", "corder"]);
  });
});
