import { ByteReader, ByteWriter, ProtocolError, decodeUtf8 } from "./bytes.ts";
import { Capability } from "./constants.ts";

/** Protocol::HandshakeResponse41 (and the 32-byte SSLRequest that may precede it). */
export interface HandshakeResponse {
  capabilities: number;
  maxPacketSize: number;
  characterSet: number;
  user: string;
  authResponse: Uint8Array;
  database: string | undefined;
  authPluginName: string | undefined;
  attributes: Record<string, string>;
}

/** The SSLRequest is the response's fixed 32-byte prefix with CLIENT_SSL set. */
export const SSL_REQUEST_LENGTH = 32;

export function isSslRequest(payload: Uint8Array): boolean {
  if (payload.length !== SSL_REQUEST_LENGTH) return false;
  const capabilities = new ByteReader(payload).u32();
  return (capabilities & Capability.SSL) !== 0;
}

export function encodeSslRequest(capabilities: number, characterSet: number, maxPacketSize: number): Uint8Array {
  return new ByteWriter(32).u32(capabilities | Capability.SSL).u32(maxPacketSize).u8(characterSet).zeros(23).finish();
}

export function encodeHandshakeResponse(response: HandshakeResponse): Uint8Array {
  const caps = response.capabilities;
  const writer = new ByteWriter(128)
    .u32(caps)
    .u32(response.maxPacketSize)
    .u8(response.characterSet)
    .zeros(23)
    .nulString(response.user);
  if (caps & Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA) writer.lenencBytes(response.authResponse);
  else writer.u8(response.authResponse.length).bytes(response.authResponse);
  if (caps & Capability.CONNECT_WITH_DB) writer.nulString(response.database ?? "");
  if (caps & Capability.PLUGIN_AUTH) writer.nulString(response.authPluginName ?? "");
  if (caps & Capability.CONNECT_ATTRS) {
    const attrs = new ByteWriter(64);
    for (const [key, value] of Object.entries(response.attributes)) attrs.lenencString(key).lenencString(value);
    writer.lenencBytes(attrs.finish());
  }
  return writer.finish();
}

export function decodeHandshakeResponse(payload: Uint8Array): HandshakeResponse {
  const reader = new ByteReader(payload);
  const capabilities = reader.u32();
  if (!(capabilities & Capability.PROTOCOL_41)) {
    throw new ProtocolError("client does not support the 4.1 protocol");
  }
  const maxPacketSize = reader.u32();
  const characterSet = reader.u8();
  reader.skip(23);
  const user = reader.nulString();
  let authResponse: Uint8Array;
  if (capabilities & Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA) authResponse = reader.lenencBytes();
  else if (capabilities & Capability.SECURE_CONNECTION) authResponse = reader.bytesN(reader.u8());
  else authResponse = reader.nulBytes();
  let database: string | undefined;
  if (capabilities & Capability.CONNECT_WITH_DB && reader.remaining > 0) {
    database = reader.nulString();
    if (database === "") database = undefined;
  }
  let authPluginName: string | undefined;
  if (capabilities & Capability.PLUGIN_AUTH && reader.remaining > 0) authPluginName = reader.nulString();
  const attributes = capabilities & Capability.CONNECT_ATTRS ? decodeConnectAttributes(reader) : {};
  return { capabilities, maxPacketSize, characterSet, user, authResponse, database, authPluginName, attributes };
}

/** The CONNECT_ATTRS block that ends HandshakeResponse41 and COM_CHANGE_USER: lenenc key/value pairs. */
export function decodeConnectAttributes(reader: ByteReader): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (reader.remaining === 0) return attributes;
  const attrs = new ByteReader(reader.lenencBytes());
  while (attrs.remaining > 0) {
    const key = decodeUtf8(attrs.lenencBytes());
    attributes[key] = decodeUtf8(attrs.lenencBytes());
  }
  return attributes;
}
