/** `deno run -A src/entry/deno.ts [--config FILE]` (or `deno task start`): the CLI on Deno's APIs. */
import { denoGlobal } from "../deno/deno-api.ts";
import { denoNetwork } from "../deno/deno-network.ts";
import { serveDenoHttp } from "../deno/deno-http.ts";
import { main } from "./main.ts";

const deno = denoGlobal();
const encoder = new TextEncoder();

function writeAll(stream: { writeSync(bytes: Uint8Array): number }, text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(stream.writeSync(bytes));
}

await main({
  name: "deno",
  version: deno.version.deno,
  network: denoNetwork,
  args: deno.args,
  env: deno.env.toObject(),
  readTextFile: (path) => deno.readTextFileSync(path),
  cwd: () => deno.cwd(),
  onSignal: (signal, handler) => deno.addSignalListener(signal, handler),
  exit: (code) => deno.exit(code),
  stdout: (text) => writeAll(deno.stdout, text),
  stderr: (text) => writeAll(deno.stderr, text),
  serveHttp: serveDenoHttp,
});
