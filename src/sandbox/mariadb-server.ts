/**
 * Throwaway MariaDB servers for tests and the local sandbox (Node-only tooling).
 *
 * Speed: `mariadb-install-db` runs once per template dir (~0.7-1 s) and every server gets a copy
 * of that datadir, so N servers cost one install plus N parallel copies and starts (~0.3 s each).
 *
 * Lifetime: each mariadbd gets a tiny `sh` watchdog whose stdin is a pipe from this process. The
 * kernel closes that pipe however this process ends (even SIGKILL), the watchdog's `read` sees EOF
 * and sends the server SIGTERM, so no server outlives its parent.
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { closeSync, existsSync, openSync, readFileSync, statSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createConnection } from "mysql2/promise";
import { findMariaDb } from "./find-mariadb.ts";

const execFileAsync = promisify(execFile);

export interface MariaDbServer {
  readonly name: string;
  readonly host: "127.0.0.1";
  readonly port: number;
  /** The `shardgate` account: all privileges, from any host, mysql_native_password. */
  readonly user: string;
  readonly password: string;
  readonly socketPath: string;
  readonly dataDir: string;
  readonly errorLogPath: string;
  /** Pid of the running mariadbd; undefined after stop()/kill(). */
  readonly pid: number | undefined;
  /** Clean shutdown (SIGTERM, bounded wait, then SIGKILL). Keeps the datadir. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would (for failure tests). Keeps the datadir. */
  kill(): Promise<void>;
  /** Starts the server again on the same datadir and port (after stop(), kill(), or while running). */
  restart(): Promise<void>;
}

export interface StartMariaDbServerOptions {
  /** The datadir is `<baseDir>/<name>`; the caller removes baseDir. */
  baseDir: string;
  name: string;
  /** 0 or undefined: a free port, retried if another process takes it first. */
  port?: number;
  log?: (line: string) => void;
  /** Where the initialised datadir template lives; default `<baseDir>/.template`. Shareable. */
  templateDir?: string;
  /** Bound on waiting for "ready for connections"; default 60 s. */
  startTimeoutMs?: number;
  /** More mariadbd options, after the sandbox's own (e.g. `--ssl-cert=…`, `--ssl-key=…`, `--ssl-ca=…`). */
  extraArgs?: readonly string[];
}

const USER = "shardgate";
const SOCKET_PATH_MAX = 100; // sun_path is 108 bytes on Linux, 104 on macOS
const STOP_TIMEOUT_MS = 60_000;
const PORT_ATTEMPTS = 5;
const TEMPLATE_MARKER = ".shardgate-template";

// InnoDB sizes are minimal for fast starts; the packet limit fits the 20 MiB BLOB tests.
const INNODB_ARGS = ["--innodb-buffer-pool-size=32M", "--innodb-log-file-size=16M"];

/** mariadbd refuses to run as root unless told to; as any other user `--user` is only a warning. */
function userArgs(): string[] {
  return process.getuid?.() === 0 ? ["--user=root"] : [];
}

const templates = new Map<string, Promise<void>>();

/** Runs mariadb-install-db into `dir` once per process (or reuses a finished template). */
export function prepareMariaDbTemplate(dir: string, log?: (line: string) => void): Promise<void> {
  let pending = templates.get(dir);
  if (pending === undefined) {
    pending = createTemplate(dir, log);
    templates.set(dir, pending);
    pending.catch(() => templates.delete(dir));
  }
  return pending;
}

async function createTemplate(dir: string, log?: (line: string) => void): Promise<void> {
  if (existsSync(join(dir, TEMPLATE_MARKER))) return;
  const binaries = await findMariaDb();
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const started = performance.now();
  const args = [
    "--no-defaults", // must come first
    `--datadir=${dir}`,
    "--auth-root-authentication-method=normal", // password-less root@localhost, used over the socket
    "--skip-test-db",
    "--skip-name-resolve",
    ...userArgs(),
    ...(binaries.baseDir === undefined ? [] : [`--basedir=${binaries.baseDir}`]),
    // Passed through to the bootstrap mariadbd: the copies must start with the same log size.
    "--skip-log-bin",
    ...INNODB_ARGS,
  ];
  try {
    await execFileAsync(binaries.installDb, args, { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`${binaries.installDb} failed: ${(error as Error).message}\n${tail(`${stdout}\n${stderr}`, 30)}`);
  }
  await writeFile(join(dir, TEMPLATE_MARKER), `${binaries.version}\n`);
  log?.(`initialised MariaDB template ${dir} in ${Math.round(performance.now() - started)} ms (${binaries.version})`);
}

/** A port nobody listens on right now; racy by nature, hence the retry in startMariaDbServer. */
export async function findFreePort(host = "127.0.0.1"): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("could not read the bound port");
  return address.port;
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

function readTail(path: string, fromByte: number, lines: number): string {
  try {
    return tail(readFileSync(path).subarray(fromByte).toString("utf8"), lines);
  } catch {
    return "";
  }
}

function fileSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

function pickSocketPath(dataDir: string): string {
  const inDataDir = join(dataDir, "mysqld.sock");
  if (Buffer.byteLength(inDataDir) <= SOCKET_PATH_MAX) return inDataDir;
  const name = `shardgate-${randomBytes(6).toString("hex")}.sock`;
  const inTmp = join(tmpdir(), name);
  return Buffer.byteLength(inTmp) <= SOCKET_PATH_MAX ? inTmp : join("/tmp", name);
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Running {
  server: ChildProcess;
  watchdog: ChildProcess;
  exited: Promise<Exit>;
}

/** Every mariadbd this process started and has not seen exit, for the synchronous exit sweep. */
const live = new Set<Running>();
let exitSweepInstalled = false;

function installExitSweep(): void {
  if (exitSweepInstalled) return;
  exitSweepInstalled = true;
  // 'exit' handlers can't wait; SIGTERM lets each server shut down cleanly on its own.
  process.on("exit", () => {
    for (const running of live) {
      running.server.kill("SIGTERM");
      running.watchdog.kill("SIGKILL");
    }
  });
}

function spawnWatchdog(pid: number): ChildProcess {
  const script = 'while read -r _; do :; done; kill -TERM "$1" 2>/dev/null';
  // detached: a terminal Ctrl-C must not kill the watchdog before it has done its job.
  const watchdog = spawn("/bin/sh", ["-c", script, "shardgate-watchdog", String(pid)], {
    stdio: ["pipe", "ignore", "ignore"],
    detached: true,
  });
  watchdog.on("error", () => {}); // best effort; the 'exit' sweep still covers a clean exit
  watchdog.stdin?.on("error", () => {});
  return watchdog;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/**
 * On SIGINT/SIGTERM/SIGHUP runs `stop` and exits with 128+signal; a second signal exits at once
 * (the watchdogs still stop the servers). Returns a function that removes the handlers.
 */
export function stopOnSignals(
  stop: (signal: NodeJS.Signals) => Promise<void>,
  log?: (line: string) => void,
): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    const status = 128 + (SIGNAL_NUMBERS[signal] ?? 0);
    if (stopping) process.exit(status);
    stopping = true;
    log?.(`${signal}: stopping the MariaDB servers`);
    stop(signal)
      .catch((error: unknown) => log?.(`stopping failed: ${(error as Error).message}`))
      .finally(() => process.exit(status));
  };
  const signals = Object.keys(SIGNAL_NUMBERS) as NodeJS.Signals[];
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}

class LocalMariaDbServer implements MariaDbServer {
  readonly host = "127.0.0.1" as const;
  readonly user = USER;
  readonly password = `sandbox-${randomBytes(8).toString("hex")}`;
  readonly socketPath: string;
  readonly errorLogPath: string;
  port = 0;
  private running: Running | undefined;

  constructor(
    readonly name: string,
    readonly dataDir: string,
    private readonly serverBinary: string,
    private readonly startTimeoutMs: number,
    private readonly log: (line: string) => void,
    private readonly extraArgs: readonly string[] = [],
  ) {
    this.socketPath = pickSocketPath(dataDir);
    this.errorLogPath = join(dataDir, "error.log");
  }

  get pid(): number | undefined {
    return this.running?.server.pid;
  }

  /** Starts mariadbd and waits until root can connect over the socket. */
  async launch(port: number, pickPorts: boolean): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.port = pickPorts ? await findFreePort() : port;
      const logOffset = fileSize(this.errorLogPath);
      try {
        await this.spawnAndWait(logOffset);
        return;
      } catch (error) {
        const lostRace = /address already in use|bind on tcp\/ip port/i.test(readTail(this.errorLogPath, logOffset, 50));
        if (!pickPorts || !lostRace || attempt >= PORT_ATTEMPTS) throw error;
        this.log(`[${this.name}] port ${this.port} was taken meanwhile; retrying with another`);
      }
    }
  }

  private async spawnAndWait(logOffset: number): Promise<void> {
    const args = [
      "--no-defaults", // must come first
      `--datadir=${this.dataDir}`,
      `--socket=${this.socketPath}`,
      `--port=${this.port}`,
      "--bind-address=127.0.0.1",
      ...userArgs(),
      "--skip-log-bin",
      ...INNODB_ARGS,
      // Commit survives a mariadbd crash (kill()) though not an OS crash: fine for a sandbox.
      "--innodb-flush-log-at-trx-commit=2",
      "--max-allowed-packet=64M",
      // MariaDB's default, spelled out: the gateway's LOAD DATA LOCAL (server.local_infile) needs it on.
      "--local-infile=1",
      "--skip-name-resolve",
      `--pid-file=${join(this.dataDir, "mariadbd.pid")}`,
      `--log-error=${this.errorLogPath}`,
      "--character-set-server=utf8mb4",
      "--collation-server=utf8mb4_general_ci",
      ...this.extraArgs,
    ];
    // Errors printed before --log-error takes over (bad options) land here.
    const outFd = openSync(join(this.dataDir, "mariadbd.out"), "a");
    let server: ChildProcess;
    try {
      server = spawn(this.serverBinary, args, { stdio: ["ignore", outFd, outFd], detached: true });
    } finally {
      closeSync(outFd);
    }
    const exited = new Promise<Exit>((resolve) => {
      server.on("exit", (code, signal) => resolve({ code, signal }));
      server.on("error", () => resolve({ code: null, signal: null }));
    });
    if (server.pid === undefined) {
      await exited;
      throw new Error(`[${this.name}] could not spawn ${this.serverBinary}`);
    }
    const running: Running = { server, watchdog: spawnWatchdog(server.pid), exited };
    this.running = running;
    live.add(running);
    installExitSweep();
    void exited.then(() => {
      live.delete(running);
      running.watchdog.kill("SIGKILL");
      if (this.running === running) this.running = undefined;
    });
    const started = performance.now();
    this.log(`[${this.name}] mariadbd pid ${server.pid} starting on 127.0.0.1:${this.port}`);
    try {
      await this.waitUntilReady(exited);
    } catch (error) {
      await this.signalAndWait("SIGKILL");
      const logTail = readTail(this.errorLogPath, logOffset, 25) || readTail(join(this.dataDir, "mariadbd.out"), 0, 25);
      throw new Error(`[${this.name}] ${(error as Error).message}\n--- ${this.errorLogPath} (tail) ---\n${logTail}`);
    }
    this.log(`[${this.name}] ready on 127.0.0.1:${this.port} in ${Math.round(performance.now() - started)} ms`);
  }

  private async waitUntilReady(exited: Promise<Exit>): Promise<void> {
    let exit: Exit | undefined;
    void exited.then((value) => (exit = value));
    const deadline = performance.now() + this.startTimeoutMs;
    let lastError = "";
    while (performance.now() < deadline) {
      if (exit !== undefined) throw new Error(`mariadbd exited during start-up (code ${exit.code}, signal ${exit.signal})`);
      try {
        const connection = await createConnection({ socketPath: this.socketPath, user: "root", connectTimeout: 2_000 });
        await connection.end();
        return;
      } catch (error) {
        lastError = (error as Error).message;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`mariadbd not accepting connections after ${this.startTimeoutMs} ms (last error: ${lastError})`);
  }

  async createUser(): Promise<void> {
    const connection = await createConnection({ socketPath: this.socketPath, user: "root" });
    try {
      for (const host of ["%", "127.0.0.1", "localhost"]) {
        const account = `${connection.escape(USER)}@${connection.escape(host)}`;
        await connection.query(
          `CREATE OR REPLACE USER ${account} IDENTIFIED VIA mysql_native_password USING PASSWORD(${connection.escape(this.password)})`,
        );
        await connection.query(`GRANT ALL PRIVILEGES ON *.* TO ${account} WITH GRANT OPTION`);
      }
    } finally {
      await connection.end();
    }
  }

  private async signalAndWait(signal: NodeJS.Signals): Promise<void> {
    const running = this.running;
    if (running === undefined) return;
    running.server.kill(signal);
    const timeout = new Promise<"timeout">((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS, "timeout").unref());
    if ((await Promise.race([running.exited, timeout])) === "timeout") {
      this.log(`[${this.name}] mariadbd did not exit ${STOP_TIMEOUT_MS} ms after ${signal}; killing it`);
      running.server.kill("SIGKILL");
      await running.exited;
    }
    if (this.running === running) this.running = undefined;
  }

  async stop(): Promise<void> {
    await this.halt("SIGTERM", "stopped");
  }

  async kill(): Promise<void> {
    await this.halt("SIGKILL", "killed"); // leaves the socket file; a restart rebinds it anyway
  }

  private async halt(signal: NodeJS.Signals, verb: string): Promise<void> {
    const pid = this.running?.server.pid;
    if (pid === undefined) return;
    await this.signalAndWait(signal);
    if (!this.socketPath.startsWith(this.dataDir)) await rm(this.socketPath, { force: true });
    this.log(`[${this.name}] mariadbd pid ${pid} ${verb}`);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch(this.port, false);
  }
}

/**
 * Starts a throwaway MariaDB server in `<baseDir>/<name>` (which must not exist yet) with a
 * `shardgate` account. Several calls in parallel with the same baseDir share one template.
 */
export async function startMariaDbServer(options: StartMariaDbServerOptions): Promise<MariaDbServer> {
  const { baseDir, name } = options;
  const log = options.log ?? (() => {});
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
    throw new Error(`server name ${JSON.stringify(name)} must be letters, digits, '-', '_' or '.'`);
  }
  const dataDir = join(baseDir, name);
  if (existsSync(dataDir)) throw new Error(`${dataDir} already exists; use a fresh baseDir or remove it`);
  const templateDir = options.templateDir ?? join(baseDir, ".template");
  await prepareMariaDbTemplate(templateDir, log);
  await mkdir(baseDir, { recursive: true });
  const binaries = await findMariaDb();
  // cp(1), not fs.cp: measured ~2x faster here, and fs.cp's copy_file_range copies made the
  // later rm of the datadir ~25x slower on ext4.
  await execFileAsync("cp", ["-R", templateDir, dataDir]);
  await rm(join(dataDir, TEMPLATE_MARKER), { force: true });
  const server = new LocalMariaDbServer(name, dataDir, binaries.server, options.startTimeoutMs ?? 60_000, log, options.extraArgs);
  const port = options.port ?? 0;
  await server.launch(port, port === 0);
  try {
    await server.createUser();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}
