/**
 * A small metrics registry rendered in the Prometheus text exposition format (version 0.0.4):
 * counters, gauges and histograms with labels. Gauges that mirror live state are collected on scrape.
 */
type Labels = Record<string, string | number>;

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys.map((k) => `${k}="${String(labels[k]).replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')}"`).join(",");
}

function braces(key: string): string {
  return key === "" ? "" : `{${key}}`;
}

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: "counter" | "gauge" | "histogram",
  ) {}
  abstract samples(): string[];
  render(): string {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`, ...this.samples()].join("\n");
  }
}

export class Counter extends Metric {
  private readonly values = new Map<string, number>();
  constructor(name: string, help: string) {
    super(name, help, "counter");
  }
  inc(labels: Labels = {}, by = 1): void {
    this.series(labels).inc(by);
  }
  /** A handle to one labelled series, for callers that count the same labels on every statement. */
  series(labels: Labels): { inc(by?: number): void } {
    const key = labelKey(labels);
    return { inc: (by = 1) => this.values.set(key, (this.values.get(key) ?? 0) + by) };
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  samples(): string[] {
    return [...this.values].map(([key, value]) => `${this.name}${braces(key)} ${value}`);
  }
}

export class Gauge extends Metric {
  constructor(
    name: string,
    help: string,
    private readonly collect: () => { labels: Labels; value: number }[],
  ) {
    super(name, help, "gauge");
  }
  samples(): string[] {
    return this.collect().map(({ labels, value }) => `${this.name}${braces(labelKey(labels))} ${value}`);
  }
}

/** Latency buckets in seconds, from 100 µs (a proxy hop) to 10 s. */
export const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Histogram extends Metric {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    name: string,
    help: string,
    private readonly buckets = LATENCY_BUCKETS,
  ) {
    super(name, help, "histogram");
  }
  observe(labels: Labels, value: number): void {
    this.handle(labels).observe(value);
  }
  /** A handle to one labelled series (see Counter.series). */
  handle(labels: Labels): { observe(value: number): void } {
    const key = labelKey(labels);
    let entry = this.series.get(key);
    if (!entry) this.series.set(key, (entry = { counts: new Array(this.buckets.length).fill(0), sum: 0, count: 0 }));
    const series = entry;
    return {
      observe: (value) => {
        for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) series.counts[i]!++;
        series.sum += value;
        series.count++;
      },
    };
  }
  samples(): string[] {
    const lines: string[] = [];
    for (const [key, { counts, sum, count }] of this.series) {
      const prefix = key === "" ? "" : `${key},`;
      this.buckets.forEach((bound, i) => lines.push(`${this.name}_bucket{${prefix}le="${bound}"} ${counts[i]}`));
      lines.push(`${this.name}_bucket{${prefix}le="+Inf"} ${count}`);
      lines.push(`${this.name}_sum${braces(key)} ${sum}`);
      lines.push(`${this.name}_count${braces(key)} ${count}`);
    }
    return lines;
  }
}

export class MetricsRegistry {
  private readonly metrics: Metric[] = [];

  register<T extends Metric>(metric: T): T {
    this.metrics.push(metric);
    return metric;
  }

  render(): string {
    return this.metrics.map((m) => m.render()).join("\n") + "\n";
  }
}
