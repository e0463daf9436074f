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
 */
export type ResponseKind = "query" | "field-list" | "single" | "prepare";

const enum State {
  First,
  Columns,
  ColumnsEof,
  Rows,
  Fields,
  Definitions,
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
  /** The server asked for a LOCAL INFILE upload. */
  localInfileRequested = false;
  resultSets = 0;
  /** The COM_STMT_PREPARE OK of a "prepare" response. */
  prepared: PrepareOk | undefined;

  constructor(private readonly deprecateEof: boolean) {}

  get done(): boolean {
    return this.state === State.Done;
  }

  begin(kind: ResponseKind): void {
    this.kind = kind;
    this.state = kind === "field-list" ? State.Fields : State.First;
    this.headerHave = 0;
    this.payloadLeft = -1;
    this.continues = false;
    this.inContinuation = false;
    this.error = undefined;
    this.oks = [];
    this.localInfileRequested = false;
    this.resultSets = 0;
    this.prepared = undefined;
  }

  /** Consumes bytes of `chunk` from `start`; returns the offset where the response ended or chunk.length. */
  feed(chunk: Uint8Array, start = 0): number {
    let i = start;
    while (i < chunk.length && this.state !== State.Done) {
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
      this.state = State.Done;
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
      const reader = new ByteReader(payload);
      reader.skip(1);
      if (reader.remaining >= 4) {
        reader.u16();
        this.statusFlags = reader.u16();
      }
    } else {
      const ok = decodeOk(payload);
      this.statusFlags = ok.statusFlags;
      this.oks.push(ok);
    }
    const more = (this.statusFlags & ServerStatus.MORE_RESULTS_EXISTS) !== 0 && this.kind === "query";
    this.state = more ? State.First : State.Done;
  }
}
