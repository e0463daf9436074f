import { ByteReader, ByteWriter, decodeUtf8 } from "./bytes.ts";
import { PacketMarker } from "./constants.ts";

/** ERR_Packet with its SQLSTATE (PROTOCOL_41). */
export interface ErrPacket {
  code: number;
  sqlState: string;
  message: string;
}

export function encodeErr(err: ErrPacket): Uint8Array {
  return new ByteWriter(16 + err.message.length)
    .u8(PacketMarker.ERR)
    .u16(err.code)
    .string("#")
    .string(err.sqlState.padEnd(5, "0").slice(0, 5))
    .string(err.message)
    .finish();
}

export function decodeErr(payload: Uint8Array): ErrPacket {
  const reader = new ByteReader(payload);
  reader.skip(1);
  const code = reader.u16();
  let sqlState = "HY000";
  if (reader.remaining >= 6 && payload[reader.offset] === 0x23) {
    reader.skip(1);
    sqlState = decodeUtf8(reader.bytesN(5));
  }
  return { code, sqlState, message: decodeUtf8(reader.rest()) };
}

export function isErrPacket(payload: Uint8Array): boolean {
  return payload[0] === PacketMarker.ERR;
}
