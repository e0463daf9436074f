/**
 * caching_sha2_password fast path: the scramble exchange checked against the cached
 * SHA256(SHA256(password)). The RSA full-authentication path lives in `rsa.ts`.
 */
import { constantTimeEqual, sha256, utf8, xorBytes } from "./digest.ts";
import { concatBytes } from "../protocol/bytes.ts";
import { scrambleBytes } from "./scramble.ts";

/** Second bytes of the AuthMoreData packet (status 0x01) exchanged by caching_sha2_password. */
export const CACHING_SHA2_REQUEST_PUBLIC_KEY = 0x02;
export const CACHING_SHA2_FAST_AUTH_SUCCESS = 0x03;
export const CACHING_SHA2_PERFORM_FULL_AUTH = 0x04;

const SHA256_LENGTH = 32;

/** Client response: SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + scramble); empty password sends nothing. */
export async function scrambleCachingSha2(password: string, scramble: Uint8Array): Promise<Uint8Array> {
  if (password === "") return new Uint8Array(0);
  const stage1 = await sha256(utf8(password));
  const stage2 = await sha256(stage1);
  return xorBytes(stage1, await sha256(concatBytes(stage2, scrambleBytes(scramble))));
}

/**
 * What the server caches per account after one successful full authentication. Empty for the empty
 * password: such accounts have an empty authentication_string and clients send an empty response.
 */
export async function cachingSha2Stage2(password: string): Promise<Uint8Array> {
  if (password === "") return new Uint8Array(0);
  return sha256(await sha256(utf8(password)));
}

/**
 * Server fast-auth check: recover the candidate SHA256(pw) and hash it once more. An empty `stage2`
 * stands for an account without a password, which accepts only an empty response.
 */
export async function verifyCachingSha2(
  stage2: Uint8Array,
  scramble: Uint8Array,
  response: Uint8Array,
): Promise<boolean> {
  if (stage2.length === 0) return response.length === 0;
  if (stage2.length !== SHA256_LENGTH || response.length !== SHA256_LENGTH) return false;
  const candidateStage1 = xorBytes(response, await sha256(concatBytes(stage2, scrambleBytes(scramble))));
  return constantTimeEqual(await sha256(candidateStage1), stage2);
}
