/**
 * Starts a real gateway (in this process, on a free port) in front of the sandbox's MariaDB servers,
 * and opens real mysql2 connections to it or straight to a backend, for comparison.
 */
import { readFileSync } from "node:fs";
import mysql from "mysql2/promise";
import { parse, stringify } from "yaml";
import { parseConfig } from "../../src/core/config/load-config.ts";
import { Gateway } from "../../src/core/gateway.ts";
import { silentLogger } from "../../src/core/logger.ts";
import { testNetwork } from "./runtime.ts";
import { getTestBackends } from "./test-env.ts";

export interface TestGateway {
  gateway: Gateway;
  port: number;
  connect(options?: mysql.ConnectionOptions): Promise<mysql.Connection>;
  close(): Promise<void>;
}

type RawConfig = Record<string, unknown> & { users: Record<string, unknown>[] };

/** `change` edits the sandbox config (plain YAML object) before it is validated. */
export async function startTestGateway(change?: (config: RawConfig) => void): Promise<TestGateway> {
  const raw = parse(getTestBackends().configYaml) as RawConfig;
  raw.listen = { mysql: "127.0.0.1:0" };
  change?.(raw);
  // Files the config names (listen.tls, ssl-ca) are read from disk, relative to the working directory.
  const config = parseConfig(stringify(raw), { env: {}, readFile: (path) => readFileSync(path, "utf8"), baseDir: "." });
  const gateway = await Gateway.start(config, { network: testNetwork, logger: silentLogger });
  const port = gateway.address.port;
  const opened: mysql.Connection[] = [];
  return {
    gateway,
    port,
    async connect(options = {}) {
      const connection = await mysql.createConnection({ host: "127.0.0.1", port, user: "app", password: "app-secret", ...options });
      opened.push(connection);
      return connection;
    },
    async close() {
      await Promise.all(opened.map((c) => c.end().catch(() => {})));
      await gateway.close();
    },
  };
}

/** A mysql2 connection straight to a sandbox server, bypassing the gateway. */
export async function connectDirect(server: string, options: mysql.ConnectionOptions = {}): Promise<mysql.Connection> {
  const backend = getTestBackends().servers[server];
  if (!backend) throw new Error(`no sandbox server ${server}`);
  return mysql.createConnection({
    host: backend.host,
    port: backend.port,
    user: backend.user,
    password: backend.password,
    database: backend.database,
    ...options,
  });
}
