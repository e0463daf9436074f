/** `bun src/entry/bun.ts [--config FILE]`: the CLI (main.ts) on Bun, with Bun's own sockets. */
import { readFileSync } from "node:fs";
import { bunGlobal } from "../bun/bun-api.ts";
import { bunNetwork } from "../bun/bun-network.ts";
import { serveBunHttp } from "../bun/bun-http.ts";
import { main } from "./main.ts";

const bun = bunGlobal();

// Bun implements `process` and node:fs natively (Bun.file has no synchronous read): they are Bun's APIs here.
await main({
  name: "bun",
  version: bun.version,
  network: bunNetwork,
  args: bun.argv.slice(2),
  env: process.env,
  readTextFile: (path) => readFileSync(path, "utf8"),
  cwd: () => process.cwd(),
  onSignal: (signal, handler) => void process.on(signal, handler),
  exit: (code) => process.exit(code),
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  serveHttp: serveBunHttp,
});
