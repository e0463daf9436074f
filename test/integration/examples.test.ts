import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { runtimeName, scriptCommand } from "../support/runtime.ts";
import { startTestGateway, type TestGateway } from "../support/gateway.ts";

/** Each runtime runs its own example app: the one a user of that runtime would copy. */
const EXAMPLE_APP = { node: "examples/node-mysql2/app.ts", bun: "examples/bun-app/app.ts", deno: "examples/deno-app/app.ts" }[runtimeName];

describe("examples", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  it(`the ${runtimeName} example app (${EXAMPLE_APP}) runs against the gateway`, async () => {
    const [program, ...args] = scriptCommand(EXAMPLE_APP);
    const { stdout } = await promisify(execFile)(program!, args, { env: { ...process.env, SHARDGATE_PORT: String(gw.port) } });
    assert.match(stdout, /SKU-1001/);
    assert.match(stdout, /price inside the transaction: 190\.00/);
    if (runtimeName === "node") assert.match(stdout, /version: '8\.0\.40-shardgate', db: 'commerce'/);
    else assert.match(stdout, new RegExp(`connected from ${runtimeName === "bun" ? "Bun" : "Deno"} \\S+ to 8\\.0\\.40-shardgate, db commerce`));
  });
});
