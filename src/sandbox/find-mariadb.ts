/**
 * Locates the MariaDB server and its datadir initialiser on this machine (Node-only tooling).
 *
 * The sandbox needs MariaDB specifically: Oracle MySQL also ships a `mysqld`, but it initialises
 * datadirs with `mysqld --initialize-insecure` instead of `mysql_install_db`, so a `mysqld` that is
 * not MariaDB is rejected with a message rather than failing later with an obscure error.
 */
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export interface MariaDbBinaries {
  /** Absolute path of `mariadbd` (or a MariaDB `mysqld`). */
  server: string;
  /** Absolute path of `mariadb-install-db` (or `mysql_install_db`). */
  installDb: string;
  /** `--basedir` for the initialiser when the server is not a system package (tarball layout). */
  baseDir?: string;
  /** First line of `mariadbd --version`. */
  version: string;
}

const SERVER_NAMES = ["mariadbd", "mysqld"];
const INSTALL_DB_NAMES = ["mariadb-install-db", "mysql_install_db"];
const SERVER_DIRS = ["/usr/sbin", "/usr/local/sbin", "/usr/local/mysql/bin", "/usr/local/mariadb/bin"];
const INSTALL_DB_DIRS = [
  "/usr/bin",
  "/usr/local/bin",
  "/usr/local/mysql/bin",
  "/usr/local/mysql/scripts",
  "/usr/local/mariadb/bin",
  "/usr/local/mariadb/scripts",
];

const INSTALL_HINT =
  "install mariadb-server (Debian/Ubuntu: `apt-get install mariadb-server`; macOS: `brew install mariadb`), " +
  "or point SHARDGATE_MARIADBD / SHARDGATE_MARIADB_INSTALL_DB at the binaries";

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function searchDirs(extra: readonly string[], near?: string): string[] {
  const fromPath = (process.env.PATH ?? "").split(delimiter).filter((dir) => dir !== "");
  // A tarball keeps the initialiser next to the server or in ../scripts, so look there first.
  const nearby = near === undefined ? [] : [dirname(near), join(dirname(dirname(near)), "scripts")];
  return [...new Set([...nearby, ...fromPath, ...extra])];
}

/** The first executable among `names` in `dirs`; names outrank dirs (prefer `mariadbd` anywhere). */
function findExecutable(names: readonly string[], dirs: readonly string[]): string | undefined {
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

function fromEnv(variable: string): string | undefined {
  const value = process.env[variable];
  if (value === undefined || value === "") return undefined;
  if (!isExecutable(value)) throw new Error(`${variable}=${value} is not an executable file`);
  return value;
}

async function firstLineOfVersion(server: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(server, ["--version"], { timeout: 10_000 });
    return stdout.split("\n")[0]?.trim() ?? "";
  } catch (error) {
    throw new Error(`${server} --version failed: ${(error as Error).message}; ${INSTALL_HINT}`);
  }
}

async function locate(): Promise<MariaDbBinaries> {
  const server = fromEnv("SHARDGATE_MARIADBD") ?? findExecutable(SERVER_NAMES, searchDirs(SERVER_DIRS));
  if (server === undefined) {
    throw new Error(
      `MariaDB server not found (looked for ${SERVER_NAMES.join("/")} on PATH and in ${SERVER_DIRS.join(", ")}); ` +
        INSTALL_HINT,
    );
  }
  const version = await firstLineOfVersion(server);
  if (!/mariadb/i.test(version)) {
    throw new Error(`${server} is not MariaDB (${version}); the sandbox needs MariaDB: ${INSTALL_HINT}`);
  }
  const installDb =
    fromEnv("SHARDGATE_MARIADB_INSTALL_DB") ?? findExecutable(INSTALL_DB_NAMES, searchDirs(INSTALL_DB_DIRS, server));
  if (installDb === undefined) {
    throw new Error(
      `mariadb-install-db not found (looked for ${INSTALL_DB_NAMES.join("/")} on PATH, next to ${server} ` +
        `and in ${INSTALL_DB_DIRS.join(", ")}); ${INSTALL_HINT}`,
    );
  }
  // System packages compile in their basedir; a tarball (/usr/local/mysql/bin/mariadbd) needs it told.
  const root = dirname(dirname(server));
  const isSystemLayout = root === "/usr" || root === "/usr/local" || root === "/";
  return isSystemLayout ? { server, installDb, version } : { server, installDb, version, baseDir: root };
}

let cached: Promise<MariaDbBinaries> | undefined;

/** Finds the MariaDB binaries once per process; rejects with an "install mariadb-server" hint. */
export function findMariaDb(): Promise<MariaDbBinaries> {
  cached ??= locate();
  // A failed lookup is not cached: the user may install MariaDB and retry in the same process.
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
