import type { KeyRange } from "./types.ts";

/**
 * Vitess shard names are key ranges written as `start-end` in hex, either side empty for unbounded.
 * `-` and the legacy `0` both name the full range (Vitess `key.ParseShardingSpec` /
 * `key.KeyRangeIsComplete`).
 */
export function parseShardName(name: string): KeyRange {
  if (name === "-" || name === "0") return { start: new Uint8Array(0), end: new Uint8Array(0) };
  const parts = name.split("-");
  if (parts.length !== 2) {
    throw new Error(`invalid shard name "${name}": expected a key range "start-end" in hex (e.g. "-80", "80-"), "-" or "0"`);
  }
  const [startHex = "", endHex = ""] = parts;
  const start = decodeHex(startHex, name, "start");
  const end = decodeHex(endHex, name, "end");
  if (start.length > 0 && end.length > 0 && compareBytes(start, end) >= 0) {
    throw new Error(`invalid shard name "${name}": start must be below end`);
  }
  return { start, end };
}

/** `[start, end)`, compared byte-wise like Go's `bytes.Compare` (Vitess `key.KeyRangeContains`). */
export function keyRangeContains(range: KeyRange, keyspaceId: Uint8Array): boolean {
  if (range.start.length > 0 && compareBytes(keyspaceId, range.start) < 0) return false;
  if (range.end.length > 0 && compareBytes(keyspaceId, range.end) >= 0) return false;
  return true;
}

/**
 * Checks that the ranges partition the whole key space: sorted by start, the first starts unbounded,
 * each ends exactly where the next starts, the last ends unbounded. Returns a message describing
 * the first gap or overlap, or undefined when the coverage is exact.
 *
 * Ends and starts must be byte-equal: `-80` followed by `8000-` is a gap, because keyspace id
 * `0x80` (a one-byte id from e.g. the `binary` vindex) sorts between them.
 */
export function checkFullCoverage(ranges: readonly { name: string; range: KeyRange }[]): string | undefined {
  if (ranges.length === 0) return "no shards: the key range is not covered";
  // An empty (unbounded) start is the minimum, which plain byte order already gives.
  const sorted = [...ranges].sort((a, b) => compareBytes(a.range.start, b.range.start));
  const first = sorted[0]!;
  if (first.range.start.length > 0) {
    return `key range gap: no shard covers keyspace ids below ${hex(first.range.start)} (first shard is "${first.name}")`;
  }
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const next = sorted[i]!;
    if (prev.range.end.length === 0) {
      return `key range overlap: shards "${prev.name}" and "${next.name}" overlap`;
    }
    const order = compareBytes(prev.range.end, next.range.start);
    if (order < 0) {
      return `key range gap: no shard covers ${hex(prev.range.end)}-${hex(next.range.start)} (between shards "${prev.name}" and "${next.name}")`;
    }
    if (order > 0) {
      return `key range overlap: shards "${prev.name}" and "${next.name}" overlap`;
    }
  }
  const last = sorted[sorted.length - 1]!;
  if (last.range.end.length > 0) {
    return `key range gap: no shard covers keyspace ids from ${hex(last.range.end)} up (last shard is "${last.name}")`;
  }
  return undefined;
}

/** Go's `bytes.Compare`: lexicographic, a proper prefix sorts first. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function decodeHex(text: string, name: string, side: string): Uint8Array {
  if (!/^[0-9A-Fa-f]*$/.test(text)) {
    throw new Error(`invalid shard name "${name}": ${side} "${text}" is not hex`);
  }
  if (text.length % 2 !== 0) {
    throw new Error(`invalid shard name "${name}": ${side} "${text}" has an odd number of hex digits`);
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}
