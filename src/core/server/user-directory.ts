import { cachingSha2Stage2 } from "../auth/caching-sha2.ts";
import { nativePasswordHash, nativePasswordStage2 } from "../auth/native-password.ts";
import type { UserConfig } from "../config/types.ts";

export type AuthPlugin = "mysql_native_password" | "caching_sha2_password";

/** A configured user with the password digests its plugins verify against, computed once. */
export interface AuthUser {
  config: UserConfig;
  plugin: AuthPlugin;
  /** SHA1(SHA1(password)); empty for an empty password. */
  nativeStage2: Uint8Array;
  /** SHA256(SHA256(password)); absent when only a native hash is configured. */
  sha2Stage2: Uint8Array | undefined;
}

export class UserDirectory {
  private constructor(private readonly users: Map<string, AuthUser>) {}

  static async build(users: readonly UserConfig[]): Promise<UserDirectory> {
    const map = new Map<string, AuthUser>();
    for (const config of users) {
      const hash = config.passwordHash ?? (await nativePasswordHash(config.password ?? ""));
      const nativeStage2 = nativePasswordStage2(hash);
      const sha2Stage2 = config.password === undefined ? undefined : await cachingSha2Stage2(config.password);
      // Only a native hash is known: caching_sha2_password can't verify it, so the user is a native one.
      const plugin: AuthPlugin = config.authPlugin ?? (sha2Stage2 ? "caching_sha2_password" : "mysql_native_password");
      map.set(config.user, { config, plugin, nativeStage2, sha2Stage2 });
    }
    return new UserDirectory(map);
  }

  get(user: string): AuthUser | undefined {
    return this.users.get(user);
  }

  /** Keyspaces the user may use, in config order. */
  static keyspacesOf(user: UserConfig, allKeyspaces: readonly string[]): string[] {
    return user.keyspaces ? allKeyspaces.filter((name) => user.keyspaces!.includes(name)) : [...allKeyspaces];
  }
}
