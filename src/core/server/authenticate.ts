import { CACHING_SHA2_FAST_AUTH_SUCCESS, CACHING_SHA2_PERFORM_FULL_AUTH, CACHING_SHA2_REQUEST_PUBLIC_KEY, verifyCachingSha2 } from "../auth/caching-sha2.ts";
import { constantTimeEqual, sha256, utf8 } from "../auth/digest.ts";
import { verifyNativePassword } from "../auth/native-password.ts";
import type { RsaKeyPair } from "../auth/rsa.ts";
import { newScramble } from "../auth/scramble.ts";
import { MySqlError } from "../errors.ts";
import { encodeAuthMoreData, encodeAuthSwitchRequest } from "../protocol/auth-switch.ts";
import { decodeUtf8, encodeUtf8 } from "../protocol/bytes.ts";
import type { PacketIO } from "../protocol/packet-channel.ts";
import type { AuthPlugin, AuthUser, UserDirectory } from "./user-directory.ts";

export interface AuthRequest {
  user: string;
  /** The plugin the client's first answer was computed with. */
  clientPlugin: string;
  authResponse: Uint8Array;
  scramble: Uint8Array;
  /** Sequence id of the client packet that carried `authResponse`. */
  sequenceId: number;
}

export interface AuthEnvironment {
  users: UserDirectory;
  remoteHost: string;
  secure: boolean;
  /** Behave like a MySQL server whose caching_sha2 cache is empty: always take the full path. */
  cachingSha2FullAuth: boolean;
  rsaKeyPair(): Promise<RsaKeyPair>;
}

export type AuthResult =
  | { user: AuthUser; error?: undefined; nextSequenceId: number }
  | { user?: undefined; error: MySqlError; nextSequenceId: number };

function accessDenied(user: string, host: string, usedPassword: boolean): MySqlError {
  return MySqlError.of("ACCESS_DENIED", `Access denied for user '${user}'@'${host}' (using password: ${usedPassword ? "YES" : "NO"})`);
}

/**
 * Runs the authentication exchange after the HandshakeResponse (or COM_CHANGE_USER): an AuthSwitchRequest
 * when the client answered with another plugin than the user's, then the user's plugin's own steps.
 * Resolves with the user, or with error 1045 and the sequence id the caller's ERR must carry.
 */
export async function authenticate(channel: PacketIO, request: AuthRequest, env: AuthEnvironment): Promise<AuthResult> {
  let seq = request.sequenceId;
  let data = request.authResponse;
  let scramble = request.scramble;
  const user = env.users.get(request.user);
  if (!user) return { error: accessDenied(request.user, env.remoteHost, data.length > 0), nextSequenceId: seq + 1 };
  const send = (payload: Uint8Array) => channel.write(payload, ++seq);
  const receive = async () => {
    const packet = await channel.next();
    seq = packet.sequenceId;
    return packet.payload;
  };
  if (request.clientPlugin !== user.plugin) {
    scramble = newScramble();
    send(encodeAuthSwitchRequest({ pluginName: user.plugin, pluginData: scramble }));
    data = await receive();
  }
  const ok = await verify(user.plugin, user, data, scramble, env, send, receive);
  if (!ok) return { error: accessDenied(request.user, env.remoteHost, data.length > 0), nextSequenceId: seq + 1 };
  return { user, nextSequenceId: seq + 1 };
}

async function verify(
  plugin: AuthPlugin,
  user: AuthUser,
  data: Uint8Array,
  scramble: Uint8Array,
  env: AuthEnvironment,
  send: (payload: Uint8Array) => void,
  receive: () => Promise<Uint8Array>,
): Promise<boolean> {
  if (plugin === "mysql_native_password") return verifyNativePassword(user.nativeStage2, scramble, data);
  const stage2 = user.sha2Stage2!;
  if (stage2.length === 0) return data.length === 0;
  if (data.length === 0) return false;
  // Fast path: the gateway always knows SHA256(SHA256(password)), so its "cache" is never cold.
  if (!env.cachingSha2FullAuth) {
    if (!(await verifyCachingSha2(stage2, scramble, data))) return false;
    send(encodeAuthMoreData(Uint8Array.of(CACHING_SHA2_FAST_AUTH_SUCCESS)));
    return true;
  }
  // Full path: the password itself, over TLS in clear, otherwise RSA-encrypted with our public key.
  send(encodeAuthMoreData(Uint8Array.of(CACHING_SHA2_PERFORM_FULL_AUTH)));
  let answer = await receive();
  let password: string;
  if (env.secure) {
    password = decodeUtf8(answer[answer.length - 1] === 0 ? answer.subarray(0, answer.length - 1) : answer);
  } else {
    if (answer.length === 1 && answer[0] === CACHING_SHA2_REQUEST_PUBLIC_KEY) {
      const keys = await env.rsaKeyPair();
      send(encodeAuthMoreData(encodeUtf8(keys.publicKeyPem)));
      answer = await receive();
    } else if (answer.length !== 256 && answer.length !== 512) {
      // A cleartext password over a plain connection: refuse, as mysqld does.
      return false;
    }
    try {
      password = await (await env.rsaKeyPair()).decryptPassword(answer, scramble);
    } catch {
      return false;
    }
  }
  return constantTimeEqual(await sha256(await sha256(utf8(password))), stage2);
}
