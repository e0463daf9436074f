/** What one measured run produced, whichever driver ran it. */
export interface RunResult {
  queries: number;
  seconds: number;
  qps: number;
  avgMs: number;
  p95Ms: number;
  p99Ms: number;
  errors: number;
}

/**
 * Nearest-rank percentile over a latency histogram (value -> count, values ascending): the
 * smallest value whose cumulative count reaches pct% of the total (sysbench's own definition).
 */
export function histogramPercentile(buckets: readonly (readonly [number, number])[], pct: number): number {
  const total = buckets.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return NaN;
  const rank = Math.ceil((pct / 100) * total);
  let seen = 0;
  for (const [value, count] of buckets) {
    seen += count;
    if (seen >= rank) return value;
  }
  return buckets[buckets.length - 1]?.[0] ?? NaN;
}

/** Nearest-rank percentile of raw samples; sorts `samples` in place. */
export function samplePercentiles(samples: Float64Array, pcts: readonly number[]): number[] {
  samples.sort();
  return pcts.map((pct) => {
    if (samples.length === 0) return NaN;
    const rank = Math.max(1, Math.ceil((pct / 100) * samples.length));
    return samples[rank - 1] ?? NaN;
  });
}

/** A run's figures from its per-query latencies (ms) over `seconds` of measuring. */
export function summarizeSamples(samples: readonly number[], seconds: number): RunResult {
  const latencies = Float64Array.from(samples);
  const sum = latencies.reduce((a, b) => a + b, 0);
  const [p95Ms = NaN, p99Ms = NaN] = samplePercentiles(latencies, [95, 99]);
  return {
    queries: samples.length,
    seconds,
    qps: samples.length / seconds,
    avgMs: samples.length === 0 ? NaN : sum / samples.length,
    p95Ms,
    p99Ms,
    // The first error aborts a run, as in sysbench.
    errors: 0,
  };
}
