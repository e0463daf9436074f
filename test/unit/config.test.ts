import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";

import { parseBackendUrl, parseHostPort } from "../../src/core/config/backend-url.ts";
import { ConfigError, formatPath } from "../../src/core/config/config-error.ts";
import { checkFullCoverage, keyRangeContains, parseShardName } from "../../src/core/config/key-range.ts";
import { parseConfig, type ConfigSource } from "../../src/core/config/load-config.ts";
import type { KeyRange } from "../../src/core/config/types.ts";

const EXAMPLE = readFileSync(new URL("../../config/shardgate.example.yaml", import.meta.url), "utf8");

/** An in-memory ConfigSource that records which files were read. */
function source(env: Record<string, string> = {}, files: Record<string, string> = {}): ConfigSource & { reads: string[] } {
  const reads: string[] = [];
  const readFile = (path: string): string => {
    reads.push(path);
    if (files[path] === undefined) throw new Error(`ENOENT: no such file '${path}'`);
    return files[path];
  };
  return { env, baseDir: "/etc/shardgate", reads, readFile };
}

const TOPOLOGY = `
commerce:
  "-": { primary: "mysql://root@127.0.0.1:3306/commerce" }
customer:
  "-80": { primary: "mysql://root@127.0.0.1:3307/customer" }
  "80-": { primary: "mysql://root@127.0.0.1:3308/customer" }
`;

const VSCHEMA = `
commerce: { sharded: false }
customer:
  sharded: true
  vindexes: { hash: { type: hash } }
  tables:
    customer: { column_vindexes: [{ column: customer_id, name: hash }] }
`;

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, "  ");
}

/** A one-line section value (a file path) stays inline; a mapping is indented below its key. */
function section(text: string): string {
  return text.includes("\n") ? `\n${indent(text)}` : ` ${text}`;
}

/** A minimal valid config; parts can be replaced. */
function doc(parts: { listen?: string; users?: string; topology?: string; vschema?: string; extra?: string } = {}): string {
  return [
    `listen:\n${indent(parts.listen ?? "mysql: 127.0.0.1:15306")}`,
    `users:\n${indent(parts.users ?? "- user: app\n  password: secret")}`,
    `topology:${section(parts.topology ?? TOPOLOGY)}`,
    `vschema:${section(parts.vschema ?? VSCHEMA)}`,
    parts.extra ?? "",
  ].join("\n");
}

/** YAML for shards named as given, each on host `h<name>`. */
function shards(...names: string[]): string {
  return names.map((name) => `"${name}": { primary: "mysql://h${name}/c" }`).join("\n");
}

function withCustomerShards(customer: string): string {
  return TOPOLOGY.replace(/customer:\n(  .*\n)+/, `customer:\n${indent(customer)}\n`);
}

function issuesOf(text: string, src: ConfigSource = source()): string[] {
  try {
    parseConfig(text, src);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    assert.equal(error.message, error.issues.map((i) => `${i.path}: ${i.message}`).join("\n"));
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail("expected a ConfigError");
}

const hex = (text: string): Uint8Array => Uint8Array.from(text.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
const range = (start: string, end: string): KeyRange => ({ start: hex(start), end: hex(end) });

describe("parseConfig: the example file", () => {
  it("parses with defaults applied and keyspaces merged", () => {
    const config = parseConfig(EXAMPLE, source({ SHARDGATE_ADMIN_TOKEN: "s3cret" }));
    assert.deepEqual(config.listen, { mysql: { host: "127.0.0.1", port: 15306 }, admin: { host: "127.0.0.1", port: 15000 } });
    assert.deepEqual(config.admin, { token: "s3cret", protectReads: false });
    assert.deepEqual(config.server, {
      version: "8.0.40-shardgate",
      versionComment: "shardgate",
      maxConnections: 1000,
      maxAllowedPacket: 64 * 1024 * 1024,
      maxPreparedStatements: 1000,
      cachingSha2FullAuth: false,
      localInfile: false,
    });
    assert.deepEqual(config.pool, { maxConnections: 32, idleTimeoutMs: 60000, connectTimeoutMs: 5000, acquireTimeoutMs: 10000, healthCheckIntervalMs: 1000 });
    assert.deepEqual([config.shutdownTimeoutMs, config.log.level], [10000, "info"]);
    assert.deepEqual(config.users, [
      { user: "app", password: "app-secret", passwordHash: undefined, keyspaces: ["commerce", "customer"], readOnly: false, authPlugin: undefined },
    ]);
    assert.deepEqual(Object.keys(config.keyspaces), ["commerce", "customer"]);

    const commerce = config.keyspaces["commerce"]!;
    assert.deepEqual([commerce.name, commerce.sharded, commerce.shards.map((s) => s.name)], ["commerce", false, ["-"]]);
    assert.equal(commerce.shards[0]!.primary.database, "commerce");
    const customer = config.keyspaces["customer"]!;
    assert.deepEqual([customer.sharded, customer.requireExplicitRouting], [true, false]);
    assert.deepEqual(customer.shards.map((s) => [s.name, s.primary.port, s.primaryUrl]), [
      ["-80", 3307, "mysql://root@127.0.0.1:3307/customer"],
      ["80-", 3308, "mysql://root@127.0.0.1:3308/customer"],
    ]);
    assert.deepEqual(customer.shards[0]!.keyRange, range("", "80"));
    const hash = customer.vindexes["hash"]!;
    assert.deepEqual({ ...hash, params: { ...hash.params } }, { type: "hash", params: {}, owner: undefined });
    const table = { type: "", columnVindexes: [{ columns: ["customer_id"], name: "hash" }], autoIncrement: undefined, pinned: undefined };
    assert.deepEqual(customer.tables["customer"], table);
  });

  it("returns null-prototype maps so names never hit Object.prototype", () => {
    const config = parseConfig(EXAMPLE, source({ SHARDGATE_ADMIN_TOKEN: "t" }));
    assert.equal(config.keyspaces["toString"], undefined);
    assert.equal(config.keyspaces["customer"]!.tables["hasOwnProperty"], undefined);
  });

  it("applies defaults when optional sections are absent or empty", () => {
    const config = parseConfig(doc({ extra: "admin:\nserver:\npool: { max_connections: 4 }\n" }), source());
    assert.deepEqual([config.listen.admin, config.admin.token, config.server.versionComment], [undefined, undefined, "shardgate"]);
    assert.deepEqual(config.pool, { maxConnections: 4, idleTimeoutMs: 60000, connectTimeoutMs: 5000, acquireTimeoutMs: 10000, healthCheckIntervalMs: 1000 });
    assert.deepEqual([config.shutdownTimeoutMs, config.log.level], [10000, "info"]);
  });
});

describe("parseConfig: shape errors", () => {
  it("reports a non-string password with its path", () => {
    const users = "- user: app\n  password: secret\n- user: other\n  password: 5";
    assert.deepEqual(issuesOf(doc({ users })), ["users[1].password: expected a string"]);
  });

  it("reports unknown keys", () => {
    assert.deepEqual(issuesOf(doc({ listen: "mysql: 127.0.0.1:1\nfoo: 1" })), ["listen.foo: unknown key"]);
    assert.deepEqual(issuesOf(doc({ extra: "pool: { max_conns: 3 }" })), ["pool.max_conns: unknown key"]);
    assert.deepEqual(issuesOf(doc({ extra: "colour: blue" })), ["colour: unknown key"]);
    const topology = `${TOPOLOGY}  \nx:\n  "-": { primary: "mysql://h/x", replica: "mysql://h/y" }`;
    assert.ok(issuesOf(doc({ topology })).includes('topology.x["-"].replica: unknown key'));
  });

  it("reports missing required keys and wrong types", () => {
    const empty = issuesOf("listen: {}\nusers: []\ntopology: {}\nvschema: {}\n");
    assert.deepEqual(empty, ["listen.mysql: required", "users: at least one user is required"]);
    assert.deepEqual(issuesOf(""), ["(root): expected a mapping"]);
    assert.deepEqual(issuesOf("listen: [1]\nusers: {}\ntopology: 3\n"), [
      "listen: expected a mapping",
      "users: expected a list",
      "topology: expected a mapping",
      "vschema: required",
    ]);
    assert.deepEqual(issuesOf(doc({ extra: "log: { level: loud }\nserver: { max_connections: 0 }\npool: { idle_timeout_ms: 1.5 }" })), [
      "server.max_connections: expected a number >= 1",
      "pool.idle_timeout_ms: expected an integer",
      "log.level: expected one of debug, info, warn, error",
    ]);
    assert.deepEqual(issuesOf(doc({ users: "- { user: app, password: x, read_only: yes }" })), ["users[0].read_only: expected a boolean"]);
  });

  it("renders non-identifier keys bracket-quoted", () => {
    const topology = 'commerce:\n  "-": { primary: 7 }\ncustomer:\n  "-80": {}\n  "80-": { primary: "mysql://h/c" }';
    assert.deepEqual(issuesOf(doc({ topology })), [
      'topology.commerce["-"].primary: expected a string',
      'topology.customer["-80"].primary: required',
    ]);
    assert.equal(formatPath(["vschema", "my-ks", "tables", "t", "column_vindexes", 0, "name"]), 'vschema["my-ks"].tables.t.column_vindexes[0].name');
    assert.equal(formatPath([]), "(root)");
  });

  it("reports YAML syntax errors and duplicate keys", () => {
    const [issue] = issuesOf("listen: [\n");
    assert.match(issue!, /^\(root\): invalid YAML: .* at line \d+, column \d+$/);
    assert.equal(issuesOf(doc({ extra: "log: {}\nlog: {}" })).length, 1);
    assert.match(issuesOf("a: 1\nb: [", { ...source(), fileName: "gw.yaml" })[0]!, /invalid YAML in gw\.yaml/);
  });

  it("refuses names that collide with Object.prototype", () => {
    const vschema = VSCHEMA.replace("tables:", "tables:\n    constructor: {}");
    assert.deepEqual(issuesOf(doc({ vschema })), ['vschema.customer.tables.constructor: "constructor" is not allowed as a name']);
    assert.deepEqual(issuesOf(doc({ extra: "__proto__: { x: 1 }" })), ['__proto__: "__proto__" is not allowed as a name']);
  });

  it("accepts numeric strings for numbers (they come from ${VAR})", () => {
    const config = parseConfig(doc({ extra: "pool: { max_connections: '${POOL}' }" }), source({ POOL: "12" }));
    assert.equal(config.pool.maxConnections, 12);
    assert.deepEqual(issuesOf(doc({ extra: "pool: { max_connections: twelve }" })), ["pool.max_connections: expected a number"]);
  });
});

describe("parseConfig: environment substitution", () => {
  it("substitutes ${NAME} in string values, anywhere in the string", () => {
    const users = "- user: ${APP_USER}\n  password: pre-${APP_PASSWORD}-post";
    const topology = TOPOLOGY.replace("root@127.0.0.1:3307", "${DB_USER}:${DB_PASS}@${DB_HOST}:3307");
    const env = { APP_USER: "u1", APP_PASSWORD: "p$w", DB_USER: "svc", DB_PASS: "a%40b", DB_HOST: "db1" };
    const config = parseConfig(doc({ users, topology }), source(env));
    assert.equal(config.users[0]!.user, "u1");
    assert.equal(config.users[0]!.password, "pre-p$w-post");
    const shard = config.keyspaces["customer"]!.shards[0]!;
    assert.deepEqual([shard.primary.user, shard.primary.password, shard.primary.host], ["svc", "a@b", "db1"]);
  });

  it("reports a missing variable with its name and path", () => {
    const users = "- user: app\n  password: secret\n- user: b\n  password: ${B_PASSWORD}";
    assert.deepEqual(issuesOf(doc({ users })), ["users[1].password: environment variable B_PASSWORD is not set"]);
    assert.deepEqual(issuesOf(EXAMPLE), ["admin.token: environment variable SHARDGATE_ADMIN_TOKEN is not set"]);
  });

  it("treats $${X} as a literal ${X} and leaves other dollars alone", () => {
    const users = "- user: app\n  password: a$${NOT_A_VAR}b$$c$d";
    assert.equal(parseConfig(doc({ users }), source()).users[0]!.password, "a${NOT_A_VAR}b$$c$d");
  });

  it("reports malformed references", () => {
    const unterminated = 'users[0].password: unterminated "${" (write "$${" for a literal "${")';
    assert.deepEqual(issuesOf(doc({ users: "- user: app\n  password: x${OOPS" })), [unterminated]);
    assert.deepEqual(issuesOf(doc({ users: "- user: app\n  password: ${1X}" })), ['users[0].password: invalid environment variable name "1X"']);
  });

  it("does not substitute keys", () => {
    assert.deepEqual(issuesOf(doc({ extra: "${KEY}: 1" }), source({ KEY: "log" })), ['["${KEY}"]: unknown key']);
  });
});

describe("parseConfig: section files", () => {
  it("reads topology and vschema from files relative to baseDir", () => {
    const src = source({ DB_HOST: "10.0.0.9" }, {
      "/etc/shardgate/topology.yaml": TOPOLOGY.replace("127.0.0.1:3308", "${DB_HOST}:3308"),
      "/etc/shardgate/conf.d/vschema.json": JSON.stringify({
        commerce: { sharded: false },
        customer: {
          sharded: true,
          vindexes: { hash: { type: "hash" } },
          tables: { customer: { column_vindexes: [{ column: "customer_id", name: "hash" }] } },
        },
      }),
    });
    const config = parseConfig(doc({ topology: "./topology.yaml", vschema: "./conf.d/vschema.json" }).replace("./topology", "topology"), src);
    assert.deepEqual(src.reads, ["/etc/shardgate/topology.yaml", "/etc/shardgate/conf.d/vschema.json"]);
    assert.equal(config.keyspaces["customer"]!.shards[1]!.primary.host, "10.0.0.9");
    assert.deepEqual(config.keyspaces["customer"]!.tables["customer"]!.columnVindexes, [{ columns: ["customer_id"], name: "hash" }]);
  });

  it("takes the file path itself from the environment and honours absolute paths", () => {
    const src = source({ TOPO: "/srv/topo.yaml" }, { "/srv/topo.yaml": TOPOLOGY });
    parseConfig(doc({ topology: "${TOPO}" }), src);
    assert.deepEqual(src.reads, ["/srv/topo.yaml"]);
  });

  it("reports file errors at the section path", () => {
    assert.deepEqual(issuesOf(doc({ topology: "./missing.yaml" })), [
      "topology: cannot read topology file \"./missing.yaml\": ENOENT: no such file '/etc/shardgate/missing.yaml'",
    ]);
    const src = source({}, { "/etc/shardgate/topo.yaml": TOPOLOGY.replace("3307", "${PORT}") });
    assert.deepEqual(issuesOf(doc({ topology: "./topo.yaml" }), src), [
      'topology.customer["-80"].primary: environment variable PORT is not set (in topology file "./topo.yaml")',
    ]);
    const bad = source({}, { "/etc/shardgate/topo.yaml": "commerce: [" });
    assert.match(issuesOf(doc({ topology: "./topo.yaml" }), bad)[0]!, /^topology: invalid YAML in topology file "\.\/topo\.yaml": /);
    const shapes = source({}, { "/etc/shardgate/topo.yaml": "commerce:\n  '-': { primary: 1 }" });
    assert.ok(issuesOf(doc({ topology: "./topo.yaml" }), shapes).includes('topology.commerce["-"].primary: expected a string'));
  });
});

describe("parseConfig: semantic checks", () => {
  it("checks users: unique names, one credential, hash format, known keyspaces", () => {
    const hash = "*" + "a".repeat(40);
    const users = [
      `- { user: a, password_hash: "${hash}", keyspaces: [customer] }`,
      "- { user: a, password: x }",
      `- { user: b, password: x, password_hash: "${hash}" }`,
      "- { user: c }",
      '- { user: d, password_hash: "*abc" }',
      "- { user: e, password: '', keyspaces: [commerce, nope] }",
    ].join("\n");
    assert.deepEqual(issuesOf(doc({ users })), [
      'users[4].password_hash: expected "*" followed by 40 hex digits (a mysql_native_password hash)',
    ]);
    assert.deepEqual(issuesOf(doc({ users: users.replace('"*abc"', `"${hash}"`) })), [
      'users[1].user: duplicate user "a" (also users[0])',
      "users[2]: password and password_hash are mutually exclusive",
      "users[3]: one of password or password_hash is required",
      'users[5].keyspaces[1]: unknown keyspace "nope" (not in topology)',
    ]);
  });

  it("normalizes password hashes to upper case", () => {
    const config = parseConfig(doc({ users: `- { user: a, password_hash: "*${"ab".repeat(20)}", read_only: true }` }), source());
    assert.deepEqual(config.users, [{ user: "a", password: undefined, passwordHash: `*${"AB".repeat(20)}`, keyspaces: undefined, readOnly: true, authPlugin: undefined }]);
  });

  it("requires topology and vschema to name the same keyspaces", () => {
    const topology = `${TOPOLOGY}\nlookup:\n  "0": { primary: "mysql://h/lookup" }`;
    const vschema = `${VSCHEMA}\nextra: { sharded: false }`;
    assert.deepEqual(issuesOf(doc({ topology, vschema })), [
      'topology.lookup: keyspace "lookup" has no vschema entry',
      'vschema.extra: keyspace "extra" has no topology entry',
    ]);
  });

  it("checks shard names, coverage and backend URLs", () => {
    const cases: [string, string][] = [
      [shards("-80", "90-"), 'topology.customer: key range gap: no shard covers 80-90 (between shards "-80" and "90-")'],
      [shards("-80", "40-"), 'topology.customer: key range overlap: shards "-80" and "40-" overlap'],
      [shards("-80"), 'topology.customer: key range gap: no shard covers keyspace ids from 80 up (last shard is "-80")'],
      [shards("-8", "80-"), 'topology.customer["-8"]: invalid shard name "-8": end "8" has an odd number of hex digits'],
      [
        shards("-80", "80-").replace("mysql:", "postgres:"),
        'topology.customer["-80"].primary: invalid backend URL: scheme must be "mysql:", not "postgres:"',
      ],
      ["{}", "topology.customer: no shards: the key range is not covered"],
    ];
    for (const [customer, expected] of cases) {
      assert.deepEqual(issuesOf(doc({ topology: withCustomerShards(customer) })), [expected], customer);
    }
  });

  it("requires exactly one shard in an unsharded keyspace", () => {
    const topology = TOPOLOGY.replace('"-": {', '"-80": { primary: "mysql://h/a" }\n  "80-": {');
    assert.deepEqual(issuesOf(doc({ topology })), ["topology.commerce: an unsharded keyspace must have exactly one shard, found 2"]);
  });

  it("sorts shards by key range start", () => {
    const topology = withCustomerShards(shards("c0-", "40-C0", "-40"));
    const sorted = parseConfig(doc({ topology }), source()).keyspaces["customer"]!.shards;
    assert.deepEqual(sorted.map((s) => [s.name, s.primary.host]), [["-40", "h-40"], ["40-C0", "h40-C0"], ["c0-", "hc0-"]]);
  });

  it("checks column vindex names and column/columns", () => {
    const vschema = VSCHEMA.replace(
      "customer: { column_vindexes: [{ column: customer_id, name: hash }] }",
      `customer:
      column_vindexes:
        - { column: id, name: nope }
        - { columns: [a, b], name: hash }
        - { name: hash }
        - { column: a, columns: [a], name: hash }`,
    );
    assert.deepEqual(issuesOf(doc({ vschema })), [
      'vschema.customer.tables.customer.column_vindexes[0].name: unknown vindex "nope" (not defined in this keyspace\'s vindexes)',
      "vschema.customer.tables.customer.column_vindexes[2]: one of column or columns is required",
      "vschema.customer.tables.customer.column_vindexes[3]: column and columns are mutually exclusive",
    ]);
  });

  it("normalizes vschema details", () => {
    const vschema = `
commerce:
  sharded: false
  tables:
    seq: { type: sequence }
    bare:
customer:
  sharded: true
  require_explicit_routing: true
  foreign_key_mode: unmanaged
  vindexes:
    hash: { type: hash }
    lk: { type: lookup_unique, params: { table: commerce.t, from: c, to: keyspace_id }, owner: customer }
  tables:
    customer:
      column_vindexes: [{ columns: [a, b], name: hash }, { column: c, name: lk }]
      auto_increment: { column: id, sequence: commerce.seq }
      columns: [{ name: a, type: INT64 }]
      column_list_authoritative: true
    r: { type: reference, source: commerce.r }
    p: { pinned: "80" }
`;
    const config = parseConfig(doc({ vschema }), source());
    const ks = config.keyspaces["customer"]!;
    assert.equal(ks.requireExplicitRouting, true);
    assert.deepEqual({ ...ks.vindexes["lk"]!.params }, { table: "commerce.t", from: "c", to: "keyspace_id" });
    assert.equal(ks.vindexes["lk"]!.owner, "customer");
    const autoIncrement = { column: "id", sequence: "commerce.seq" };
    const columnVindexes = [{ columns: ["a", "b"], name: "hash" }, { columns: ["c"], name: "lk" }];
    assert.deepEqual(ks.tables["customer"], { type: "", columnVindexes, autoIncrement, pinned: undefined });
    assert.deepEqual([ks.tables["r"]!.type, ks.tables["p"]!.pinned], ["reference", "80"]);
    const bare = config.keyspaces["commerce"]!.tables["bare"];
    assert.deepEqual(bare, { type: "", columnVindexes: [], autoIncrement: undefined, pinned: undefined });
  });

  it("checks listen addresses", () => {
    const config = parseConfig(doc({ listen: "mysql: '[::1]:0'\nadmin: 0.0.0.0:65535" }), source());
    assert.deepEqual(config.listen, { mysql: { host: "::1", port: 0 }, admin: { host: "0.0.0.0", port: 65535 } });
    assert.deepEqual(issuesOf(doc({ listen: "mysql: localhost:65536\nadmin: localhost" })), [
      "listen.mysql: port 65536 is out of range 0..65535",
      "listen.admin: expected host:port (e.g. 127.0.0.1:15306 or [::1]:15306)",
    ]);
  });
});

describe("parseHostPort", () => {
  it("parses host:port forms and rejects malformed ones", () => {
    assert.deepEqual(parseHostPort("db.example:3306"), { host: "db.example", port: 3306 });
    assert.deepEqual(parseHostPort("[fe80::1]:15306"), { host: "fe80::1", port: 15306 });
    for (const bad of ["", ":3306", "host:", "host:port", "::1:3306", "[::1]", "[::1]3306", "[host]:1", "a b:1", "h:123456"]) {
      assert.throws(() => parseHostPort(bad), Error, bad);
    }
  });
});

describe("parseBackendUrl", () => {
  it("parses a full URL", () => {
    const address = parseBackendUrl("mysql://svc:p%40ss%3Aw0rd@db1.internal:3310/customer?ssl-mode=REQUIRED&charset=utf8mb4");
    const expected = { host: "db1.internal", port: 3310, user: "svc", password: "p@ss:w0rd", database: "customer" };
    assert.deepEqual({ ...address, options: { ...address.options } }, { ...expected, options: { "ssl-mode": "REQUIRED", charset: "utf8mb4" } });
  });

  it("applies defaults: port 3306, user root, empty password, no database", () => {
    const address = parseBackendUrl("mysql://db1");
    assert.deepEqual([address.host, address.port, address.user, address.password, address.database], ["db1", 3306, "root", "", undefined]);
    assert.deepEqual([parseBackendUrl("mysql://u:@h/").password, parseBackendUrl("mysql://u:@h/").database], ["", undefined]);
    assert.equal(parseBackendUrl("mysql://:pw@h").user, "root");
  });

  it("accepts IPv6 hosts (brackets stripped) and decodes the database name", () => {
    const address = parseBackendUrl("mysql://root@[::1]:3307/db");
    assert.deepEqual([address.host, address.port, address.database], ["::1", 3307, "db"]);
    assert.equal(parseBackendUrl("mysql://h/my%20db").database, "my db");
  });

  it("rejects bad URLs without echoing the password", () => {
    const cases: [string, RegExp][] = [
      ["http://u:topsecret@h/db", /scheme must be "mysql:", not "http:"/],
      ["not a url topsecret", /not a valid URL/],
      ["mysql:///db", /missing host/],
      ["mysql://h:70000/db", /not a valid URL/],
      ["mysql://h:0/db", /port 0/],
      ["mysql://u:top%ZZsecret@h/db", /bad percent-encoding in the password/],
      ["mysql://h/db#frag", /fragment/],
      ["mysql://h/a/b", /must not contain "\/"/],
    ];
    for (const [url, expected] of cases) {
      assert.throws(() => parseBackendUrl(url), (error: Error) => expected.test(error.message) && !error.message.includes("topsecret"), url);
    }
  });
});

describe("key ranges", () => {
  it("parses shard names", () => {
    assert.deepEqual(parseShardName("-"), range("", ""));
    assert.deepEqual(parseShardName("0"), range("", ""));
    assert.deepEqual(parseShardName("-80"), range("", "80"));
    assert.deepEqual(parseShardName("80-"), range("80", ""));
    assert.deepEqual(parseShardName("40-A0C0"), range("40", "a0c0"));
    assert.deepEqual(parseShardName("aB-Cd"), range("ab", "cd"));
  });

  it("rejects malformed shard names", () => {
    for (const bad of ["", "80", "00", "-8", "8-", "x0-", "-80-c0", "80-80", "c0-80", "--", " -80"]) {
      assert.throws(() => parseShardName(bad), /invalid shard name/, bad);
    }
  });

  it("tests containment byte-wise, start inclusive and end exclusive", () => {
    const cases: [string, string, boolean][] = [
      ["40-80", "40", true], ["40-80", "4000000000000000", true], ["40-80", "7fffffffffffffff", true],
      ["40-80", "80", false], ["40-80", "3fffffffffffffff", false], ["40-80", "", false],
      ["-", "", true], ["-80", "", true], ["80-", "ffff", true],
      // A prefix sorts first (Go bytes.Compare): 0x80 is below 0x8000.
      ["8000-", "80", false], ["-8000", "80", true],
    ];
    for (const [shard, id, inside] of cases) assert.equal(keyRangeContains(parseShardName(shard), hex(id)), inside, `${shard} ${id}`);
  });

  it("checks full coverage", () => {
    const ranges = (...names: string[]) => names.map((name) => ({ name, range: parseShardName(name) }));
    assert.equal(checkFullCoverage(ranges("-")), undefined);
    assert.equal(checkFullCoverage(ranges("80-", "-40", "40-80")), undefined);
    assert.match(checkFullCoverage(ranges("40-"))!, /gap.*below 40/);
    assert.match(checkFullCoverage(ranges("-40", "80-"))!, /gap.*40-80/);
    assert.match(checkFullCoverage(ranges("-80", "8000-"))!, /gap/);
    assert.match(checkFullCoverage(ranges("-80", "40-"))!, /overlap.*"-80" and "40-"/);
    assert.match(checkFullCoverage(ranges("-", "80-"))!, /overlap/);
    assert.match(checkFullCoverage(ranges("-80", "-80", "80-"))!, /overlap/);
    assert.match(checkFullCoverage(ranges("-40", "40-80"))!, /gap.*from 80/);
    assert.match(checkFullCoverage([])!, /no shards/);
  });

  it("puts every keyspace id in exactly one shard of a covering set", () => {
    const boundaries = fc.uniqueArray(fc.integer({ min: 1, max: 0xffff }), { maxLength: 8 }).map((xs) => xs.sort((a, b) => a - b));
    fc.assert(
      fc.property(boundaries, fc.uint8Array({ maxLength: 9 }), (points, id) => {
        const edges = ["", ...points.map((p) => p.toString(16).padStart(4, "0")), ""];
        const named = edges.slice(1).map((end, i) => `${edges[i]}-${end}`).map((name) => ({ name, range: parseShardName(name) }));
        assert.equal(checkFullCoverage(named), undefined);
        assert.equal(named.filter((s) => keyRangeContains(s.range, id)).length, 1);
      }),
    );
  });
});

describe("parseConfig: auth plugin and server options", () => {
  it("accepts auth_plugin and refuses caching_sha2_password for a hash-only user", () => {
    const ok = parseConfig(doc({ users: `- { user: a, password: x, auth_plugin: mysql_native_password }` }), source());
    assert.equal(ok.users[0]!.authPlugin, "mysql_native_password");
    assert.deepEqual(issuesOf(doc({ users: `- { user: a, password_hash: "*${"ab".repeat(20)}", auth_plugin: caching_sha2_password }` })), [
      "users[0].auth_plugin: caching_sha2_password needs password (a password_hash only serves mysql_native_password)",
    ]);
    assert.deepEqual(issuesOf(doc({ users: `- { user: a, password: x, auth_plugin: ed25519 }` })), [
      "users[0].auth_plugin: expected one of mysql_native_password, caching_sha2_password",
    ]);
  });
});

describe("TLS settings", () => {
  const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  const tlsListen = "mysql: 127.0.0.1:15306\ntls: { cert: tls/server.crt, key: /abs/server.key, require: true }";

  it("listen.tls reads the PEM files relative to the config file's directory at load", () => {
    const src = source({}, { "/etc/shardgate/tls/server.crt": PEM, "/abs/server.key": PEM.replaceAll("CERTIFICATE", "PRIVATE KEY") });
    const config = parseConfig(doc({ listen: tlsListen }), src);
    assert.deepEqual(config.listen.tls, { cert: PEM, key: PEM.replaceAll("CERTIFICATE", "PRIVATE KEY"), ca: undefined, require: true });
    assert.deepEqual(src.reads, ["/etc/shardgate/tls/server.crt", "/abs/server.key"]);
    assert.equal(parseConfig(doc(), source()).listen.tls, undefined);
  });

  it("listen.tls: a missing or non-PEM file is an error naming the path", () => {
    const src = source({}, { "/abs/server.key": "not a key" });
    assert.deepEqual(issuesOf(doc({ listen: tlsListen }), src), [
      `listen.tls.cert: cannot read file "tls/server.crt": ENOENT: no such file '/etc/shardgate/tls/server.crt'`,
      `listen.tls.key: file "/abs/server.key" is not PEM (no "-----BEGIN" line)`,
    ]);
  });

  it("backend URL ssl-mode / ssl-ca: MySQL client modes, the CA read at load, bad values refused", () => {
    const topology = (query: string) => `commerce:\n  "-": { primary: "mysql://root@h/commerce?${query}" }`;
    const vschema = "commerce:\n  sharded: false";
    const src = source({}, { "/etc/shardgate/ca.pem": PEM });
    const tlsOf = (query: string) => parseConfig(doc({ topology: topology(query), vschema }), src).keyspaces.commerce!.shards[0]!.primary.tls;
    assert.deepEqual(tlsOf("charset=utf8mb4"), { mode: "DISABLED", ca: undefined });
    assert.deepEqual(tlsOf("ssl-mode=required"), { mode: "REQUIRED", ca: undefined });
    assert.deepEqual(tlsOf("ssl-ca=ca.pem"), { mode: "VERIFY_CA", ca: PEM });
    assert.deepEqual(tlsOf("ssl-mode=VERIFY_IDENTITY&ssl-ca=ca.pem"), { mode: "VERIFY_IDENTITY", ca: PEM });
    assert.deepEqual(issuesOf(doc({ topology: topology("ssl-mode=SOMETIMES&ssl-cert=x"), vschema }), src), [
      'topology.commerce["-"].primary: unsupported backend URL option "ssl-cert" (supported: ssl-mode, ssl-ca)',
      'topology.commerce["-"].primary: invalid ssl-mode "SOMETIMES" (expected one of DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY)',
    ]);
    assert.deepEqual(issuesOf(doc({ topology: topology("ssl-mode=VERIFY_CA&ssl-ca=gone.pem"), vschema }), src), [
      `topology.commerce["-"].primary: cannot read ssl-ca file "gone.pem": ENOENT: no such file '/etc/shardgate/gone.pem'`,
    ]);
  });
});
