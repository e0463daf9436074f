/** Length of the auth-plugin-data nonce in Handshake v10 (8 bytes in part 1 + 12 in part 2). */
export const SCRAMBLE_LENGTH = 20;

const FIRST_PRINTABLE = 0x21;
const PRINTABLE_COUNT = 0x7e - 0x21 + 1;
/** Largest multiple of PRINTABLE_COUNT within a byte: rejecting bytes at or above it keeps the draw uniform. */
const UNBIASED_LIMIT = 256 - (256 % PRINTABLE_COUNT);

/**
 * A fresh nonce for Handshake v10. Bytes are printable ASCII because part 2 of auth-plugin-data is
 * NUL-terminated on the wire, so a 0x00 inside it would truncate the scramble for the client.
 */
export function newScramble(): Uint8Array {
  const scramble = new Uint8Array(SCRAMBLE_LENGTH);
  const random = new Uint8Array(SCRAMBLE_LENGTH * 2);
  let filled = 0;
  while (filled < SCRAMBLE_LENGTH) {
    globalThis.crypto.getRandomValues(random);
    for (const byte of random) {
      if (byte >= UNBIASED_LIMIT) continue;
      scramble[filled++] = FIRST_PRINTABLE + (byte % PRINTABLE_COUNT);
      if (filled === SCRAMBLE_LENGTH) break;
    }
  }
  return scramble;
}

/**
 * The 20 bytes the hashes use: clients see auth-plugin-data with its trailing NUL (21 bytes), and
 * MySQL's `scramble()` / `xor_string()` only ever read SCRAMBLE_LENGTH bytes of it.
 */
export function scrambleBytes(scramble: Uint8Array): Uint8Array {
  if (scramble.length < SCRAMBLE_LENGTH) {
    throw new RangeError(`scramble must be at least ${SCRAMBLE_LENGTH} bytes, got ${scramble.length}`);
  }
  return scramble.subarray(0, SCRAMBLE_LENGTH);
}
