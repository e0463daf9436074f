import { parseArgs } from "node:util";
import { ConfigError } from "../core/config/config-error.ts";
import { Gateway } from "../core/gateway.ts";
import { jsonLogger } from "../core/logger.ts";
import { loadConfigFile, parseConfigText } from "../node/load-config-file.ts";
import { nodeNetwork } from "../node/node-network.ts";
import { startSandbox, type Sandbox } from "../sandbox/sandbox.ts";

const USAGE = `usage: shardgate [--config FILE]

  --config FILE   run the gateway with this YAML config
  (no arguments)  start a local sandbox: throwaway MariaDB shards plus the gateway in front of them`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: "string" }, help: { type: "boolean", short: "h" } } });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const writeLine = (line: string) => process.stderr.write(line + "\n");
  let sandbox: Sandbox | undefined;
  let config;
  try {
    if (values.config) {
      config = loadConfigFile(values.config);
    } else {
      console.error("No --config given: starting the sandbox (local MariaDB shards)...");
      sandbox = await startSandbox({ log: (line) => writeLine(JSON.stringify({ time: new Date().toISOString(), level: "info", msg: line })) });
      config = parseConfigText(sandbox.configYaml);
    }
  } catch (error) {
    await sandbox?.stop();
    if (error instanceof ConfigError) {
      console.error(`shardgate: invalid config:\n${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = jsonLogger(config.log.level, writeLine);
  const gateway = await Gateway.start(config, { network: nodeNetwork, logger });
  const { host, port } = gateway.address;
  if (sandbox) {
    console.log(`
shardgate sandbox is up. Connect with:

  mariadb -h${host} -P${port} -uapp -papp-secret commerce

Keyspaces: commerce (unsharded), customer (2 shards: -80, 80-). Ctrl-C stops everything.
`);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal });
    await gateway.close();
    await sandbox?.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error("shardgate: fatal:", error);
  process.exit(1);
});
