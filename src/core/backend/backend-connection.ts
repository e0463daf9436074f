import { scrambleCachingSha2, CACHING_SHA2_FAST_AUTH_SUCCESS, CACHING_SHA2_PERFORM_FULL_AUTH, CACHING_SHA2_REQUEST_PUBLIC_KEY } from "../auth/caching-sha2.ts";
import { scrambleNativePassword } from "../auth/native-password.ts";
import { encryptPassword } from "../auth/rsa.ts";
import type { BackendAddress } from "../config/types.ts";
import { MySqlError } from "../errors.ts";
import { decodeAuthSwitchRequest } from "../protocol/auth-switch.ts";
import { decodeUtf8, encodeUtf8 } from "../protocol/bytes.ts";
import { Capability, Command, PacketMarker } from "../protocol/constants.ts";
import { decodeErr } from "../protocol/err-packet.ts";
import { decodeHandshake, type Handshake } from "../protocol/handshake.ts";
import { encodeHandshakeResponse } from "../protocol/handshake-response.ts";
import { PacketChannel } from "../protocol/packet-channel.ts";
import { framePacket } from "../protocol/packet-writer.ts";
import { ResponseScanner, type ResponseKind } from "../protocol/response-scanner.ts";
import { encodePrepare, encodeStatementCommand } from "../protocol/stmt-packets.ts";
import type { ByteSocket, Network } from "../socket.ts";
import { startTls } from "./backend-tls.ts";
import type { ShardPool } from "./shard-pool.ts";
import { StatementCache, type BackendStatement } from "./statement-cache.ts";
import { decodeTextResult, type TextResult } from "./text-result-decoder.ts";

/** Capabilities the gateway always asks a backend for. CLIENT_LONG_PASSWORD marks us as a MySQL (not MariaDB-extended) client. */
const BASE_CAPABILITIES =
  Capability.LONG_PASSWORD |
  Capability.LONG_FLAG |
  Capability.PROTOCOL_41 |
  Capability.TRANSACTIONS |
  Capability.SECURE_CONNECTION |
  Capability.MULTI_RESULTS |
  Capability.PS_MULTI_RESULTS |
  Capability.PLUGIN_AUTH |
  Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA |
  Capability.CONNECT_ATTRS;

export const MAX_PACKET_SIZE = 0x40000000;

/**
 * Client capabilities that change the bytes of a response; a backend connection must match its client's.
 * CLIENT_LOCAL_FILES lets the server answer LOAD DATA LOCAL with a LOCAL INFILE request: sessions carry
 * it only when `server.local_infile` is on and their client asked for it.
 */
export const FLAVOR_CAPABILITIES =
  Capability.DEPRECATE_EOF | Capability.FOUND_ROWS | Capability.MULTI_STATEMENTS | Capability.IGNORE_SPACE | Capability.LOCAL_FILES;

export interface BackendFlavor {
  /** Subset of FLAVOR_CAPABILITIES. */
  capabilities: number;
  collationId: number;
}

export interface BackendConnectOptions {
  address: BackendAddress;
  flavor: BackendFlavor;
  connectTimeoutMs: number;
  attributes?: Record<string, string>;
}

export interface ResponseSummary {
  statusFlags: number;
  error: MySqlError | undefined;
  lastInsertId: number | bigint | undefined;
}

/**
 * Receives a response's bytes as they arrive. Returning false pauses the backend socket; the sink then
 * calls `resume` once it can take more (its own socket drained). `localInfile` supplies the file when
 * the server answers `LOAD DATA LOCAL INFILE` with a LOCAL INFILE request (the request itself reaches
 * the sink like any packet); a sink without it has the server sent an empty file, and the response
 * fails with ER 3948.
 */
export type ResponseSink = ((chunk: Uint8Array, resume: () => void) => boolean) & { readonly localInfile?: LocalInfileRelay };

/** The way to the server for a LOCAL INFILE file: packets framed by the relay, with backpressure. */
export interface LocalInfileUpload {
  /** Sequence id of the file's first packet (the request's + 1); each packet after it counts on. */
  readonly sequenceId: number;
  /** The file name the server asked for, as it sent it. */
  readonly fileName: Uint8Array;
  /** Writes framed packets; false once the socket's buffer is full: wait for `drained()` before writing more. */
  write(frames: Uint8Array): boolean;
  /** Settles when the socket can take more; rejects if the connection closes. */
  drained(): Promise<void>;
}

/**
 * Sends a file to the server, ending with the empty packet that closes it; the statement's answer
 * (OK or ERR) then goes to the sink. A rejection closes the backend connection, so a file cut short is
 * never taken for a whole one.
 */
export type LocalInfileRelay = (upload: LocalInfileUpload) => Promise<void>;

/** Prepared statements kept open per backend connection; the least recently used beyond it are closed. */
export const STATEMENT_CACHE_SIZE = 256;

export class BackendError extends Error {
  override readonly name = "BackendError";
}

/**
 * The client side of the classic protocol over one backend socket: connect and authenticate, then run
 * one command at a time, streaming each response to a sink exactly as the server sent it.
 */
export class BackendConnection {
  readonly handshake: Handshake;
  readonly capabilities: number;
  /** Status flags after the last response. */
  statusFlags = 0;
  /** LAST_INSERT_ID() on this backend session, as its OK packets reported it. */
  lastInsertId: number | bigint = 0;
  /** Signature of the session state applied (SET statements); "" when the connection is as it connected. */
  appliedState = "";
  lastUsedAt = Date.now();
  /** Statements prepared on this connection, shared by the sessions that borrow it. */
  readonly statements = new StatementCache(STATEMENT_CACHE_SIZE);
  private closed = false;
  private closeReason: Error | undefined;
  private readonly scanner: ResponseScanner;
  private sink: ResponseSink | undefined;
  private finishResponse: ((summary: ResponseSummary) => void) | undefined;
  private failResponse: ((error: Error) => void) | undefined;
  private paused = false;
  /** A LOCAL INFILE file on its way to the server; the response ends only once it is sent. */
  private upload: Promise<void> | undefined;
  /** The sink had no relay: the server got an empty file, the client gets ER 3948. */
  private uploadRefused = false;
  private readonly drainWaiters: { resolve(): void; reject(error: Error): void }[] = [];
  onClosed: ((connection: BackendConnection) => void) | undefined;
  /** The pool that opened this connection, where it goes back. */
  pool: ShardPool | undefined;
  private readonly resumeReading = () => this.resume();

  private constructor(
    private readonly socket: ByteSocket,
    handshake: Handshake,
    capabilities: number,
    readonly flavor: BackendFlavor,
  ) {
    this.handshake = handshake;
    this.capabilities = capabilities;
    this.scanner = new ResponseScanner((capabilities & Capability.DEPRECATE_EOF) !== 0);
  }

  get connectionId(): number {
    return this.handshake.connectionId;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get isBusy(): boolean {
    return this.finishResponse !== undefined;
  }

  static async connect(network: Network, options: BackendConnectOptions): Promise<BackendConnection> {
    const { address } = options;
    const socket = await network.connect(address.host, address.port, options.connectTimeoutMs);
    const handshaking = new PacketChannel(socket);
    const wantsTls = (address.tls?.mode ?? "DISABLED") !== "DISABLED";
    // Held still once the greeting is in, so the socket can be upgraded (Deno: no read may be pending).
    if (wantsTls) handshaking.pauseAfterNextPacket();
    const timer = setTimeout(
      () => handshaking.fail(new BackendError(`handshake with ${address.host}:${address.port} timed out`)),
      options.connectTimeoutMs,
    );
    try {
      const first = await handshaking.next();
      if (first.payload[0] === PacketMarker.ERR) throw MySqlError.fromPacket(decodeErr(first.payload));
      const handshake = decodeHandshake(first.payload);
      if (!(handshake.capabilities & Capability.PROTOCOL_41)) throw new BackendError("backend does not speak protocol 4.1");
      let capabilities = (BASE_CAPABILITIES | (options.flavor.capabilities & FLAVOR_CAPABILITIES)) & handshake.capabilities;
      capabilities |= Capability.LONG_PASSWORD;
      if (address.database) capabilities |= Capability.CONNECT_WITH_DB;
      let responseSequenceId = 1;
      if (wantsTls) {
        if (await startTls(handshaking, handshake, capabilities, options)) {
          capabilities |= Capability.SSL;
          responseSequenceId = 2;
        } else {
          handshaking.resume();
        }
      }
      await authenticate(handshaking, handshake, capabilities, responseSequenceId, options);
      const connection = new BackendConnection(handshaking.socket, handshake, capabilities >>> 0, options.flavor);
      connection.statusFlags = handshake.statusFlags;
      if (handshaking.takeBuffered().buffered > 0) throw new BackendError("backend sent data before the first command");
      handshaking.handOver({
        data: (chunk) => connection.onData(chunk),
        close: (error) => connection.onClose(error),
        drain: () => connection.onDrain(),
      });
      return connection;
    } catch (error) {
      handshaking.socket.destroy();
      if (handshaking.socket !== socket) socket.destroy();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends one command (a framed packet) and streams the response to `sink` until it is complete.
   * The backend's sequence ids are kept: the gateway frames commands exactly as its client did.
   */
  send(framedCommand: Uint8Array, kind: ResponseKind, sink: ResponseSink): Promise<ResponseSummary> {
    if (this.closed) return Promise.reject(this.closeReason ?? new BackendError("backend connection is closed"));
    if (this.finishResponse) return Promise.reject(new BackendError("backend connection is busy"));
    this.lastUsedAt = Date.now();
    this.scanner.begin(kind);
    this.sink = sink;
    this.uploadRefused = false;
    return new Promise<ResponseSummary>((resolve, reject) => {
      this.finishResponse = resolve;
      this.failResponse = reject;
      this.socket.write(framedCommand);
    });
  }

  /** Runs SQL for the gateway's own use and decodes the text result. Throws MySqlError on an ERR. */
  async query(sql: string): Promise<TextResult> {
    const chunks: Uint8Array[] = [];
    const summary = await this.send(commandPacket(Command.QUERY, encodeUtf8(sql)), "query", (chunk) => {
      chunks.push(chunk.slice());
      return true;
    });
    if (summary.error) throw summary.error;
    return decodeTextResult(chunks, (this.capabilities & Capability.DEPRECATE_EOF) !== 0);
  }

  /** A command whose response the gateway consumes (COM_PING, COM_RESET_CONNECTION, COM_INIT_DB). */
  async simpleCommand(command: number, argument: Uint8Array = new Uint8Array(0)): Promise<void> {
    // COM_RESET_CONNECTION deallocates the session's prepared statements.
    if (command === Command.RESET_CONNECTION) this.statements.clear();
    const summary = await this.send(commandPacket(command, argument), "single", () => true);
    if (summary.error) throw summary.error;
  }

  /**
   * Prepares `sql` on this connection unless it is already prepared under `key`, or always with `fresh`
   * (a client's COM_STMT_PREPARE, which must see the table's current definition). `sink` receives the
   * response (COM_STMT_PREPARE_OK with the definitions, or ERR) when the connection prepares it. Throws
   * MySqlError on an ERR.
   */
  async prepare(key: string, sql: Uint8Array, options: { fresh?: boolean; sink?: ResponseSink } = {}): Promise<BackendStatement> {
    const cached = options.fresh ? undefined : this.statements.get(key);
    if (cached) return cached;
    const summary = await this.send(framePacket(encodePrepare(sql), 0), "prepare", options.sink ?? (() => true));
    if (summary.error) throw summary.error;
    const ok = this.scanner.prepared!;
    const statement: BackendStatement = { id: ok.statementId, params: ok.params, columns: ok.columns, types: undefined };
    for (const dropped of this.statements.add(key, statement)) this.post(framePacket(encodeStatementCommand(Command.STMT_CLOSE, dropped.id), 0));
    return statement;
  }

  /** Writes a command that has no response (COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA) between two that do. */
  post(framedCommand: Uint8Array): void {
    if (this.closed) throw this.closeReason ?? new BackendError("backend connection is closed");
    if (this.finishResponse) throw new BackendError("backend connection is busy");
    this.lastUsedAt = Date.now();
    this.socket.write(framedCommand);
  }

  pause(): void {
    if (!this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  resume(): void {
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /** COM_QUIT, then close. */
  close(): void {
    if (this.closed) return;
    this.socket.write(framePacket(Uint8Array.of(Command.QUIT), 0));
    this.socket.end();
    this.onClose(undefined);
  }

  destroy(reason?: Error): void {
    if (this.closed) return;
    this.socket.destroy();
    this.onClose(reason);
  }

  private onData(chunk: Uint8Array): void {
    if (!this.sink) {
      // Nothing was asked: an unsolicited packet (server shutdown, idle kill). The connection is done for.
      this.destroy(new BackendError("backend sent data while idle"));
      return;
    }
    let start = 0;
    for (;;) {
      const end = this.scanner.feed(chunk, start);
      const forwarded = start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end);
      if (forwarded.length > 0 && !this.sink(forwarded, this.resumeReading)) this.pause();
      if (this.closed) return;
      if (this.scanner.awaitingFile) {
        // Whatever follows the request (nothing, from a sane server) is scanned as the statement's answer.
        this.startUpload();
        if (end === chunk.length) return;
        start = end;
        continue;
      }
      if (!this.scanner.done) return;
      if (end !== chunk.length) {
        this.destroy(new BackendError("backend sent more than one response"));
        return;
      }
      this.finish();
      return;
    }
  }

  /** The response is complete: resolves `send` (once a LOCAL INFILE upload still running is done too). */
  private finish(): void {
    if (this.upload || !this.finishResponse) return;
    this.statusFlags = this.scanner.statusFlags;
    const resolve = this.finishResponse;
    this.sink = undefined;
    this.finishResponse = undefined;
    this.failResponse = undefined;
    let error = this.scanner.error ? MySqlError.fromPacket(this.scanner.error) : undefined;
    if (this.uploadRefused) error ??= localFilesDisabled();
    const lastOk = this.scanner.oks[this.scanner.oks.length - 1];
    for (const ok of this.scanner.oks) if (ok.lastInsertId !== 0) this.lastInsertId = ok.lastInsertId;
    resolve({
      statusFlags: this.statusFlags,
      error,
      lastInsertId: lastOk?.lastInsertId,
    });
  }

  /** The server asked for a LOCAL INFILE file: the sink's relay sends it (or an empty one goes instead). */
  private startUpload(): void {
    const sequenceId = (this.scanner.lastSequenceId + 1) & 0xff;
    const fileName = this.scanner.localInfileName ?? new Uint8Array(0);
    this.scanner.fileSent();
    const upload: LocalInfileUpload = {
      sequenceId,
      fileName,
      write: (frames) => {
        if (this.closed) throw this.closeReason ?? new BackendError("backend connection is closed");
        return this.socket.write(frames);
      },
      drained: () =>
        this.closed
          ? Promise.reject(this.closeReason ?? new BackendError("backend connection is closed"))
          : new Promise<void>((resolve, reject) => this.drainWaiters.push({ resolve, reject })),
    };
    const relay = this.sink!.localInfile;
    if (!relay) this.uploadRefused = true;
    const running = relay ? relay(upload) : Promise.resolve().then(() => void upload.write(framePacket(new Uint8Array(0), sequenceId)));
    this.upload = running.then(
      () => {
        this.upload = undefined;
        if (this.scanner.done) this.finish();
      },
      (error: unknown) => {
        this.upload = undefined;
        this.destroy(error instanceof Error ? error : new BackendError(String(error)));
      },
    );
  }

  private onDrain(): void {
    for (const waiter of this.drainWaiters.splice(0)) waiter.resolve();
  }

  private onClose(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = error ?? new BackendError("backend connection closed");
    const fail = this.failResponse;
    for (const waiter of this.drainWaiters.splice(0)) waiter.reject(this.closeReason);
    this.sink = undefined;
    this.finishResponse = undefined;
    this.failResponse = undefined;
    fail?.(new BackendError(`backend connection lost: ${this.closeReason.message}`));
    this.onClosed?.(this);
  }
}

/** MySQL's answer to LOAD DATA LOCAL when either side has local files off. */
export function localFilesDisabled(): MySqlError {
  return MySqlError.of("CLIENT_LOCAL_FILES_DISABLED", "Loading local data is disabled; this must be enabled on both the client and server sides");
}

export function commandPacket(command: number, argument: Uint8Array): Uint8Array {
  const payload = new Uint8Array(argument.length + 1);
  payload[0] = command;
  payload.set(argument, 1);
  return framePacket(payload, 0);
}

async function authResponseFor(plugin: string, password: string, scramble: Uint8Array): Promise<Uint8Array> {
  if (plugin === "mysql_native_password") return scrambleNativePassword(password, scramble);
  if (plugin === "caching_sha2_password") return scrambleCachingSha2(password, scramble);
  if (plugin === "mysql_clear_password") return encodeUtf8(password + "\0");
  throw new BackendError(`backend asks for unsupported auth plugin ${plugin}`);
}

async function authenticate(
  io: PacketChannel,
  handshake: Handshake,
  capabilities: number,
  sequenceId: number,
  options: BackendConnectOptions,
): Promise<void> {
  const { address } = options;
  let plugin = handshake.authPluginName;
  let scramble = handshake.authPluginData;
  const known = plugin === "mysql_native_password" || plugin === "caching_sha2_password";
  const authResponse = known ? await authResponseFor(plugin, address.password, scramble) : new Uint8Array(0);
  io.write(
    encodeHandshakeResponse({
      capabilities,
      maxPacketSize: MAX_PACKET_SIZE,
      characterSet: options.flavor.collationId & 0xff,
      user: address.user,
      authResponse,
      database: address.database,
      authPluginName: known ? plugin : "mysql_native_password",
      attributes: { _client_name: "shardgate", ...options.attributes },
    }),
    sequenceId,
  );
  for (;;) {
    const packet = await io.next();
    const payload = packet.payload;
    const reply = (data: Uint8Array) => io.write(data, (packet.sequenceId + 1) & 0xff);
    switch (payload[0]) {
      case PacketMarker.OK:
        return;
      case PacketMarker.ERR:
        throw MySqlError.fromPacket(decodeErr(payload));
      case PacketMarker.AUTH_SWITCH: {
        const request = decodeAuthSwitchRequest(payload);
        plugin = request.pluginName;
        scramble = request.pluginData;
        reply(await authResponseFor(plugin, address.password, scramble));
        break;
      }
      case PacketMarker.AUTH_MORE_DATA: {
        if (plugin !== "caching_sha2_password") throw new BackendError(`unexpected auth data for ${plugin}`);
        const status = payload[1];
        if (status === CACHING_SHA2_FAST_AUTH_SUCCESS) break;
        if (status === CACHING_SHA2_PERFORM_FULL_AUTH) {
          reply(Uint8Array.of(CACHING_SHA2_REQUEST_PUBLIC_KEY));
          break;
        }
        // Anything else is the server's public key (PEM) in answer to our request.
        const pem = decodeUtf8(payload.subarray(1));
        reply(await encryptPassword(address.password, scramble, pem));
        break;
      }
      default:
        throw new BackendError(`unexpected packet 0x${payload[0]?.toString(16)} during authentication`);
    }
  }
}
