/**
 * Bench fixtures: the sysbench table in the sandbox's `commerce` database, and the gateway config
 * derived from the sandbox's (own listen port, a mysql_native_password user, quiet log).
 */
import mysql from "mysql2/promise";
import { parse, stringify } from "yaml";
import type { MariaDbServer } from "../../src/sandbox/mariadb-server.ts";

export const TABLE = "sbtest1";

export interface GatewayAccount {
  user: string;
  password: string;
  plugin: "caching_sha2_password" | "mysql_native_password";
}

/** The sandbox's own application account: what clients of the sidecar really use. */
export const APP_ACCOUNT: GatewayAccount = { user: "app", password: "app-secret", plugin: "caching_sha2_password" };

/**
 * Added to the bench gateway's config for client libraries that cannot do caching_sha2_password
 * (over plain TCP it may need the server's RSA key); mysql_native_password works with all of them.
 */
export const NATIVE_ACCOUNT: GatewayAccount = { user: "bench", password: "bench-secret", plugin: "mysql_native_password" };

/** sysbench's own oltp_common.lua table, plus the rows it would insert (c, pad: digit groups). */
export async function prepareTable(server: MariaDbServer, database: string, rows: number): Promise<void> {
  const connection = await mysql.createConnection({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    database,
  });
  try {
    await connection.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await connection.query(
      `CREATE TABLE ${TABLE} (
        id INT NOT NULL AUTO_INCREMENT,
        k INT NOT NULL DEFAULT 0,
        c CHAR(120) NOT NULL DEFAULT '',
        pad CHAR(60) NOT NULL DEFAULT '',
        PRIMARY KEY (id),
        KEY k_1 (k)
      ) ENGINE=InnoDB`,
    );
    const batch = 1000;
    for (let first = 1; first <= rows; first += batch) {
      const values: [number, number, string, string][] = [];
      for (let id = first; id < Math.min(first + batch, rows + 1); id++) {
        values.push([id, 1 + Math.floor(Math.random() * rows), digitGroups(11, 10), digitGroups(11, 5)]);
      }
      await connection.query(`INSERT INTO ${TABLE} (id, k, c, pad) VALUES ?`, [values]);
    }
    const [result] = await connection.query(`SELECT COUNT(*) AS n FROM ${TABLE}`);
    const count = Number((result as { n: number }[])[0]?.n);
    if (count !== rows) throw new Error(`${database}.${TABLE}: expected ${rows} rows, found ${count}`);
  } finally {
    await connection.end();
  }
}

/** `groups` runs of `width` random digits joined by '-', as sysbench fills c and pad. */
function digitGroups(width: number, groups: number): string {
  const parts: string[] = [];
  for (let g = 0; g < groups; g++) {
    let part = "";
    for (let i = 0; i < width; i++) part += String(Math.floor(Math.random() * 10));
    parts.push(part);
  }
  return parts.join("-");
}

/**
 * The sandbox config for a bench gateway on `port` (0: any): NATIVE_ACCOUNT added, the admin
 * listener dropped, a backend pool at least as large as the client count, and warnings only.
 */
export function benchGatewayYaml(sandboxYaml: string, port: number, threads: number): string {
  const raw = parse(sandboxYaml) as Record<string, unknown> & { users: Record<string, unknown>[] };
  raw.listen = { mysql: `127.0.0.1:${port}` };
  const { user, password, plugin } = NATIVE_ACCOUNT;
  raw.users = [...raw.users, { user, password, auth_plugin: plugin }];
  raw.pool = { ...(raw.pool as Record<string, unknown> | undefined), max_connections: Math.max(32, threads) };
  raw.log = { level: "warn" };
  return stringify(raw);
}
