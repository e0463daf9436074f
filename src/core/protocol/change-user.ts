import { ByteReader } from "./bytes.ts";
import { Capability } from "./constants.ts";
import { decodeConnectAttributes } from "./handshake-response.ts";

/** COM_CHANGE_USER's payload (after the command byte). */
export interface ChangeUser {
  user: string;
  authResponse: Uint8Array;
  database: string | undefined;
  characterSet: number | undefined;
  authPluginName: string | undefined;
  attributes: Record<string, string>;
}

export function decodeChangeUser(payload: Uint8Array, capabilities: number): ChangeUser {
  const reader = new ByteReader(payload);
  reader.skip(1);
  const user = reader.nulString();
  const authResponse = capabilities & Capability.SECURE_CONNECTION ? reader.bytesN(reader.u8()) : reader.nulBytes();
  const database = reader.nulString() || undefined;
  let characterSet: number | undefined;
  let authPluginName: string | undefined;
  if (reader.remaining >= 2) characterSet = reader.u16();
  if (capabilities & Capability.PLUGIN_AUTH && reader.remaining > 0) authPluginName = reader.nulString();
  const attributes = capabilities & Capability.CONNECT_ATTRS ? decodeConnectAttributes(reader) : {};
  return { user, authResponse, database, characterSet, authPluginName, attributes };
}
