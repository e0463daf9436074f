import { ByteReader, ByteWriter } from "./bytes.ts";
import { PacketMarker } from "./constants.ts";

/** EOF_Packet, used between column definitions and rows, and after rows, without CLIENT_DEPRECATE_EOF. */
export interface EofPacket {
  warnings: number;
  statusFlags: number;
}

export function encodeEof(eof: EofPacket): Uint8Array {
  return new ByteWriter(5).u8(PacketMarker.EOF).u16(eof.warnings).u16(eof.statusFlags).finish();
}

export function decodeEof(payload: Uint8Array): EofPacket {
  const reader = new ByteReader(payload);
  reader.skip(1);
  if (reader.remaining < 4) return { warnings: 0, statusFlags: 0 };
  const warnings = reader.u16();
  return { warnings, statusFlags: reader.u16() };
}
