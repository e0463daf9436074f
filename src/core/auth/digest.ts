/**
 * Byte and hash helpers for the authentication plugins, on Web Crypto only so the core runs
 * unchanged on Node, Bun and Deno.
 */

const encoder = new TextEncoder();

/**
 * Web Crypto takes `BufferSource`, which excludes views over a `SharedArrayBuffer`; auth inputs are a
 * few dozen bytes, so copying is cheaper than reasoning about where a caller's view came from.
 */
export function toBufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

export async function sha1(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest("SHA-1", toBufferSource(data)));
}

export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", toBufferSource(data)));
}

/**
 * `a` XOR `b`, with `b` repeated when shorter: the RSA path of caching_sha2_password XORs a password
 * of any length with the 20-byte scramble this way (MySQL's `xor_string`).
 */
export function xorBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (b.length === 0 && a.length > 0) throw new RangeError("xorBytes: cannot XOR with an empty key");
  const result = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) {
    result[i] = a[i]! ^ b[i % b.length]!;
  }
  return result;
}

export function bytesToHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new SyntaxError(`hexToBytes: not a hex string: ${JSON.stringify(hex)}`);
  }
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  }
  return bytes;
}

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Compares without an early exit so response checks don't leak how many bytes matched. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) {
    difference |= a[i]! ^ b[i]!;
  }
  return difference === 0;
}
