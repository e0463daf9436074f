import { newScramble } from "../auth/scramble.ts";
import { BackendError, type LocalInfileUpload, type ResponseSink } from "../backend/backend-connection.ts";
import { ErrorCode, MySqlError } from "../errors.ts";
import { statementDigest } from "../sql/digest.ts";
import { decodeUtf8, ProtocolError } from "../protocol/bytes.ts";
import { Capability, Collation, Command, MAX_PACKET_PAYLOAD, ServerStatus } from "../protocol/constants.ts";
import { encodeEof } from "../protocol/eof-packet.ts";
import { encodeErr } from "../protocol/err-packet.ts";
import { encodeHandshake } from "../protocol/handshake.ts";
import { decodeHandshakeResponse } from "../protocol/handshake-response.ts";
import { encodeOk, type OkPacket } from "../protocol/ok-packet.ts";
import { ChannelClosedError, PacketChannel, type PacketIO } from "../protocol/packet-channel.ts";
import type { Packet, PacketReader } from "../protocol/packet-reader.ts";
import { framePacket } from "../protocol/packet-writer.ts";
import type { ByteSocket } from "../socket.ts";
import { authenticate, type AuthEnvironment } from "./authenticate.ts";
import { handleChangeUser } from "./change-user-command.ts";
import { handleStatementCommand } from "./prepared-statements.ts";
import { handleQuery } from "./query-command.ts";
import type { ServerContext } from "./server-context.ts";
import { Session } from "./session.ts";
import { checkKeyspaceAccess } from "./keyspace-access.ts";
import { readClientHello } from "./tls-upgrade.ts";

export interface StatementTrace {
  keyspace: string;
  plan: string;
  shards: string[];
  errorCode?: number;
}

/**
 * What the gateway offers clients; CLIENT_SSL is added only when TLS is configured. CLIENT_LOCAL_FILES
 * is always offered, as MySQL does: the client decides, and LOAD DATA LOCAL is refused (3948) unless
 * `server.local_infile` is on too. CLIENT_COMPRESS never is: compression is not implemented, and a
 * client that asks for it anyway is refused at the handshake.
 */
export const SERVER_CAPABILITIES =
  Capability.LONG_PASSWORD |
  Capability.FOUND_ROWS |
  Capability.LONG_FLAG |
  Capability.CONNECT_WITH_DB |
  Capability.LOCAL_FILES |
  Capability.IGNORE_SPACE |
  Capability.PROTOCOL_41 |
  Capability.INTERACTIVE |
  Capability.TRANSACTIONS |
  Capability.SECURE_CONNECTION |
  Capability.MULTI_STATEMENTS |
  Capability.MULTI_RESULTS |
  Capability.PS_MULTI_RESULTS |
  Capability.PLUGIN_AUTH |
  Capability.CONNECT_ATTRS |
  Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA |
  Capability.DEPRECATE_EOF;

const HANDSHAKE_TIMEOUT_MS = 10_000;

/** One client connection: the connection phase, then commands one at a time until it quits. */
export class ClientConnection {
  session: Session | undefined;
  readonly scramble = newScramble();
  readonly connectedAt = Date.now();
  /** When the command being processed started, or undefined when idle. */
  commandStartedAt: number | undefined;
  currentStatement: string | undefined;
  /** The client switched to TLS (SSLRequest) before authenticating. */
  secure = false;
  /** How the current statement is being executed, for metrics once it finishes. */
  trace: StatementTrace | undefined;
  private commandStartedAtPrecise = 0;
  private commandFrame: Uint8Array | undefined;
  private reader: PacketReader | undefined;
  private busy = false;
  private closed = false;
  private responseStarted = false;
  private resumeBackend: (() => void) | undefined;
  private packetWaiter: (() => void) | undefined;
  onClosed: ((connection: ClientConnection) => void) | undefined;

  constructor(
    private readonly channel: PacketChannel,
    readonly context: ServerContext,
    readonly connectionId: number,
  ) {}

  static accept(socket: ByteSocket, context: ServerContext, connectionId: number): ClientConnection {
    const config = context.snapshot().config;
    const connection = new ClientConnection(new PacketChannel(socket, config.server.maxAllowedPacket), context, connectionId);
    void connection.connectionPhase();
    return connection;
  }

  get remoteHost(): string {
    return this.channel.socket.remoteAddress.replace(/^::ffff:/, "");
  }

  get deprecateEof(): boolean {
    return ((this.session?.clientCapabilities ?? 0) & Capability.DEPRECATE_EOF) !== 0;
  }

  /**
   * Streams backend bytes to the client, pausing the backend while the client's socket is full; a
   * LOCAL INFILE request it passed on is answered with the client's file (`relayLocalInfile`).
   */
  readonly sink: ResponseSink = Object.assign(
    (chunk: Uint8Array, resume: () => void) => {
      this.responseStarted = true;
      if (this.channel.socket.write(chunk)) return true;
      this.resumeBackend = resume;
      return false;
    },
    { localInfile: (upload: LocalInfileUpload) => this.relayLocalInfile(upload) },
  );

  /** The current command framed for a backend (sequence id 0): the client's own bytes when possible. */
  framedCommand(payload: Uint8Array): Uint8Array {
    const frame = this.commandFrame;
    const same = frame !== undefined && frame.buffer === payload.buffer && frame.byteOffset + 4 === payload.byteOffset;
    return same && frame.length === payload.length + 4 ? frame : framePacket(payload, 0);
  }

  write(bytes: Uint8Array): void {
    this.responseStarted = true;
    this.channel.socket.write(bytes);
  }

  sendOk(sequenceId: number, ok: Partial<OkPacket> = {}): void {
    const statusFlags = ok.statusFlags ?? this.session?.statusFlags ?? ServerStatus.AUTOCOMMIT;
    this.write(framePacket(encodeOk({ ...ok, statusFlags }), sequenceId));
  }

  sendErr(sequenceId: number, error: MySqlError): void {
    this.write(framePacket(encodeErr(error), sequenceId));
  }

  /** The end of a response that has no rows of its own (COM_SET_OPTION): EOF, or OK headed 0xFE. */
  sendEof(sequenceId: number): void {
    const statusFlags = this.session?.statusFlags ?? ServerStatus.AUTOCOMMIT;
    const payload = this.deprecateEof ? encodeOk({ statusFlags }, true) : encodeEof({ warnings: 0, statusFlags });
    this.write(framePacket(payload, sequenceId));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.channel.socket.end();
    void this.cleanUp();
  }

  private async connectionPhase(): Promise<void> {
    const config = this.context.snapshot().config;
    const timer = setTimeout(() => this.channel.fail(new ChannelClosedError("handshake timed out")), HANDSHAKE_TIMEOUT_MS);
    let sequenceId = 2;
    try {
      this.channel.write(
        encodeHandshake({
          serverVersion: config.server.version,
          connectionId: this.connectionId,
          authPluginData: this.scramble,
          capabilities: SERVER_CAPABILITIES | (config.listen.tls === undefined ? 0 : Capability.SSL),
          characterSet: Collation.UTF8MB4_GENERAL_CI,
          statusFlags: ServerStatus.AUTOCOMMIT,
          authPluginName: "caching_sha2_password",
        }),
        0,
      );
      // Until the response is read, an ERR answers the SSLRequest or the plain response (seq 2 either way).
      const { packet: first, secure } = await readClientHello(this.channel, config.listen.tls);
      this.secure = secure;
      sequenceId = (first.sequenceId + 1) & 0xff;
      const hello = decodeHandshakeResponse(first.payload);
      if (hello.capabilities & Capability.COMPRESS) {
        // Never offered; a client that sets it would compress everything after the OK.
        throw MySqlError.of("HANDSHAKE", "Bad handshake: this server does not support compression (CLIENT_COMPRESS); connect without it");
      }
      const result = await authenticate(
        this.channel,
        {
          user: hello.user,
          clientPlugin: hello.authPluginName ?? "mysql_native_password",
          authResponse: hello.authResponse,
          scramble: this.scramble,
          sequenceId: first.sequenceId,
        },
        this.authEnvironment(),
      );
      sequenceId = result.nextSequenceId;
      if (result.error) throw result.error;
      // CLIENT_LOCAL_FILES stays with the session only while the server side allows local files too.
      const localFiles = config.server.localInfile ? Capability.LOCAL_FILES : 0;
      const session = new Session(
        result.user,
        hello.capabilities & ((SERVER_CAPABILITIES & ~Capability.LOCAL_FILES) | localFiles),
        hello.characterSet || Collation.UTF8MB4_GENERAL_CI,
        this.context.logger,
      );
      if (hello.database !== undefined) {
        checkKeyspaceAccess(this.context.snapshot(), session, hello.database, this.remoteHost);
        session.keyspace = hello.database;
      }
      this.session = session;
      clearTimeout(timer);
      this.sendOk(sequenceId);
      this.reader = this.channel.takeBuffered();
      this.channel.handOver({
        data: (chunk) => {
          this.reader!.push(chunk);
          if (this.packetWaiter) this.packetWaiter();
          else this.pump();
        },
        close: () => this.onSocketClosed(),
        drain: () => {
          const resume = this.resumeBackend;
          this.resumeBackend = undefined;
          resume?.();
        },
      });
      this.context.logger.debug("client authenticated", { connectionId: this.connectionId, user: hello.user, host: this.remoteHost });
      this.pump();
    } catch (error) {
      clearTimeout(timer);
      if (!(error instanceof ChannelClosedError)) {
        const mysqlError = error instanceof MySqlError ? error : MySqlError.of("HANDSHAKE", "Bad handshake");
        this.context.logger.info("client connection refused", { connectionId: this.connectionId, host: this.remoteHost, code: mysqlError.code, reason: mysqlError.message });
        this.sendErr(sequenceId, mysqlError);
      }
      this.close();
    }
  }

  private onSocketClosed(): void {
    this.closed = true;
    this.packetWaiter?.();
    void this.cleanUp();
  }

  private async cleanUp(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (session) {
      try {
        await session.releaseAll();
      } catch (error) {
        this.context.logger.warn("releasing a closed client's backend connections failed", { connectionId: this.connectionId, error: String(error) });
      }
    }
    this.onClosed?.(this);
    this.onClosed = undefined;
  }

  /** Takes the next complete command when idle; commands run strictly one after another. */
  private pump(): void {
    if (this.busy || this.closed || !this.reader) return;
    let packet: Packet | undefined;
    try {
      packet = this.reader.next();
    } catch {
      this.sendErr(1, MySqlError.of("NET_PACKET_TOO_LARGE", "Got a packet bigger than 'max_allowed_packet' bytes"));
      this.close();
      return;
    }
    if (!packet) return;
    this.busy = true;
    this.commandStartedAt = Date.now();
    this.commandStartedAtPrecise = performance.now();
    this.responseStarted = false;
    void this.run(packet).finally(() => {
      this.report();
      this.busy = false;
      this.commandStartedAt = undefined;
      this.currentStatement = undefined;
      this.trace = undefined;
      this.pump();
    });
  }

  private report(): void {
    const trace = this.trace;
    if (!trace || this.currentStatement === undefined || this.commandStartedAt === undefined) return;
    this.context.observe({
      digest: statementDigest(this.currentStatement),
      keyspace: trace.keyspace,
      plan: trace.plan,
      shards: trace.shards,
      durationMs: performance.now() - this.commandStartedAtPrecise,
      errorCode: trace.errorCode,
    });
  }

  private async run(packet: Packet): Promise<void> {
    const reply = (packet.sequenceId + 1) & 0xff;
    try {
      // A command of one packet with sequence id 0 can go to a backend exactly as the client framed it.
      this.commandFrame = packet.sequenceId === 0 ? packet.frame : undefined;
      await this.dispatch(packet.payload, reply);
    } catch (error) {
      if (this.trace && error instanceof MySqlError) this.trace.errorCode = error.code;
      else if (this.trace) this.trace.errorCode = ErrorCode.UNKNOWN.code;
      if (this.closed) return;
      if (this.responseStarted) {
        // Part of a response already reached the client; the stream can't be continued coherently.
        this.context.logger.warn("closing client after a failure mid-response", { connectionId: this.connectionId, error: String(error) });
        this.close();
        return;
      }
      if (error instanceof MySqlError) return this.sendErr(reply, error);
      if (error instanceof ProtocolError) {
        this.sendErr(reply, MySqlError.of("MALFORMED_PACKET", `Malformed communication packet: ${error.message}`));
        this.close();
        return;
      }
      const message = error instanceof BackendError ? error.message : `internal error: ${String(error)}`;
      this.context.logger.error("command failed", { connectionId: this.connectionId, error: String(error) });
      this.sendErr(reply, MySqlError.of("UNKNOWN", message));
    }
  }

  private async dispatch(payload: Uint8Array, reply: number): Promise<void> {
    const session = this.session!;
    switch (payload[0]) {
      case Command.QUERY:
        return handleQuery(this, session, payload, reply);
      case Command.QUIT:
        return this.close();
      case Command.PING:
        return this.sendOk(reply);
      case Command.INIT_DB: {
        const name = decodeUtf8(payload.subarray(1));
        checkKeyspaceAccess(this.context.snapshot(), session, name, this.remoteHost);
        session.keyspace = name;
        return this.sendOk(reply);
      }
      case Command.FIELD_LIST:
        return this.forwardToHomeShard(session, payload, reply);
      case Command.RESET_CONNECTION:
        await session.releaseAll();
        session.variables.reset();
        session.autocommit = true;
        session.lastInsertId = 0;
        session.statements.clear();
        return this.sendOk(reply);
      case Command.SET_OPTION:
        return this.setOption(session, payload, reply);
      case Command.CHANGE_USER:
        return handleChangeUser(this, payload, reply);
      case Command.STMT_PREPARE:
      case Command.STMT_EXECUTE:
      case Command.STMT_SEND_LONG_DATA:
      case Command.STMT_CLOSE:
      case Command.STMT_RESET:
      case Command.STMT_FETCH:
        return handleStatementCommand(this, session, payload, reply);
      default:
        return this.sendErr(reply, MySqlError.of("UNKNOWN_COM", "Unknown command"));
    }
  }

  private async forwardToHomeShard(session: Session, payload: Uint8Array, reply: number): Promise<void> {
    if (session.keyspace === undefined) throw MySqlError.of("NO_DB", "No database selected");
    const route = this.context.snapshot().keyspace(session.keyspace);
    if (!route || route.config.sharded) {
      throw MySqlError.of("NOT_SUPPORTED_YET", `COM_FIELD_LIST on sharded keyspace '${session.keyspace}' is not supported yet`);
    }
    await session.execute(route.pools[0]!, this.framedCommand(payload), "field-list", this.sink);
  }

  /** COM_SET_OPTION switches CLIENT_MULTI_STATEMENTS on (0) or off (1) for the rest of the session. */
  private setOption(session: Session, payload: Uint8Array, reply: number): void {
    if (payload.length < 3) throw new ProtocolError("COM_SET_OPTION without an option");
    const option = payload[1]! | (payload[2]! << 8);
    if (option === 0) session.clientCapabilities |= Capability.MULTI_STATEMENTS;
    else if (option === 1) session.clientCapabilities &= ~Capability.MULTI_STATEMENTS;
    else return this.sendErr(reply, MySqlError.of("UNKNOWN_COM", "Unknown command"));
    this.sendEof(reply);
  }

  /** What authentication needs to know about the gateway and this connection. */
  authEnvironment(): AuthEnvironment {
    return {
      users: this.context.users(),
      remoteHost: this.remoteHost,
      secure: this.secure,
      cachingSha2FullAuth: this.context.snapshot().config.server.cachingSha2FullAuth,
      rsaKeyPair: () => this.context.rsaKeyPair(),
    };
  }

  /** Replaces the session after a successful COM_CHANGE_USER. */
  replaceSession(session: Session): void {
    this.session = session;
  }

  /**
   * The client's LOCAL INFILE file, packet by packet, on to the backend that asked for it, up to and with
   * the empty packet that ends it: each packet goes on as it comes (no file is held whole), under the
   * backend's sequence ids (the same as the client's: the command went on framed as the client framed
   * it), and the client's socket is paused while the backend's is full. A packet over max_allowed_packet
   * ends the connection, as in mysqld.
   */
  private async relayLocalInfile(upload: LocalInfileUpload): Promise<void> {
    let sequenceId = upload.sequenceId;
    for (;;) {
      let packet: Packet;
      try {
        packet = await this.commandIO.next();
      } catch (error) {
        if (error instanceof RangeError && !this.closed) {
          this.sendErr((sequenceId + 1) & 0xff, MySqlError.of("NET_PACKET_TOO_LARGE", "Got a packet bigger than 'max_allowed_packet' bytes"));
          this.close();
        }
        throw error;
      }
      const { payload, frame } = packet;
      const sameFrame = frame !== undefined && frame[3] === sequenceId;
      const frames = sameFrame ? frame : framePacket(payload, sequenceId);
      sequenceId = (sequenceId + Math.floor(payload.length / MAX_PACKET_PAYLOAD) + 1) & 0xff;
      if (!upload.write(frames)) {
        this.channel.socket.pause();
        try {
          await upload.drained();
        } finally {
          if (!this.closed) this.channel.socket.resume();
        }
      }
      if (payload.length === 0) return;
    }
  }

  /** Packet exchange inside a command (COM_CHANGE_USER's auth switch), while the command loop waits. */
  readonly commandIO: PacketIO = {
    next: async () => {
      for (;;) {
        const packet = this.reader!.next();
        if (packet) return packet;
        if (this.closed) throw new ChannelClosedError("connection closed by peer");
        await new Promise<void>((resolve) => (this.packetWaiter = resolve));
        this.packetWaiter = undefined;
      }
    },
    write: (payload, sequenceId) => this.write(framePacket(payload, sequenceId)),
  };
}
