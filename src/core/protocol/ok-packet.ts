import { ByteReader, ByteWriter, decodeUtf8 } from "./bytes.ts";
import { PacketMarker } from "./constants.ts";

/** OK_Packet (PROTOCOL_41, no SESSION_TRACK: the gateway never negotiates session tracking). */
export interface OkPacket {
  affectedRows: number | bigint;
  lastInsertId: number | bigint;
  statusFlags: number;
  warnings: number;
  info: string;
}

/** `asEof`: the 0xFE-headed OK that ends a result set when CLIENT_DEPRECATE_EOF is on. */
export function encodeOk(ok: Partial<OkPacket> & { statusFlags: number }, asEof = false): Uint8Array {
  const writer = new ByteWriter(16)
    .u8(asEof ? PacketMarker.EOF : PacketMarker.OK)
    .lenenc(ok.affectedRows ?? 0)
    .lenenc(ok.lastInsertId ?? 0)
    .u16(ok.statusFlags)
    .u16(ok.warnings ?? 0);
  if (ok.info) writer.string(ok.info);
  return writer.finish();
}

export function decodeOk(payload: Uint8Array): OkPacket {
  const reader = new ByteReader(payload);
  reader.skip(1);
  const affectedRows = reader.lenencBig();
  const lastInsertId = reader.lenencBig();
  const statusFlags = reader.remaining >= 2 ? reader.u16() : 0;
  const warnings = reader.remaining >= 2 ? reader.u16() : 0;
  return { affectedRows, lastInsertId, statusFlags, warnings, info: decodeUtf8(infoBytes(reader.rest())) };
}

/**
 * The info text. MariaDB length-prefixes it even without CLIENT_SESSION_TRACK (where the protocol says
 * string<EOF>), so a first byte equal to the rest's length is that prefix, not text.
 */
function infoBytes(rest: Uint8Array): Uint8Array {
  return rest.length > 0 && rest[0] === rest.length - 1 ? rest.subarray(1) : rest;
}

export function isOkPacket(payload: Uint8Array): boolean {
  return payload.length >= 7 && payload[0] === PacketMarker.OK;
}

/** An EOF marker (or its DEPRECATE_EOF OK replacement): 0xFE and shorter than a lenenc-prefixed row could be. */
export function isEofPacket(payload: Uint8Array): boolean {
  return payload[0] === PacketMarker.EOF && payload.length < 0xffffff;
}
