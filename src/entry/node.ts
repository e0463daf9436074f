/** `node --import tsx src/entry/node.ts [--config FILE]`: the CLI (main.ts) on Node's APIs. */
import { readFileSync } from "node:fs";
import { nodeNetwork } from "../node/node-network.ts";
import { serveNodeHttp } from "../node/node-http.ts";
import { main } from "./main.ts";

await main({
  name: "node",
  version: process.versions.node,
  network: nodeNetwork,
  args: process.argv.slice(2),
  env: process.env,
  readTextFile: (path) => readFileSync(path, "utf8"),
  cwd: () => process.cwd(),
  onSignal: (signal, handler) => void process.on(signal, handler),
  exit: (code) => process.exit(code),
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  serveHttp: serveNodeHttp,
});
