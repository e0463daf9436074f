import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { constants, createHash, createPublicKey, generateKeyPairSync, privateDecrypt, publicEncrypt } from "node:crypto";
import { createRequire } from "node:module";

import {
  CACHING_SHA2_FAST_AUTH_SUCCESS,
  CACHING_SHA2_PERFORM_FULL_AUTH,
  CACHING_SHA2_REQUEST_PUBLIC_KEY,
  cachingSha2Stage2,
  scrambleCachingSha2,
  verifyCachingSha2,
} from "../../src/core/auth/caching-sha2.ts";
import {
  bytesToHex,
  constantTimeEqual,
  hexToBytes,
  sha1,
  sha256,
  utf8,
  xorBytes,
} from "../../src/core/auth/digest.ts";
import { concatBytes } from "../../src/core/protocol/bytes.ts";
import {
  nativePasswordHash,
  nativePasswordStage2,
  scrambleNativePassword,
  verifyNativePassword,
} from "../../src/core/auth/native-password.ts";
import { encryptPassword, RsaKeyPair } from "../../src/core/auth/rsa.ts";
import { newScramble } from "../../src/core/auth/scramble.ts";

/** Independent reference implementations, from node:crypto (allowed in tests only). */
function nodeHash(algorithm: "sha1" | "sha256", ...parts: Uint8Array[]): Uint8Array {
  const hash = createHash(algorithm);
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

function nodeXor(a: Uint8Array, b: Uint8Array): Uint8Array {
  return a.map((byte, i) => byte ^ b[i % b.length]!);
}

/** mysql2's own token functions; its package `exports` hides lib/, so load them by file path. */
const require = createRequire(import.meta.url);
const mysql2Lib = require.resolve("mysql2/package.json").replace(/package\.json$/, "lib/");
const mysql2Auth41 = require(mysql2Lib + "auth_41.js") as {
  calculateToken(password: string, scramble1: Uint8Array, scramble2: Uint8Array): Uint8Array;
};
const mysql2CachingSha2 = require(mysql2Lib + "auth_plugins/caching_sha2_password.js") as {
  calculateToken(password: string, scramble: Uint8Array): Uint8Array;
};

const PASSWORDS = ["password", "s3cr3t!", "pässwörd-ü-日本", "x".repeat(100)];

describe("digest helpers", () => {
  it("hashes like node:crypto", async () => {
    for (const text of ["", "abc", "pässwörd", "x".repeat(1000)]) {
      assert.deepEqual(await sha1(utf8(text)), nodeHash("sha1", utf8(text)));
      assert.deepEqual(await sha256(utf8(text)), nodeHash("sha256", utf8(text)));
    }
    assert.equal(bytesToHex(await sha1(utf8("abc"))), "a9993e364706816aba3e25717850c26c9cd0d89d");
  });

  it("hashes views into a larger buffer by their own bytes only", async () => {
    const backing = utf8("xxabcxx");
    assert.deepEqual(await sha256(backing.subarray(2, 5)), nodeHash("sha256", utf8("abc")));
  });

  it("concatenates and XORs with a cyclic key", () => {
    assert.deepEqual(concatBytes(), new Uint8Array(0));
    assert.deepEqual(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)), Uint8Array.of(1, 2, 3));
    assert.deepEqual(xorBytes(Uint8Array.of(1, 2, 3, 4, 5), Uint8Array.of(0xff, 0x0f)), Uint8Array.of(0xfe, 0x0d, 0xfc, 0x0b, 0xfa));
    assert.deepEqual(xorBytes(new Uint8Array(0), new Uint8Array(0)), new Uint8Array(0));
    assert.throws(() => xorBytes(Uint8Array.of(1), new Uint8Array(0)), RangeError);
  });

  it("round-trips hex and rejects malformed hex", () => {
    const bytes = Uint8Array.of(0x00, 0x0a, 0xff, 0x7f);
    assert.equal(bytesToHex(bytes), "000aff7f");
    assert.deepEqual(hexToBytes("000AFF7f"), bytes);
    assert.throws(() => hexToBytes("abc"), SyntaxError);
    assert.throws(() => hexToBytes("zz"), SyntaxError);
  });

  it("compares in constant time with the right answers", () => {
    assert.equal(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2)), true);
    assert.equal(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3)), false);
    assert.equal(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3)), false);
    assert.equal(constantTimeEqual(new Uint8Array(0), new Uint8Array(0)), true);
  });
});

describe("newScramble", () => {
  it("gives 20 printable non-NUL bytes, different each time", () => {
    const seen = new Set<string>();
    const byteValues = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const scramble = newScramble();
      assert.equal(scramble.length, 20);
      for (const byte of scramble) {
        assert.ok(byte >= 0x21 && byte <= 0x7e, `byte ${byte} out of range`);
        byteValues.add(byte);
      }
      seen.add(bytesToHex(scramble));
    }
    assert.equal(seen.size, 200);
    // 4000 uniform draws over 94 values miss one with probability ~94 * e^-42.
    assert.equal(byteValues.size, 0x7e - 0x21 + 1);
  });
});

describe("mysql_native_password", () => {
  it("matches MySQL PASSWORD('password')", async () => {
    assert.equal(await nativePasswordHash("password"), "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
    assert.equal(await nativePasswordHash(""), "");
  });

  it("extracts stage2 from the stored hash", async () => {
    const stage2 = nativePasswordStage2("*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
    assert.deepEqual(stage2, nodeHash("sha1", nodeHash("sha1", utf8("password"))));
    assert.deepEqual(nativePasswordStage2(await nativePasswordHash("s3cr3t!")), nodeHash("sha1", nodeHash("sha1", utf8("s3cr3t!"))));
    assert.deepEqual(nativePasswordStage2(""), new Uint8Array(0));
    assert.throws(() => nativePasswordStage2("2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19"), SyntaxError);
    assert.throws(() => nativePasswordStage2("*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E1"), SyntaxError);
    assert.throws(() => nativePasswordStage2("*2470C0C06DEE42FD1618BB99005ADCA2EC9D1EZZ"), SyntaxError);
  });

  it("computes the client response like node:crypto and mysql2", async () => {
    for (const password of PASSWORDS) {
      const scramble = newScramble();
      const response = await scrambleNativePassword(password, scramble);
      const stage1 = nodeHash("sha1", utf8(password));
      assert.deepEqual(response, nodeXor(stage1, nodeHash("sha1", scramble, nodeHash("sha1", stage1))));
      const fromMysql2 = mysql2Auth41.calculateToken(password, scramble.subarray(0, 8), scramble.subarray(8));
      assert.deepEqual(response, new Uint8Array(fromMysql2));
    }
  });

  it("uses only the first 20 bytes of a NUL-terminated scramble", async () => {
    const scramble = newScramble();
    const withNul = concatBytes(scramble, Uint8Array.of(0));
    assert.deepEqual(await scrambleNativePassword("pw", withNul), await scrambleNativePassword("pw", scramble));
    await assert.rejects(scrambleNativePassword("pw", scramble.subarray(0, 19)), RangeError);
  });

  it("verifies the right password and rejects others", async () => {
    for (const password of PASSWORDS) {
      const scramble = newScramble();
      const stage2 = nativePasswordStage2(await nativePasswordHash(password));
      const response = await scrambleNativePassword(password, scramble);
      assert.equal(await verifyNativePassword(stage2, scramble, response), true);
      assert.equal(await verifyNativePassword(stage2, scramble, await scrambleNativePassword(password + "x", scramble)), false);
      assert.equal(await verifyNativePassword(stage2, newScramble(), response), false, "replay under another scramble");
      assert.equal(await verifyNativePassword(stage2, scramble, new Uint8Array(0)), false);
      assert.equal(await verifyNativePassword(stage2, scramble, response.subarray(0, 19)), false);
      const tampered = response.slice();
      tampered[0]! ^= 1;
      assert.equal(await verifyNativePassword(stage2, scramble, tampered), false);
    }
  });

  it("handles the empty password on both sides", async () => {
    const scramble = newScramble();
    const emptyResponse = await scrambleNativePassword("", scramble);
    assert.equal(emptyResponse.length, 0);
    const noPassword = nativePasswordStage2(await nativePasswordHash(""));
    assert.equal(await verifyNativePassword(noPassword, scramble, emptyResponse), true);
    assert.equal(await verifyNativePassword(noPassword, scramble, await scrambleNativePassword("pw", scramble)), false);
    const withPassword = nativePasswordStage2(await nativePasswordHash("pw"));
    assert.equal(await verifyNativePassword(withPassword, scramble, emptyResponse), false);
  });
});

describe("caching_sha2_password", () => {
  it("exposes the AuthMoreData status bytes", () => {
    assert.equal(CACHING_SHA2_REQUEST_PUBLIC_KEY, 0x02);
    assert.equal(CACHING_SHA2_FAST_AUTH_SUCCESS, 0x03);
    assert.equal(CACHING_SHA2_PERFORM_FULL_AUTH, 0x04);
  });

  it("computes the client response like node:crypto and mysql2", async () => {
    for (const password of PASSWORDS) {
      const scramble = newScramble();
      const response = await scrambleCachingSha2(password, scramble);
      const stage1 = nodeHash("sha256", utf8(password));
      const expected = nodeXor(stage1, nodeHash("sha256", nodeHash("sha256", stage1), scramble));
      assert.deepEqual(response, expected);
      assert.deepEqual(response, new Uint8Array(mysql2CachingSha2.calculateToken(password, scramble)));
    }
  });

  it("derives the cached stage2", async () => {
    assert.deepEqual(await cachingSha2Stage2("pässwörd"), nodeHash("sha256", nodeHash("sha256", utf8("pässwörd"))));
    assert.deepEqual(await cachingSha2Stage2(""), new Uint8Array(0));
  });

  it("verifies the right password and rejects others", async () => {
    for (const password of PASSWORDS) {
      const scramble = newScramble();
      const stage2 = await cachingSha2Stage2(password);
      const response = await scrambleCachingSha2(password, scramble);
      assert.equal(await verifyCachingSha2(stage2, scramble, response), true);
      assert.equal(await verifyCachingSha2(stage2, scramble, await scrambleCachingSha2(password + "x", scramble)), false);
      assert.equal(await verifyCachingSha2(stage2, newScramble(), response), false, "replay under another scramble");
      assert.equal(await verifyCachingSha2(stage2, scramble, new Uint8Array(0)), false);
      const tampered = response.slice();
      tampered[31]! ^= 0x80;
      assert.equal(await verifyCachingSha2(stage2, scramble, tampered), false);
    }
  });

  it("handles the empty password on both sides", async () => {
    const scramble = newScramble();
    const emptyResponse = await scrambleCachingSha2("", scramble);
    assert.equal(emptyResponse.length, 0);
    assert.equal(await verifyCachingSha2(await cachingSha2Stage2(""), scramble, emptyResponse), true);
    assert.equal(await verifyCachingSha2(await cachingSha2Stage2(""), scramble, await scrambleCachingSha2("pw", scramble)), false);
    assert.equal(await verifyCachingSha2(await cachingSha2Stage2("pw"), scramble, emptyResponse), false);
  });
});

describe("caching_sha2_password RSA exchange", () => {
  const nodeKeys = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const spkiPem = nodeKeys.publicKey.export({ type: "spki", format: "pem" }).toString();
  const pkcs1Pem = nodeKeys.publicKey.export({ type: "pkcs1", format: "pem" }).toString();

  function nodeDecrypt(ciphertext: Uint8Array, scramble: Uint8Array): Uint8Array {
    const masked = privateDecrypt({ key: nodeKeys.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING }, ciphertext);
    return nodeXor(new Uint8Array(masked), scramble);
  }

  it("encrypts (password + NUL) XOR scramble for SPKI and PKCS#1 keys", async () => {
    assert.match(pkcs1Pem, /^-----BEGIN RSA PUBLIC KEY-----/);
    for (const pem of [spkiPem, pkcs1Pem, pkcs1Pem.replace(/\n/g, "\r\n") + "\0"]) {
      for (const password of PASSWORDS) {
        const scramble = newScramble();
        const ciphertext = await encryptPassword(password, scramble, pem);
        assert.equal(ciphertext.length, 256);
        assert.deepEqual(nodeDecrypt(ciphertext, scramble), concatBytes(utf8(password), Uint8Array.of(0)));
      }
    }
  });

  it("rejects unusable keys and passwords too long for the key", async () => {
    const scramble = newScramble();
    await assert.rejects(encryptPassword("pw", scramble, "not a key"), SyntaxError);
    await assert.rejects(encryptPassword("pw", scramble, spkiPem.replace(/PUBLIC KEY/g, "CERTIFICATE")), SyntaxError);
    // 2048-bit OAEP-SHA1 carries at most 214 bytes: 213 password bytes plus the NUL.
    await encryptPassword("x".repeat(213), scramble, spkiPem);
    await assert.rejects(encryptPassword("x".repeat(214), scramble, spkiPem), RangeError);
  });

  it("generates a key pair whose PEM node:crypto accepts and whose private half decrypts", async () => {
    const keyPair = await RsaKeyPair.generate();
    assert.match(keyPair.publicKeyPem, /^-----BEGIN PUBLIC KEY-----\n([A-Za-z0-9+/=]{64}\n)+[A-Za-z0-9+/=]{1,64}\n-----END PUBLIC KEY-----\n$/);
    const publicKey = createPublicKey(keyPair.publicKeyPem);
    assert.equal(publicKey.asymmetricKeyType, "rsa");
    assert.equal(publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(publicKey.asymmetricKeyDetails?.publicExponent, 65537n);

    for (const password of PASSWORDS) {
      const scramble = newScramble();
      // What a MySQL client (libmysqlclient, mysql2) sends: node's default OAEP padding is SHA-1.
      const masked = nodeXor(concatBytes(utf8(password), Uint8Array.of(0)), scramble);
      const fromNode = publicEncrypt(keyPair.publicKeyPem, masked);
      assert.equal(await keyPair.decryptPassword(fromNode, scramble), password);
      assert.equal(await keyPair.decryptPassword(await encryptPassword(password, scramble, keyPair.publicKeyPem), scramble), password);
    }
  });

  it("refuses ciphertexts that don't decrypt or aren't NUL-terminated", async () => {
    const keyPair = await RsaKeyPair.generate(1024);
    const scramble = newScramble();
    const ciphertext = await encryptPassword("pw", scramble, keyPair.publicKeyPem);
    const tampered = ciphertext.slice();
    tampered[10]! ^= 1;
    await assert.rejects(keyPair.decryptPassword(tampered, scramble), /RSA decryption/);
    const otherScramble = scramble.slice();
    otherScramble[2]! ^= 1; // the byte that masks the NUL after "pw"
    await assert.rejects(keyPair.decryptPassword(ciphertext, otherScramble), /NUL-terminated/);
    const unterminated = publicEncrypt(keyPair.publicKeyPem, nodeXor(utf8("pw"), scramble));
    await assert.rejects(keyPair.decryptPassword(unterminated, scramble), /NUL-terminated/);
  });
});
