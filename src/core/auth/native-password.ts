/**
 * mysql_native_password: the server stores SHA1(SHA1(password)) and sends a 20-byte scramble;
 * the client proves knowledge of SHA1(password) without revealing it.
 */
import { bytesToHex, constantTimeEqual, hexToBytes, sha1, utf8, xorBytes } from "./digest.ts";
import { concatBytes } from "../protocol/bytes.ts";
import { scrambleBytes } from "./scramble.ts";

const SHA1_LENGTH = 20;

/**
 * The `*HEX` authentication_string MySQL's `PASSWORD()` produces (uppercase, 41 characters). As in
 * MySQL, the empty password is stored as the empty string, meaning "no password".
 */
export async function nativePasswordHash(password: string): Promise<string> {
  if (password === "") return "";
  const stage2 = await sha1(await sha1(utf8(password)));
  return "*" + bytesToHex(stage2).toUpperCase();
}

/** SHA1(SHA1(password)) from a `*HEX` authentication_string; empty for the empty string (no password). */
export function nativePasswordStage2(hash: string): Uint8Array {
  if (hash === "") return new Uint8Array(0);
  if (hash.length !== 1 + SHA1_LENGTH * 2 || !hash.startsWith("*")) {
    throw new SyntaxError("mysql_native_password hash must be '*' followed by 40 hex digits");
  }
  return hexToBytes(hash.slice(1));
}

/** Client response: SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))); empty password sends nothing. */
export async function scrambleNativePassword(password: string, scramble: Uint8Array): Promise<Uint8Array> {
  if (password === "") return new Uint8Array(0);
  const stage1 = await sha1(utf8(password));
  const stage2 = await sha1(stage1);
  return xorBytes(stage1, await sha1(concatBytes(scrambleBytes(scramble), stage2)));
}

/**
 * Server check: recover the candidate SHA1(pw) from the response and hash it once more. An empty
 * `stage2` stands for an account without a password, which accepts only an empty response.
 */
export async function verifyNativePassword(
  stage2: Uint8Array,
  scramble: Uint8Array,
  response: Uint8Array,
): Promise<boolean> {
  if (stage2.length === 0) return response.length === 0;
  if (stage2.length !== SHA1_LENGTH || response.length !== SHA1_LENGTH) return false;
  const candidateStage1 = xorBytes(response, await sha1(concatBytes(scrambleBytes(scramble), stage2)));
  return constantTimeEqual(await sha1(candidateStage1), stage2);
}
