import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BackendConnection } from "../../src/core/backend/backend-connection.ts";
import { testNetwork } from "../support/runtime.ts";
import { startTestGateway, type TestGateway } from "../support/gateway.ts";

const extraUsers = [
  { user: "native", password: "native-secret", auth_plugin: "mysql_native_password" },
  // PASSWORD('hashed-secret'): a user configured by hash only, so it can only be a native one.
  { user: "hashed", password_hash: "*75E7F0BF09E5E4271384DAB38C7511390B2E75E5" },
  { user: "empty", password: "" },
  { user: "limited", password: "limited-secret", keyspaces: ["commerce"] },
];

function expectError(promise: Promise<unknown>, code: number, sqlState: string, message?: RegExp) {
  return assert.rejects(promise, (error: { errno?: number; sqlState?: string; message: string }) => {
    assert.equal(error.errno, code, error.message);
    assert.equal(error.sqlState, sqlState);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe("authentication", () => {
  let gw: TestGateway;
  let fullAuth: TestGateway;
  before(async () => {
    gw = await startTestGateway((config) => config.users.push(...extraUsers));
    fullAuth = await startTestGateway((config) => {
      config.server = { caching_sha2_full_auth: true };
    });
  });
  after(async () => {
    await gw.close();
    await fullAuth.close();
  });

  it("caching_sha2_password user (fast path) connects with mysql2", async () => {
    const c = await gw.connect({ database: "commerce" });
    const [rows] = await c.query("SELECT CURRENT_USER() AS u, DATABASE() AS d");
    assert.deepEqual(rows, [{ u: "app@%", d: "commerce" }]);
  });

  it("mysql_native_password user connects, switching plugin when the client starts with the other", async () => {
    const c = await gw.connect({ user: "native", password: "native-secret" });
    const [rows] = await c.query("SELECT CURRENT_USER() AS u");
    assert.deepEqual(rows, [{ u: "native@%" }]);
  });

  it("a user configured with a password hash authenticates with the matching password only", async () => {
    const hash = (await import("../../src/core/auth/native-password.ts")).nativePasswordHash;
    assert.equal(await hash("hashed-secret"), extraUsers[1]!.password_hash, "fixture hash matches its password");
    const c = await gw.connect({ user: "hashed", password: "hashed-secret" });
    assert.ok(c);
    await expectError(gw.connect({ user: "hashed", password: "nope" }), 1045, "28000");
  });

  it("wrong password: 1045 / 28000 naming user, host and that a password was used", async () => {
    await expectError(gw.connect({ password: "wrong" }), 1045, "28000", /^Access denied for user 'app'@'127\.0\.0\.1' \(using password: YES\)$/);
    await expectError(gw.connect({ user: "native", password: "wrong" }), 1045, "28000", /using password: YES/);
  });

  it("unknown user and missing password are refused the same way", async () => {
    await expectError(gw.connect({ user: "ghost", password: "x" }), 1045, "28000", /'ghost'@'127\.0\.0\.1' \(using password: YES\)/);
    await expectError(gw.connect({ password: "" }), 1045, "28000", /using password: NO/);
  });

  it("an empty configured password accepts an empty password only", async () => {
    const c = await gw.connect({ user: "empty", password: "" });
    assert.ok(c);
    await expectError(gw.connect({ user: "empty", password: "x" }), 1045, "28000");
  });

  it("unknown database on connect is 1049; a keyspace the user may not use is 1044", async () => {
    await expectError(gw.connect({ database: "nope" }), 1049, "42000", /Unknown database 'nope'/);
    await expectError(
      gw.connect({ user: "limited", password: "limited-secret", database: "customer" }),
      1044,
      "42000",
      /Access denied for user 'limited'@'127\.0\.0\.1' to database 'customer'/,
    );
  });

  it("caching_sha2_password full path: mysql2 fetches the RSA public key and sends the password encrypted", async () => {
    const c = await fullAuth.connect();
    const [rows] = await c.query("SELECT 1 AS one");
    assert.deepEqual(rows, [{ one: 1 }]);
    await expectError(fullAuth.connect({ password: "wrong" }), 1045, "28000");
  });

  it("the gateway's own backend client authenticates through the RSA exchange too", async () => {
    const flavor = { capabilities: 0, collationId: 45 };
    const address = { host: "127.0.0.1", port: fullAuth.port, user: "app", password: "app-secret", database: "commerce", options: {} };
    const client = await BackendConnection.connect(testNetwork, { address, flavor, connectTimeoutMs: 5000 });
    const result = await client.query("SELECT DATABASE()");
    assert.deepEqual(result.rows, [["commerce"]]);
    client.close();
    await assert.rejects(
      BackendConnection.connect(testNetwork, { address: { ...address, password: "bad" }, flavor, connectTimeoutMs: 5000 }),
      (error: { code?: number }) => error.code === 1045,
    );
  });
});
