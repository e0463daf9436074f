/**
 * Just enough DER writing to turn a PKCS#1 RSAPublicKey into the SubjectPublicKeyInfo Web Crypto
 * imports (`spki` is the only public-key format it takes besides JWK).
 */
import { concatBytes } from "../protocol/bytes.ts";

const TAG_BIT_STRING = 0x03;
const TAG_NULL = 0x05;
const TAG_OBJECT_IDENTIFIER = 0x06;
const TAG_SEQUENCE = 0x30;

/** 1.2.840.113549.1.1.1 (rsaEncryption), already in its DER content encoding. */
const RSA_ENCRYPTION_OID = new Uint8Array([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]);

/** X.690 §8.1.3: short form below 128, otherwise 0x80|n followed by n big-endian length bytes. */
function derLength(length: number): Uint8Array {
  if (length < 0x80) return new Uint8Array([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return new Uint8Array([0x80 | bytes.length, ...bytes]);
}

function derElement(tag: number, content: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array([tag]), derLength(content.length), content);
}

/**
 * SubjectPublicKeyInfo ::= SEQUENCE { AlgorithmIdentifier { rsaEncryption, NULL }, BIT STRING }
 * (RFC 3279 §2.3.1), with the PKCS#1 key as the bit string's content after its 0 unused-bits byte.
 */
export function pkcs1PublicKeyToSpki(pkcs1: Uint8Array): Uint8Array {
  if (pkcs1[0] !== TAG_SEQUENCE) throw new SyntaxError("PKCS#1 RSA public key must be a DER SEQUENCE");
  const algorithm = derElement(
    TAG_SEQUENCE,
    concatBytes(derElement(TAG_OBJECT_IDENTIFIER, RSA_ENCRYPTION_OID), derElement(TAG_NULL, new Uint8Array(0))),
  );
  const subjectPublicKey = derElement(TAG_BIT_STRING, concatBytes(new Uint8Array([0]), pkcs1));
  return derElement(TAG_SEQUENCE, concatBytes(algorithm, subjectPublicKey));
}
