import { ByteReader, ByteWriter, ProtocolError } from "./bytes.ts";
import { Command, PacketMarker } from "./constants.ts";

/** COM_STMT_PREPARE_OK's first packet ("COM_STMT_PREPARE Response"). */
export interface PrepareOk {
  statementId: number;
  columns: number;
  params: number;
  warnings: number;
}

export function encodePrepare(sql: Uint8Array): Uint8Array {
  return new ByteWriter(sql.length + 1).u8(Command.STMT_PREPARE).bytes(sql).finish();
}

export function decodePrepareOk(payload: Uint8Array): PrepareOk {
  const reader = new ByteReader(payload);
  if (reader.u8() !== PacketMarker.OK) throw new ProtocolError("not a COM_STMT_PREPARE OK packet");
  const statementId = reader.u32();
  const columns = reader.u16();
  const params = reader.u16();
  reader.skip(1);
  const warnings = reader.remaining >= 2 ? reader.u16() : 0;
  return { statementId, columns, params, warnings };
}

/** Offset of the statement id in a COM_STMT_PREPARE_OK payload, and in every COM_STMT_* command payload. */
export const STATEMENT_ID_OFFSET = 1;

/** The statement id a COM_STMT_* command names (bytes 1-4 after the command byte). */
export function statementIdOf(payload: Uint8Array): number {
  const reader = new ByteReader(payload);
  reader.skip(1);
  return reader.u32();
}

/** Writes `id` over the 4-byte statement id at `offset` (little endian, as every COM_STMT_* field is). */
export function writeStatementId(target: Uint8Array, offset: number, id: number): void {
  target[offset] = id & 0xff;
  target[offset + 1] = (id >>> 8) & 0xff;
  target[offset + 2] = (id >>> 16) & 0xff;
  target[offset + 3] = (id >>> 24) & 0xff;
}

/** COM_STMT_CLOSE, COM_STMT_RESET, COM_STMT_FETCH (with `rows`): a command byte and a statement id. */
export function encodeStatementCommand(command: number, statementId: number, rows?: number): Uint8Array {
  const writer = new ByteWriter(9).u8(command).u32(statementId);
  if (rows !== undefined) writer.u32(rows);
  return writer.finish();
}

/** COM_STMT_FETCH: the statement whose cursor to read, and how many rows to send at most. */
export function decodeFetch(payload: Uint8Array): { statementId: number; rows: number } {
  const reader = new ByteReader(payload);
  if (reader.u8() !== Command.STMT_FETCH) throw new ProtocolError("not a COM_STMT_FETCH packet");
  return { statementId: reader.u32(), rows: reader.u32() };
}

export interface LongData {
  statementId: number;
  param: number;
  data: Uint8Array;
}

export function encodeSendLongData(chunk: LongData): Uint8Array {
  return new ByteWriter(chunk.data.length + 7).u8(Command.STMT_SEND_LONG_DATA).u32(chunk.statementId).u16(chunk.param).bytes(chunk.data).finish();
}

export function decodeSendLongData(payload: Uint8Array): LongData {
  const reader = new ByteReader(payload);
  reader.skip(1);
  return { statementId: reader.u32(), param: reader.u16(), data: reader.rest() };
}

/**
 * Cursor types in COM_STMT_EXECUTE's flags byte. Servers implement READ_ONLY only (MariaDB and MySQL
 * open a cursor when its bit is set and ignore FOR_UPDATE and SCROLLABLE alone); the cursor is then
 * read with COM_STMT_FETCH.
 */
export const CursorType = { NO_CURSOR: 0, READ_ONLY: 1, FOR_UPDATE: 2, SCROLLABLE: 4 } as const;

/**
 * COM_STMT_EXECUTE. With parameters: a NULL bitmap, the new-params-bound flag, the parameter types
 * (2 bytes each) only when the flag is 1, then the values. A server keeps the last types it was sent
 * per statement, so clients send them on the first execute and when they change.
 */
export interface ExecuteRequest {
  statementId: number;
  flags: number;
  iterationCount: number;
  nullBitmap: Uint8Array;
  /** The types, when the new-params-bound flag was 1. */
  types: Uint8Array | undefined;
  values: Uint8Array;
}

export function decodeExecute(payload: Uint8Array, paramCount: number): ExecuteRequest {
  const reader = new ByteReader(payload);
  if (reader.u8() !== Command.STMT_EXECUTE) throw new ProtocolError("not a COM_STMT_EXECUTE packet");
  const statementId = reader.u32();
  const flags = reader.u8();
  const iterationCount = reader.u32();
  if (paramCount === 0 || reader.remaining === 0) {
    return { statementId, flags, iterationCount, nullBitmap: new Uint8Array(0), types: undefined, values: reader.rest() };
  }
  const nullBitmap = reader.bytesN((paramCount + 7) >> 3);
  const bound = reader.u8();
  const types = bound === 1 ? reader.bytesN(paramCount * 2) : undefined;
  return { statementId, flags, iterationCount, nullBitmap, types, values: reader.rest() };
}

export function encodeExecute(request: ExecuteRequest, paramCount: number): Uint8Array {
  const writer = new ByteWriter(16 + request.nullBitmap.length + (request.types?.length ?? 0) + request.values.length);
  writer.u8(Command.STMT_EXECUTE).u32(request.statementId).u8(request.flags).u32(request.iterationCount);
  if (paramCount > 0) {
    writer.bytes(request.nullBitmap).u8(request.types ? 1 : 0);
    if (request.types) writer.bytes(request.types);
  }
  return writer.bytes(request.values).finish();
}
