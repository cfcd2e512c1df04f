// Reading prom-client's metrics back as numbers: sums over matching series, histogram totals and
// quantiles, from the JSON of its documented `registry.getMetricsAsJSON()` / `metric.get()`.
import type { Registry } from 'prom-client';

export type Labels = Readonly<Record<string, string>>;

/** One metric as prom-client's `getMetricsAsJSON()` gives it. */
export type MetricJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>[number];
type SampleJson = MetricJson['values'][number];

export interface Series<V> {
  readonly labels: Labels;
  readonly value: V;
}

export interface HistogramValue {
  /** Per bucket (same order as the bounds), the number of observations in it, not cumulative. */
  readonly counts: number[];
  readonly sum: number;
  readonly count: number;
}

/** The series labels of a sample (a histogram's `le` left out), values as strings. */
export function labelsOf(sample: SampleJson): Labels {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(sample.labels)) if (k !== 'le' && v !== undefined) out[k] = String(v);
  return out;
}

/** A histogram sample's own name (`…_bucket`, `…_sum`, `…_count`); '' for a counter's or gauge's. */
function sampleName(sample: SampleJson): string {
  return 'metricName' in sample && typeof sample.metricName === 'string' ? sample.metricName : '';
}

export function matches(labels: Labels, match: Labels): boolean {
  for (const [k, v] of Object.entries(match)) if (labels[k] !== v) return false;
  return true;
}

/** Every series of a counter or gauge. */
export function seriesOf(metric: MetricJson | undefined): Array<Series<number>> {
  return (metric?.values ?? []).map((s) => ({ labels: labelsOf(s), value: s.value }));
}

/** Sum of a counter's or gauge's series whose labels include `match`. */
export function sumOf(metric: MetricJson | undefined, match: Labels = {}): number {
  let sum = 0;
  for (const s of metric?.values ?? []) if (matches(labelsOf(s), match)) sum += s.value;
  return sum;
}

/** Count and sum of a histogram over the series whose labels include `match`. */
export function histogramTotals(
  metric: MetricJson | undefined,
  match: Labels = {},
): { count: number; sum: number } {
  let count = 0;
  let sum = 0;
  for (const s of metric?.values ?? []) {
    const name = sampleName(s);
    if (!matches(labelsOf(s), match)) continue;
    if (name.endsWith('_count')) count += s.value;
    else if (name.endsWith('_sum')) sum += s.value;
  }
  return { count, sum };
}

/** A histogram's series with per-bucket counts (prom-client exposes cumulative `_bucket` samples). */
export function histogramSeries(metric: MetricJson | undefined): Array<Series<HistogramValue>> {
  const byKey = new Map<string, { labels: Labels; cumulative: number[]; sum: number; count: number }>();
  for (const s of metric?.values ?? []) {
    const labels = labelsOf(s);
    const key = JSON.stringify(labels);
    let entry = byKey.get(key);
    if (!entry) byKey.set(key, (entry = { labels, cumulative: [], sum: 0, count: 0 }));
    const name = sampleName(s);
    if (name.endsWith('_bucket')) {
      if (s.labels.le !== '+Inf') entry.cumulative.push(s.value);
    } else if (name.endsWith('_sum')) entry.sum = s.value;
    else if (name.endsWith('_count')) entry.count = s.value;
  }
  return [...byKey.values()].map(({ labels, cumulative, sum, count }) => ({
    labels,
    value: { counts: cumulative.map((c, i) => c - (cumulative[i - 1] ?? 0)), sum, count },
  }));
}

/**
 * The q-quantile (0–1) of a histogram over all its series, estimated from its buckets as Prometheus's
 * `histogram_quantile` does: linear within the bucket holding rank q·count, from 0 below the first
 * bound; above the last finite bound, that bound. 0 with no observations.
 */
export function histogramQuantile(metric: MetricJson | undefined, q: number): number {
  const cumulative = new Map<number, number>(); // upper bound → observations ≤ it, summed over series
  let count = 0;
  for (const s of metric?.values ?? []) {
    const name = sampleName(s);
    if (name.endsWith('_count')) count += s.value;
    if (!name.endsWith('_bucket') || s.labels.le === '+Inf' || s.labels.le === undefined) continue;
    const le = Number(s.labels.le);
    cumulative.set(le, (cumulative.get(le) ?? 0) + s.value);
  }
  if (count === 0) return 0;
  const rank = Math.min(1, Math.max(0, q)) * count;
  let lower = 0;
  let below = 0;
  for (const [le, c] of [...cumulative].sort((a, b) => a[0] - b[0])) {
    if (c > 0 && c >= rank) return lower + ((le - lower) * (rank - below)) / (c - below);
    lower = le;
    below = c;
  }
  return lower; // in the +Inf bucket: the last finite bound
}
