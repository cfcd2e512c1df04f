// Counters, gauges and histograms kept as plain numbers: cheap to update on the task path, read by the
// JSON view (/metrics) and exposed in Prometheus text through prom-client (prometheus.ts).

export type Labels = Readonly<Record<string, string>>;

interface Series<V> {
  readonly labels: Labels;
  value: V;
}

/** Label values in the declared order, as a map key (no intermediate arrays: this runs per task). */
function keyOf(labelNames: readonly string[], labels: Labels): string {
  let key = '';
  for (let i = 0; i < labelNames.length; i++) key += (i ? '\u0000' : '') + (labels[labelNames[i]!] ?? '');
  return key;
}

abstract class Family<V> {
  readonly #series = new Map<string, Series<V>>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  protected abstract initial(): V;

  /** The one series of a family without labels, once created. */
  #only?: Series<V>;

  protected series(labels: Labels): Series<V> {
    if (this.#only) return this.#only;
    const key = keyOf(this.labelNames, labels);
    let s = this.#series.get(key);
    if (!s) {
      const own: Record<string, string> = {};
      for (const n of this.labelNames) own[n] = labels[n] ?? '';
      s = { labels: own, value: this.initial() };
      this.#series.set(key, s);
      if (this.labelNames.length === 0) this.#only = s;
    }
    return s;
  }

  /** Every labelled series recorded so far. */
  all(): Array<Series<V>> {
    return [...this.#series.values()];
  }
}

export class CounterFamily extends Family<number> {
  readonly type = 'counter';
  protected initial(): number {
    return 0;
  }
  inc(labels: Labels = {}, by = 1): void {
    this.series(labels).value += by;
  }
  /** Sum over the series whose labels include `match`. */
  total(match: Labels = {}): number {
    let sum = 0;
    for (const s of this.all()) if (matches(s.labels, match)) sum += s.value;
    return sum;
  }
}

/** A gauge read when collected (in-flight tasks, connection state). */
export class GaugeFamily {
  readonly type = 'gauge';
  constructor(
    readonly name: string,
    readonly help: string,
    readonly read: () => number,
  ) {}
}

export interface HistogramValue {
  /** Per bucket (same order as `buckets`), the number of observations ≤ its bound, not cumulative. */
  readonly counts: number[];
  sum: number;
  count: number;
}

/** Recent observations kept per family for the JSON view's percentiles. */
const RECENT = 1024;

export class HistogramFamily extends Family<HistogramValue> {
  readonly type = 'histogram';
  readonly #recent: number[] = [];
  #next = 0;

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    /** Upper bounds, ascending (the +Inf bucket is implicit). */
    readonly buckets: readonly number[],
  ) {
    super(name, help, labelNames);
  }

  protected initial(): HistogramValue {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }

  observe(labels: Labels, value: number): void {
    if (!Number.isFinite(value)) return; // a NaN would poison the sum for good
    const s = this.series(labels).value;
    const i = this.buckets.findIndex((b) => value <= b);
    if (i >= 0) s.counts[i]!++;
    s.sum += value;
    s.count++;
    if (this.#recent.length < RECENT) this.#recent.push(value);
    else this.#recent[this.#next] = value;
    this.#next = (this.#next + 1) % RECENT;
  }

  /** The q-quantile (0–1, nearest rank) of the last observations of every series, or 0 with none. */
  quantile(q: number): number {
    if (this.#recent.length === 0) return 0;
    const sorted = [...this.#recent].sort((a, b) => a - b);
    const rank = Math.ceil(q * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
  }

  /** Count and sum over the series whose labels include `match`. */
  totals(match: Labels = {}): { count: number; sum: number } {
    let count = 0;
    let sum = 0;
    for (const s of this.all()) {
      if (!matches(s.labels, match)) continue;
      count += s.value.count;
      sum += s.value.sum;
    }
    return { count, sum };
  }
}

function matches(labels: Labels, match: Labels): boolean {
  for (const [k, v] of Object.entries(match)) if (labels[k] !== v) return false;
  return true;
}

export type AnyFamily = CounterFamily | GaugeFamily | HistogramFamily;
