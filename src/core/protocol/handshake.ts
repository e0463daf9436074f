import { ByteReader, ByteWriter, ProtocolError } from "./bytes.ts";
import { Capability } from "./constants.ts";

/** Protocol::HandshakeV10, the server's first packet. */
export interface Handshake {
  serverVersion: string;
  connectionId: number;
  /** The full auth plugin data (the 20-byte scramble), without the trailing NUL. */
  authPluginData: Uint8Array;
  capabilities: number;
  characterSet: number;
  statusFlags: number;
  authPluginName: string;
}

export function encodeHandshake(handshake: Handshake): Uint8Array {
  const data = handshake.authPluginData;
  const writer = new ByteWriter(128)
    .u8(10)
    .nulString(handshake.serverVersion)
    .u32(handshake.connectionId)
    .bytes(data.subarray(0, 8))
    .u8(0)
    .u16(handshake.capabilities & 0xffff)
    .u8(handshake.characterSet)
    .u16(handshake.statusFlags)
    .u16((handshake.capabilities >>> 16) & 0xffff)
    .u8(data.length + 1)
    .zeros(10);
  // auth-plugin-data-part-2 is max(13, length - 8) bytes, NUL-terminated.
  writer.bytes(data.subarray(8)).zeros(Math.max(13, data.length - 8 + 1) - (data.length - 8));
  writer.nulString(handshake.authPluginName);
  return writer.finish();
}

export function decodeHandshake(payload: Uint8Array): Handshake {
  const reader = new ByteReader(payload);
  const protocolVersion = reader.u8();
  if (protocolVersion !== 10) throw new ProtocolError(`unsupported handshake protocol version ${protocolVersion}`);
  const serverVersion = reader.nulString();
  const connectionId = reader.u32();
  const part1 = reader.bytesN(8);
  reader.skip(1);
  let capabilities = reader.u16();
  let characterSet = 0;
  let statusFlags = 0;
  let authPluginName = "mysql_native_password";
  let authPluginData = part1;
  if (reader.remaining > 0) {
    characterSet = reader.u8();
    statusFlags = reader.u16();
    capabilities |= reader.u16() << 16;
    capabilities >>>= 0;
    const dataLength = reader.u8();
    reader.skip(10);
    if (capabilities & Capability.SECURE_CONNECTION) {
      const part2Length = Math.max(13, dataLength - 8);
      const part2 = reader.bytesN(Math.min(part2Length, reader.remaining));
      const withoutNul = part2[part2.length - 1] === 0 ? part2.subarray(0, part2.length - 1) : part2;
      authPluginData = new Uint8Array(8 + withoutNul.length);
      authPluginData.set(part1);
      authPluginData.set(withoutNul, 8);
    }
    if (capabilities & Capability.PLUGIN_AUTH && reader.remaining > 0) authPluginName = reader.nulString();
  }
  return { serverVersion, connectionId, authPluginData, capabilities, characterSet, statusFlags, authPluginName };
}
