import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { startTestGateway, type TestGateway } from "../support/gateway.ts";

describe("examples", () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  it("the Node mysql2 example app runs against the gateway", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "examples/node-mysql2/app.ts"], {
      env: { ...process.env, SHARDGATE_PORT: String(gw.port) },
    });
    assert.match(stdout, /SKU-1001/);
    assert.match(stdout, /price inside the transaction: 190\.00/);
    assert.match(stdout, /version: '8\.0\.40-shardgate', db: 'commerce'/);
  });
});
