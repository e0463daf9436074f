/** The CLI's flags, parsed without node:util so every runtime reads them the same way. */

export const USAGE = `usage: shardgate [--config FILE]

  --config FILE   run the gateway with this YAML config
  (no arguments)  start a local sandbox: throwaway MariaDB shards plus the gateway in front of them`;

export type CliArgs = { kind: "help" } | { kind: "run"; config: string | undefined } | { kind: "error"; message: string };

export function parseCliArgs(args: readonly string[]): CliArgs {
  let config: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "-h" || arg === "--help") return { kind: "help" };
    if (arg === "--config" || arg.startsWith("--config=")) {
      const value = arg === "--config" ? args[++i] : arg.slice("--config=".length);
      if (value === undefined || value === "") return { kind: "error", message: "--config needs a file name" };
      config = value;
      continue;
    }
    return { kind: "error", message: `unknown argument ${JSON.stringify(arg)}` };
  }
  return { kind: "run", config };
}
