import { ByteReader, decodeUtf8 } from "../protocol/bytes.ts";
import { decodeColumnDefinition, type ColumnDefinition } from "../protocol/column-definition.ts";
import { PacketMarker } from "../protocol/constants.ts";
import { decodeOk, isEofPacket, type OkPacket } from "../protocol/ok-packet.ts";
import { PacketReader } from "../protocol/packet-reader.ts";

/** A text-protocol result decoded into strings, for the gateway's own queries (not for client traffic). */
export interface TextResult {
  columns: ColumnDefinition[];
  rows: (string | null)[][];
  ok: OkPacket | undefined;
}

export function decodeTextResult(chunks: readonly Uint8Array[], deprecateEof: boolean): TextResult {
  const reader = new PacketReader();
  for (const chunk of chunks) reader.push(chunk);
  const first = reader.next();
  if (!first) throw new Error("empty response");
  if (first.payload[0] === PacketMarker.OK) return { columns: [], rows: [], ok: decodeOk(first.payload) };
  const columnCount = new ByteReader(first.payload).lenenc();
  const columns: ColumnDefinition[] = [];
  for (let i = 0; i < columnCount; i++) columns.push(decodeColumnDefinition(reader.next()!.payload));
  if (!deprecateEof) reader.next();
  const rows: (string | null)[][] = [];
  for (let packet = reader.next(); packet && !isEofPacket(packet.payload); packet = reader.next()) {
    const row = new ByteReader(packet.payload);
    const values: (string | null)[] = [];
    for (let i = 0; i < columnCount; i++) {
      const length = row.lenencOrNull();
      values.push(length === null ? null : decodeUtf8(row.bytesN(Number(length))));
    }
    rows.push(values);
  }
  return { columns, rows, ok: undefined };
}
