import { ByteReader } from "./bytes.ts";
import { MAX_PACKET_PAYLOAD, PacketMarker, ServerStatus } from "./constants.ts";
import { decodeErr, type ErrPacket } from "./err-packet.ts";
import { decodeOk, type OkPacket } from "./ok-packet.ts";
import { decodePrepareOk, type PrepareOk } from "./stmt-packets.ts";

/**
 * What a response to one command looks like on the wire:
 * - "query": COM_QUERY's text results, repeated while SERVER_MORE_RESULTS_EXISTS is set;
 * - "field-list": COM_FIELD_LIST's column definitions ended by EOF;
 * - "single": one OK, ERR or EOF packet (COM_PING, COM_INIT_DB, COM_SET_OPTION, ...);
 * - "prepare": COM_STMT_PREPARE's OK (statement id, column and parameter counts), then the parameter
 *   definitions and the column definitions, each run ended by an EOF unless CLIENT_DEPRECATE_EOF.
 * COM_STMT_EXECUTE answers like COM_QUERY ("query"): OK, ERR, or column count, definitions and rows,
 * only its rows are binary (headed 0x00, never 0xFE or 0xFF, so rows never look like a terminator).
 * - "cursor": COM_STMT_EXECUTE with CURSOR_TYPE_READ_ONLY. As "query", but a result set that opened a
 *   cursor has no rows: it ends at the EOF after the column definitions, which carries
 *   SERVER_STATUS_CURSOR_EXISTS (under CLIENT_DEPRECATE_EOF, at the OK headed 0xFE that replaces it,
 *   which ends a result set anyway). A statement that opens no cursor (SHOW, INSERT) answers as usual.
 * - "fetch": COM_STMT_FETCH's binary rows, then EOF (OK headed 0xFE under CLIENT_DEPRECATE_EOF); or ERR.
 */
export type ResponseKind = "query" | "field-list" | "single" | "prepare" | "cursor" | "fetch";

const enum State {
  First,
  Columns,
  ColumnsEof,
  Rows,
  Fields,
  Definitions,
  /** The server asked for a LOCAL INFILE file; nothing more comes until the file was sent. */
  LocalInfile,
  Done,
}

/**
 * Follows a backend's response as it streams, without copying it, to find where it ends and read the
 * status it ends with. Only the small packets that steer the state (column counts, OK, ERR, EOF) are
 * captured; rows and column definitions are counted and passed over, so the caller can forward the
 * chunks exactly as they arrived.
 */
export class ResponseScanner {
  private state = State.Done;
  private kind: ResponseKind = "query";
  private header = new Uint8Array(4);
  private headerHave = 0;
  private packetLength = 0;
  private payloadLeft = -1;
  private continues = false;
  private inContinuation = false;
  private decided = false;
  private capture: Uint8Array | undefined;
  private captureHave = 0;
  private columnsLeft = 0;
  private definitionsLeft = 0;

  /** Sequence id of the last packet seen. */
  lastSequenceId = 0;
  /** Status flags of the last OK/EOF packet; keeps the previous value when the response was an ERR. */
  statusFlags = 0;
  error: ErrPacket | undefined;
  /** Terminal OKs of the statements in the response (one per result for multi-results). */
  oks: OkPacket[] = [];
  /** The server asked for a LOCAL INFILE upload (at least once in this response). */
  localInfileRequested = false;
  /** The file name of the last LOCAL INFILE request, as the server sent it. */
  localInfileName: Uint8Array | undefined;
  resultSets = 0;
  /** The COM_STMT_PREPARE OK of a "prepare" response. */
  prepared: PrepareOk | undefined;

  constructor(private readonly deprecateEof: boolean) {}

  get done(): boolean {
    return this.state === State.Done;
  }

  /** Stopped after a LOCAL INFILE request: the file must be sent, then `fileSent()` called. */
  get awaitingFile(): boolean {
    return this.state === State.LocalInfile;
  }

  /** The file (ended by its empty packet) went to the server: what follows is the statement's OK or ERR. */
  fileSent(): void {
    if (this.state === State.LocalInfile) this.state = State.First;
  }

  begin(kind: ResponseKind): void {
    this.kind = kind;
    this.state = kind === "field-list" ? State.Fields : kind === "fetch" ? State.Rows : State.First;
    this.headerHave = 0;
    this.payloadLeft = -1;
    this.continues = false;
    this.inContinuation = false;
    this.error = undefined;
    this.oks = [];
    this.localInfileRequested = false;
    this.localInfileName = undefined;
    this.resultSets = 0;
    this.prepared = undefined;
  }

  /**
   * Consumes bytes of `chunk` from `start`; returns the offset where the response ended (or stopped at a
   * LOCAL INFILE request), else chunk.length.
   */
  feed(chunk: Uint8Array, start = 0): number {
    let i = start;
    while (i < chunk.length && this.state !== State.Done && this.state !== State.LocalInfile) {
      if (this.payloadLeft < 0) {
        while (this.headerHave < 4 && i < chunk.length) this.header[this.headerHave++] = chunk[i++]!;
        if (this.headerHave < 4) break;
        this.headerHave = 0;
        this.startPacket(this.header[0]! | (this.header[1]! << 8) | (this.header[2]! << 16), this.header[3]!);
        if (this.payloadLeft === 0) this.endPacket();
        continue;
      }
      if (!this.decided) this.decide(chunk[i]!);
      const take = Math.min(this.payloadLeft, chunk.length - i);
      if (this.capture) {
        this.capture.set(chunk.subarray(i, i + take), this.captureHave);
        this.captureHave += take;
      }
      i += take;
      this.payloadLeft -= take;
      if (this.payloadLeft === 0) this.endPacket();
    }
    return i;
  }

  private startPacket(length: number, sequenceId: number): void {
    this.lastSequenceId = sequenceId;
    this.packetLength = length;
    this.payloadLeft = length;
    this.continues = length === MAX_PACKET_PAYLOAD;
    this.capture = undefined;
    this.captureHave = 0;
    this.decided = this.inContinuation;
    if (!this.decided && length === 0) this.decide(-1);
  }

  /** Chooses, at a logical packet's first byte, whether its payload must be kept to steer the state. */
  private decide(firstByte: number): void {
    this.decided = true;
    const small = this.packetLength < MAX_PACKET_PAYLOAD;
    let keep: boolean;
    switch (this.state) {
      case State.First:
      case State.ColumnsEof:
        keep = true;
        break;
      case State.Rows:
      case State.Fields:
        keep = small && (firstByte === PacketMarker.EOF || firstByte === PacketMarker.ERR);
        break;
      default:
        keep = false;
    }
    if (keep) this.capture = new Uint8Array(this.packetLength);
  }

  private endPacket(): void {
    this.payloadLeft = -1;
    if (this.continues) {
      this.inContinuation = true;
      return;
    }
    this.inContinuation = false;
    const payload = this.capture;
    this.capture = undefined;
    this.onLogicalPacket(payload);
  }

  private onLogicalPacket(payload: Uint8Array | undefined): void {
    switch (this.state) {
      case State.First:
        return this.onFirst(payload!);
      case State.Columns:
        if (--this.columnsLeft === 0) this.state = this.deprecateEof ? State.Rows : State.ColumnsEof;
        return;
      case State.ColumnsEof:
        if (this.kind === "cursor" && payload![0] === PacketMarker.EOF && (eofStatus(payload!) & ServerStatus.CURSOR_EXISTS) !== 0) {
          // The rows stay in the server's cursor, for COM_STMT_FETCH.
          this.statusFlags = eofStatus(payload!);
          this.state = State.Done;
          return;
        }
        this.state = State.Rows;
        return;
      case State.Rows:
      case State.Fields:
        if (payload) this.onTerminal(payload);
        return;
      case State.Definitions:
        if (--this.definitionsLeft === 0) this.state = State.Done;
        return;
    }
  }

  private onFirst(payload: Uint8Array): void {
    const marker = payload[0];
    if (marker === PacketMarker.ERR) {
      this.error = decodeErr(payload);
      this.state = State.Done;
    } else if (this.kind === "prepare") {
      this.onPrepareOk(payload);
    } else if (marker === PacketMarker.OK || (this.kind === "single" && marker === PacketMarker.EOF)) {
      this.onTerminal(payload);
    } else if (marker === PacketMarker.LOCAL_INFILE && this.kind === "query") {
      this.localInfileRequested = true;
      this.localInfileName = payload.slice(1);
      this.state = State.LocalInfile;
    } else if (this.kind === "single") {
      this.state = State.Done;
    } else {
      this.columnsLeft = new ByteReader(payload).lenenc();
      this.resultSets++;
      this.state = this.columnsLeft > 0 ? State.Columns : State.Rows;
    }
  }

  private onPrepareOk(payload: Uint8Array): void {
    const ok = decodePrepareOk(payload);
    this.prepared = ok;
    const eofs = this.deprecateEof ? 0 : (ok.params > 0 ? 1 : 0) + (ok.columns > 0 ? 1 : 0);
    this.definitionsLeft = ok.params + ok.columns + eofs;
    this.state = this.definitionsLeft > 0 ? State.Definitions : State.Done;
  }

  private onTerminal(payload: Uint8Array): void {
    if (payload[0] === PacketMarker.ERR) {
      this.error = decodeErr(payload);
      this.state = State.Done;
      return;
    }
    if (payload[0] === PacketMarker.EOF && payload.length < 7) {
      if (payload.length >= 5) this.statusFlags = eofStatus(payload);
    } else {
      const ok = decodeOk(payload);
      this.statusFlags = ok.statusFlags;
      this.oks.push(ok);
    }
    const more = (this.statusFlags & ServerStatus.MORE_RESULTS_EXISTS) !== 0 && (this.kind === "query" || this.kind === "cursor");
    this.state = more ? State.First : State.Done;
  }
}

/** The status flags of an EOF packet (0xFE, warnings, status); 0 when it is too short to carry them. */
function eofStatus(payload: Uint8Array): number {
  return payload.length >= 5 ? payload[3]! | (payload[4]! << 8) : 0;
}
