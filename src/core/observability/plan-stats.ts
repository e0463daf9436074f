/** What one statement did, as the command loop reports it once the statement has finished. */
export interface StatementRecord {
  digest: string;
  /** The keyspace it ran in; "" when the gateway answered alone without one. */
  keyspace: string;
  /** How it was executed: Passthrough (sent whole to one shard), Gateway (answered here), Set, Transaction, … */
  plan: string;
  shards: readonly string[];
  durationMs: number;
  /** MySQL error code of a failed statement. */
  errorCode: number | undefined;
}

export interface PlanEntry {
  digest: string;
  keyspace: string;
  plan: string;
  hits: number;
  errors: number;
  meanMs: number;
  p99Ms: number;
  shards: string[];
}

const SAMPLES = 512;

class Entry {
  hits = 0;
  errors = 0;
  totalMs = 0;
  readonly recent = new Float64Array(SAMPLES);
  readonly shards = new Set<string>();
  constructor(
    readonly digest: string,
    readonly keyspace: string,
    readonly plan: string,
  ) {}
}

/**
 * Statistics per statement digest, the gateway's view of its plans: how often each ran, how long it
 * took (mean, and p99 over the last 512 runs), which shards it touched. Bounded: the least recently
 * used digests make room for new ones.
 */
export class PlanStats {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity = 2000) {}

  /** Records a run; returns whether the digest was already known (a plan cache hit). */
  record(record: StatementRecord): boolean {
    const key = `${record.keyspace}\u0000${record.digest}`;
    let entry = this.entries.get(key);
    const known = entry !== undefined;
    if (entry) {
      this.entries.delete(key);
    } else {
      entry = new Entry(record.digest, record.keyspace, record.plan);
      if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, entry);
    entry.recent[entry.hits % SAMPLES] = record.durationMs;
    entry.hits++;
    entry.totalMs += record.durationMs;
    if (record.errorCode !== undefined) entry.errors++;
    for (const shard of record.shards) entry.shards.add(shard);
    return known;
  }

  /** Drops what a reload may have changed: everything that ran in these keyspaces. */
  forgetKeyspaces(keyspaces: ReadonlySet<string>): void {
    for (const [key, entry] of this.entries) if (keyspaces.has(entry.keyspace)) this.entries.delete(key);
  }

  list(): PlanEntry[] {
    return [...this.entries.values()]
      .map((e) => {
        const samples = [...e.recent.subarray(0, Math.min(e.hits, SAMPLES))].sort((a, b) => a - b);
        const p99 = samples[Math.min(samples.length - 1, Math.ceil(samples.length * 0.99) - 1)] ?? 0;
        return {
          digest: e.digest,
          keyspace: e.keyspace,
          plan: e.plan,
          hits: e.hits,
          errors: e.errors,
          meanMs: e.totalMs / e.hits,
          p99Ms: p99,
          shards: [...e.shards].sort(),
        };
      })
      .sort((a, b) => b.hits - a.hits);
  }
}
