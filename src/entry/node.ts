import { parseArgs } from "node:util";
import { ConfigError } from "../core/config/config-error.ts";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";
import { createAdminApp } from "../core/admin/admin-app.ts";
import type { HostPort } from "../core/config/types.ts";
import { Gateway } from "../core/gateway.ts";
import { jsonLogger, type Logger } from "../core/logger.ts";
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
  const configText = sandbox?.configYaml;
  const loadConfig = async () => (values.config ? loadConfigFile(values.config) : parseConfigText(configText!));
  const gateway = await Gateway.start(config, { network: nodeNetwork, logger, loadConfig });
  const admin = config.listen.admin ? await serveAdmin(createAdminApp(gateway), config.listen.admin, logger) : undefined;
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
    admin?.close();
    await gateway.close();
    await sandbox?.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGHUP", () => {
    gateway.reload("SIGHUP").catch((error: unknown) => logger.error("reload refused", { error: String(error) }));
  });
}

/** The admin API on Node's HTTP server. */
function serveAdmin(app: Hono, address: HostPort, logger: Logger): Promise<{ close(): void }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: address.host, port: address.port }, (info) => {
      logger.info("admin API listening", { host: info.address, port: info.port });
      resolve({ close: () => server.close() });
    });
  });
}

main().catch((error: unknown) => {
  console.error("shardgate: fatal:", error);
  process.exit(1);
});
