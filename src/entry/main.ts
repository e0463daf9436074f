/**
 * The shardgate CLI, the same on every runtime: `--config FILE`, or a local sandbox when no config is
 * given; the admin API on `listen.admin`; JSON log lines on stderr; SIGHUP reloads the config;
 * SIGINT/SIGTERM stop the gateway gracefully (and the sandbox), then exit 0. Exit status 2 for a bad
 * command line or config, 1 for anything else that stops start-up.
 */
import { createAdminApp } from "../core/admin/admin-app.ts";
import { ConfigError } from "../core/config/config-error.ts";
import type { Config } from "../core/config/types.ts";
import { Gateway } from "../core/gateway.ts";
import { jsonLogger, type Logger } from "../core/logger.ts";
import type { HttpServerHandle } from "../net/http-server.ts";
import type { Sandbox } from "../sandbox/sandbox.ts";
import { parseCliArgs, USAGE } from "./cli-args.ts";
import { loadConfigFile, parseConfigText } from "./config-file.ts";
import type { Runtime } from "./runtime.ts";

function sandboxBanner(host: string, port: number): string {
  return `
shardgate sandbox is up. Connect with:

  mariadb -h${host} -P${port} -uapp -papp-secret commerce

Keyspaces: commerce (unsharded), customer (2 shards: -80, 80-). Ctrl-C stops everything.

`;
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

export async function main(runtime: Runtime): Promise<void> {
  const args = parseCliArgs(runtime.args);
  if (args.kind === "help") {
    runtime.stdout(`${USAGE}\n`);
    runtime.exit(0);
  }
  if (args.kind === "error") {
    runtime.stderr(`shardgate: ${args.message}\n${USAGE}\n`);
    runtime.exit(2);
  }
  const writeLine = (line: string) => runtime.stderr(`${line}\n`);
  const log = (level: "info" | "error", msg: string, fields: Record<string, unknown> = {}) =>
    writeLine(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));

  let sandbox: Sandbox | undefined;
  let gateway: Gateway | undefined;
  let logger: Logger | undefined;
  let admin: HttpServerHandle | undefined;

  const start = async (): Promise<void> => {
    let config: Config;
    let loadConfig: () => Promise<Config>;
    if (args.config !== undefined) {
      const file = args.config;
      config = loadConfigFile(runtime, file);
      loadConfig = async () => loadConfigFile(runtime, file);
    } else {
      runtime.stderr("No --config given: starting the sandbox (local MariaDB shards)...\n");
      // Loaded only here: the sandbox's Node-API tooling (child processes, temp dirs) is not needed
      // to run from a config, and leaving it out keeps the sidecar's cold start short.
      const { startSandbox } = await import("../sandbox/sandbox.ts");
      // The sandbox listens on 15306 (MySQL) and 15000 (admin) unless these say otherwise (0: any free port).
      const port = (name: string) => (runtime.env[name] === undefined ? undefined : Number(runtime.env[name]));
      sandbox = await startSandbox({
        log: (line) => log("info", line),
        mysqlPort: port("SHARDGATE_SANDBOX_MYSQL_PORT"),
        adminPort: port("SHARDGATE_SANDBOX_ADMIN_PORT"),
      });
      const text = sandbox.configYaml;
      config = parseConfigText(runtime, text);
      loadConfig = async () => parseConfigText(runtime, text);
    }
    logger = jsonLogger(config.log.level, writeLine);
    logger.info("starting", { runtime: runtime.name, version: runtime.version });
    gateway = await Gateway.start(config, { network: runtime.network, logger, loadConfig });
    const adminAddress = config.listen.admin;
    if (adminAddress !== undefined) {
      admin = await runtime.serveHttp(adminAddress.host, adminAddress.port, createAdminApp(gateway).fetch);
      logger.info("admin API listening", { host: admin.host, port: admin.port });
    }
    if (sandbox !== undefined) runtime.stdout(sandboxBanner(gateway.address.host, gateway.address.port));
  };
  const starting = start();

  // Installed before start-up finishes: a signal while the sandbox starts still stops it cleanly.
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (logger !== undefined) logger.info("shutting down", { signal });
    else log("info", "shutting down", { signal });
    await starting.catch(() => {});
    void admin?.close().catch(() => {});
    try {
      await gateway?.close();
    } finally {
      await sandbox?.stop();
    }
    runtime.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    runtime.onSignal(signal, () => {
      stop(signal).catch((error: unknown) => {
        log("error", "shutdown failed", { error: describeError(error) });
        runtime.exit(1);
      });
    });
  }
  runtime.onSignal("SIGHUP", () => {
    if (gateway === undefined || stopping) return;
    gateway.reload("SIGHUP").catch((error: unknown) => logger?.error("reload refused", { error: String(error) }));
  });

  try {
    await starting;
  } catch (error) {
    if (stopping) return; // the signal handler cleans up and exits
    await admin?.close().catch(() => {});
    await gateway?.close().catch(() => {});
    await sandbox?.stop().catch(() => {});
    if (error instanceof ConfigError) {
      runtime.stderr(`shardgate: invalid config:\n${error.message}\n`);
      runtime.exit(2);
    }
    runtime.stderr(`shardgate: fatal: ${describeError(error)}\n`);
    runtime.exit(1);
  }
}
