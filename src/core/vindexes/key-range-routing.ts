import { keyRangeContains } from "../config/key-range.ts";
import type { KeyRange } from "../config/types.ts";

export interface RoutableShard {
  readonly name: string;
  readonly keyRange: KeyRange;
}

/**
 * Vitess `key.Normalize`: trailing zero bytes carry no order, so `-80`, `00-80` and `0000-8000` are
 * one range and an all-zero bound is unbounded. The result shares the input's buffer.
 */
export function normalizeKeyspaceId(id: Uint8Array): Uint8Array {
  let end = id.length;
  while (end > 0 && id[end - 1] === 0) end--;
  return end === id.length ? id : id.subarray(0, end);
}

/**
 * Vitess `key.KeyRangeContains`: start inclusive, end exclusive, an empty bound unbounded, compared
 * byte-wise (a proper prefix first) after dropping trailing zero bytes from the id and both bounds.
 * For 8-byte ids and bounds of at most 8 bytes this is exactly the plain byte comparison of
 * `config/key-range.ts`; the normalization only matters for shorter ids (e.g. from `binary`).
 */
export function vitessKeyRangeContains(range: KeyRange, keyspaceId: Uint8Array): boolean {
  return keyRangeContains(
    { start: normalizeKeyspaceId(range.start), end: normalizeKeyspaceId(range.end) },
    normalizeKeyspaceId(keyspaceId),
  );
}

/** The shard whose key range holds the keyspace id, or undefined when none does (a gap in the layout). */
export function shardForKeyspaceId<T extends RoutableShard>(shards: readonly T[], keyspaceId: Uint8Array): T | undefined {
  for (const shard of shards) if (vitessKeyRangeContains(shard.keyRange, keyspaceId)) return shard;
  return undefined;
}
