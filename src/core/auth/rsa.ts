/**
 * The RSA exchange of caching_sha2_password full authentication on a connection without TLS
 * (MySQL >= 8.0.5): the client encrypts (password + NUL) XOR scramble with the server's public key
 * using RSA-OAEP, SHA-1 and MGF1-SHA-1 (OpenSSL's RSA_PKCS1_OAEP_PADDING).
 */
import { pkcs1PublicKeyToSpki } from "./der.ts";
import { toBufferSource, utf8, xorBytes } from "./digest.ts";
import { concatBytes } from "../protocol/bytes.ts";
import { scrambleBytes } from "./scramble.ts";

const OAEP_SHA1: RsaHashedImportParams = { name: "RSA-OAEP", hash: "SHA-1" };
/** RFC 8017 §7.1.1: OAEP spends two hash lengths plus two bytes of the modulus on padding. */
const OAEP_SHA1_OVERHEAD = 2 * 20 + 2;
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \1-----/;
const PEM_LINE_LENGTH = 64;

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });

function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text.replace(/\s+/g, ""));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function spkiToPem(spki: Uint8Array): string {
  const base64 = encodeBase64(spki);
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += PEM_LINE_LENGTH) lines.push(base64.slice(i, i + PEM_LINE_LENGTH));
  return `-----BEGIN PUBLIC KEY-----\n${lines.join("\n")}\n-----END PUBLIC KEY-----\n`;
}

/** Servers send either an SPKI ("PUBLIC KEY") or a PKCS#1 ("RSA PUBLIC KEY") PEM; Web Crypto wants SPKI. */
function publicKeyPemToSpki(pem: string): Uint8Array {
  const match = PEM_BLOCK.exec(pem);
  if (match === null) throw new SyntaxError("RSA public key is not a PEM block");
  const [, label, body = ""] = match;
  const der = decodeBase64(body);
  if (label === "PUBLIC KEY") return der;
  if (label === "RSA PUBLIC KEY") return pkcs1PublicKeyToSpki(der);
  throw new SyntaxError(`unsupported PEM block for an RSA public key: ${label}`);
}

/** MySQL's client NUL-terminates the password before XOR so the server can find its end. */
function maskPassword(password: string, scramble: Uint8Array): Uint8Array {
  return xorBytes(concatBytes(utf8(password), new Uint8Array([0])), scrambleBytes(scramble));
}

/** Client side: the ciphertext to send in reply to the server's public key. */
export async function encryptPassword(
  password: string,
  scramble: Uint8Array,
  publicKeyPem: string,
): Promise<Uint8Array> {
  const publicKey = await globalThis.crypto.subtle.importKey(
    "spki",
    toBufferSource(publicKeyPemToSpki(publicKeyPem)),
    OAEP_SHA1,
    false,
    ["encrypt"],
  );
  const plaintext = maskPassword(password, scramble);
  const modulusBytes = Math.ceil((publicKey.algorithm as RsaHashedKeyAlgorithm).modulusLength / 8);
  if (plaintext.length > modulusBytes - OAEP_SHA1_OVERHEAD) {
    throw new RangeError(
      `password of ${plaintext.length - 1} bytes is too long for the server's ${modulusBytes * 8}-bit RSA key`,
    );
  }
  return new Uint8Array(await globalThis.crypto.subtle.encrypt(OAEP_SHA1, publicKey, toBufferSource(plaintext)));
}

/** Server side: a key pair whose public half is sent to clients that ask for it (AuthMoreData 0x02). */
export class RsaKeyPair {
  readonly publicKeyPem: string;
  readonly #privateKey: CryptoKey;

  private constructor(privateKey: CryptoKey, publicKeyPem: string) {
    this.#privateKey = privateKey;
    this.publicKeyPem = publicKeyPem;
  }

  static async generate(bits = 2048): Promise<RsaKeyPair> {
    // extractable=false binds the private key only; Web Crypto always lets the public key be exported.
    const { privateKey, publicKey } = await globalThis.crypto.subtle.generateKey(
      { ...OAEP_SHA1, modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]) },
      false,
      ["encrypt", "decrypt"],
    );
    const spki = new Uint8Array(await globalThis.crypto.subtle.exportKey("spki", publicKey));
    return new RsaKeyPair(privateKey, spkiToPem(spki));
  }

  /** Throws when the ciphertext doesn't decrypt or lacks the NUL terminator (MySQL rejects both). */
  async decryptPassword(ciphertext: Uint8Array, scramble: Uint8Array): Promise<string> {
    let decrypted: Uint8Array;
    try {
      decrypted = new Uint8Array(
        await globalThis.crypto.subtle.decrypt(OAEP_SHA1, this.#privateKey, toBufferSource(ciphertext)),
      );
    } catch (cause) {
      throw new Error("RSA decryption of the password failed", { cause });
    }
    const plaintext = xorBytes(decrypted, scrambleBytes(scramble));
    if (plaintext[plaintext.length - 1] !== 0) throw new Error("decrypted password is not NUL-terminated");
    return fatalUtf8.decode(plaintext.subarray(0, plaintext.length - 1));
  }
}
