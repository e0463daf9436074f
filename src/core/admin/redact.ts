/** Passwords never leave the gateway: backend URLs are shown with `****` in place of the password. */
export function redactBackendUrl(url: string): string {
  return url.replace(/^(mysql:\/\/[^:@/]*):[^@/]*@/, "$1:****@");
}

/** A topology section (keyspace → shard → backends) with every URL redacted. */
export function redactTopology(topology: unknown): unknown {
  if (typeof topology !== "object" || topology === null) return topology;
  const out: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const [keyspace, shards] of Object.entries(topology as Record<string, Record<string, Record<string, unknown>>>)) {
    out[keyspace] = {};
    for (const [shard, backends] of Object.entries(shards ?? {})) {
      out[keyspace]![shard] = Object.fromEntries(
        Object.entries(backends ?? {}).map(([role, url]) => [role, typeof url === "string" ? redactBackendUrl(url) : url]),
      );
    }
  }
  return out;
}
