import { ByteReader, ByteWriter } from "./bytes.ts";
import { PacketMarker } from "./constants.ts";

/** Protocol::AuthSwitchRequest: the server asks the client to answer with another plugin. */
export interface AuthSwitchRequest {
  pluginName: string;
  pluginData: Uint8Array;
}

export function encodeAuthSwitchRequest(request: AuthSwitchRequest): Uint8Array {
  // The scramble travels NUL-terminated, as mysqld sends it.
  return new ByteWriter(48).u8(PacketMarker.AUTH_SWITCH).nulString(request.pluginName).bytes(request.pluginData).u8(0).finish();
}

export function decodeAuthSwitchRequest(payload: Uint8Array): AuthSwitchRequest {
  const reader = new ByteReader(payload);
  reader.skip(1);
  const pluginName = reader.nulString();
  const data = reader.rest();
  const pluginData = data[data.length - 1] === 0 ? data.subarray(0, data.length - 1) : data;
  return { pluginName, pluginData };
}

/** Protocol::AuthMoreData: 0x01 then plugin-specific bytes. */
export function encodeAuthMoreData(data: Uint8Array): Uint8Array {
  return new ByteWriter(data.length + 1).u8(PacketMarker.AUTH_MORE_DATA).bytes(data).finish();
}
