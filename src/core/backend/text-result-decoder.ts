import { ByteReader, decodeUtf8 } from "../protocol/bytes.ts";
import { decodeColumnDefinition, type ColumnDefinition } from "../protocol/column-definition.ts";
import { PacketMarker } from "../protocol/constants.ts";
import { decodeOk, isEofPacket, type OkPacket } from "../protocol/ok-packet.ts";
import { PacketReader } from "../protocol/packet-reader.ts";

/** A text-protocol result with each value's bytes as the server sent them (null for SQL NULL). */
export interface RawResult {
  columns: ColumnDefinition[];
  rows: (Uint8Array | null)[][];
  ok: OkPacket | undefined;
}

/** A text-protocol result decoded into strings, for the gateway's own queries (not for client traffic). */
export interface TextResult {
  columns: ColumnDefinition[];
  rows: (string | null)[][];
  ok: OkPacket | undefined;
}

/** Decodes one complete response (a result set, or an OK) to a text-protocol query. */
export function decodeRawResult(chunks: readonly Uint8Array[], deprecateEof: boolean): RawResult {
  const reader = new PacketReader();
  for (const chunk of chunks) reader.push(chunk);
  const first = reader.next();
  if (!first) throw new Error("empty response");
  if (first.payload[0] === PacketMarker.OK) return { columns: [], rows: [], ok: decodeOk(first.payload) };
  const columnCount = new ByteReader(first.payload).lenenc();
  const columns: ColumnDefinition[] = [];
  for (let i = 0; i < columnCount; i++) columns.push(decodeColumnDefinition(reader.next()!.payload));
  if (!deprecateEof) reader.next();
  const rows: (Uint8Array | null)[][] = [];
  let last: Uint8Array | undefined;
  for (let packet = reader.next(); packet; packet = reader.next()) {
    if (isEofPacket(packet.payload)) {
      last = packet.payload;
      break;
    }
    const row = new ByteReader(packet.payload);
    const values: (Uint8Array | null)[] = [];
    for (let i = 0; i < columnCount; i++) {
      const length = row.lenencOrNull();
      values.push(length === null ? null : row.bytesN(Number(length)).slice());
    }
    rows.push(values);
  }
  // The end of the rows: an EOF (warnings, status) or, with DEPRECATE_EOF, an OK headed 0xFE.
  const ok = last && deprecateEof ? decodeOk(last) : last ? eofAsOk(last) : undefined;
  return { columns, rows, ok };
}

function eofAsOk(payload: Uint8Array): OkPacket {
  const reader = new ByteReader(payload);
  reader.skip(1);
  const warnings = reader.remaining >= 2 ? reader.u16() : 0;
  const statusFlags = reader.remaining >= 2 ? reader.u16() : 0;
  return { affectedRows: 0, lastInsertId: 0, statusFlags, warnings, info: "" };
}

export function decodeTextResult(chunks: readonly Uint8Array[], deprecateEof: boolean): TextResult {
  const raw = decodeRawResult(chunks, deprecateEof);
  return {
    columns: raw.columns,
    rows: raw.rows.map((row) => row.map((value) => (value === null ? null : decodeUtf8(value)))),
    ok: raw.columns.length === 0 ? raw.ok : undefined,
  };
}
