// The metric families an agent records into: prom-client's Counter, Gauge and Histogram (the one
// store, read by both /metrics views). Each family is created unregistered; AgentMetrics registers
// it in the agent's own Registry. Reads use prom-client's documented `get()` (metrics-view.ts).
import { Counter, Gauge, Histogram } from 'prom-client';

import {
  histogramQuantile,
  histogramSeries,
  histogramTotals,
  seriesOf,
  sumOf,
  type HistogramValue,
  type Labels,
  type Series,
} from './metrics-view.js';

export type { HistogramValue, Labels, Series } from './metrics-view.js';

/**
 * Exactly the declared labels, a missing one as "" (prom-client throws on an undeclared label, and
 * would count a missing one as a series of its own). Runs per task.
 */
function own(labelNames: readonly string[], labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of labelNames) out[n] = labels[n] ?? '';
  return out;
}

/** One label set's count since prom-client last collected it. */
interface PendingSeries {
  readonly labels: Record<string, string>;
  count: number;
  /** Handed to prom-client at least once (a series counted by 0 still shows, as with inc(0)). */
  shown: boolean;
}

/**
 * Counts kept here, per label set, until prom-client collects the family (any read: /metrics, the
 * JSON view, `all()`). A task adds to about ten labelled counters; prom-client builds and checks a
 * label string at each of those (~0.3 µs), while this costs a Map lookup per label. The label sets
 * are the ones prom-client keeps anyway (every value comes from our code, not from the wire).
 */
class PendingCounts {
  /** One Map level per label, keyed by its value; a PendingSeries at the last level. */
  readonly #tree = new Map<string, unknown>();
  readonly #series: PendingSeries[] = [];

  constructor(private readonly labelNames: readonly string[]) {}

  add(labels: Labels, by: number): void {
    const names = this.labelNames;
    let node = this.#tree;
    for (let i = 0; i < names.length - 1; i++) {
      const value = labels[names[i]!] ?? '';
      let next = node.get(value) as Map<string, unknown> | undefined;
      if (next === undefined) node.set(value, (next = new Map()));
      node = next;
    }
    const last = labels[names[names.length - 1]!] ?? '';
    let series = node.get(last) as PendingSeries | undefined;
    if (series === undefined) {
      series = { labels: own(names, labels), count: 0, shown: false };
      node.set(last, series);
      this.#series.push(series);
    }
    series.count += by;
  }

  /** Hand what was counted since the last call to `counter`. */
  flushInto(counter: Counter): void {
    for (const s of this.#series) {
      if (s.count === 0 && s.shown) continue;
      counter.inc(s.labels, s.count);
      s.count = 0;
      s.shown = true;
    }
  }
}

export class CounterFamily {
  readonly type = 'counter';
  readonly metric: Counter;
  readonly #pending: PendingCounts | undefined;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    const pending = labelNames.length > 0 ? new PendingCounts(labelNames) : undefined;
    this.#pending = pending;
    this.metric = new Counter({
      name,
      help,
      labelNames: [...labelNames],
      registers: [],
      ...(pending && {
        collect(this: Counter) {
          pending.flushInto(this);
        },
      }),
    });
  }

  /** Add `by` (default 1). A negative or non-finite amount (e.g. a provider's bogus token count) is ignored. */
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0 && by < Infinity)) return; // prom-client throws on a negative and would add a NaN
    if (this.#pending) this.#pending.add(labels, by);
    else this.metric.inc(by);
  }

  /** Every series recorded so far (a family without labels always has its one series). */
  async all(): Promise<Array<Series<number>>> {
    return seriesOf(await this.metric.get());
  }

  /** Sum over the series whose labels include `match`. */
  async total(match: Labels = {}): Promise<number> {
    return sumOf(await this.metric.get(), match);
  }
}

/** A gauge read from `read` when collected (in-flight tasks, connection state). */
export class GaugeFamily {
  readonly type = 'gauge';
  readonly metric: Gauge;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly read: () => number,
  ) {
    this.metric = new Gauge({
      name,
      help,
      registers: [],
      collect() {
        this.set(read());
      },
    });
  }
}

/** A labelled gauge whose series are read from `read` when collected (one per MCP server); others vanish. */
export class GaugeSeriesFamily {
  readonly type = 'gauge';
  readonly metric: Gauge;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    readonly read: () => ReadonlyArray<Series<number>>,
  ) {
    this.metric = new Gauge({
      name,
      help,
      labelNames: [...labelNames],
      registers: [],
      collect() {
        this.reset(); // a series not read now (a server of an older generation) is not shown
        for (const s of read()) this.set(own(labelNames, s.labels), s.value);
      },
    });
  }
}

export class HistogramFamily {
  readonly type = 'histogram';
  readonly metric: Histogram;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    /** Upper bounds, ascending (the +Inf bucket is implicit). */
    readonly buckets: readonly number[],
  ) {
    this.metric = new Histogram({
      name,
      help,
      labelNames: [...labelNames],
      buckets: [...buckets],
      registers: [],
    });
  }

  /** Record one value; a NaN or infinity is ignored (it would poison the sum for good). */
  observe(labels: Labels, value: number): void {
    if (!Number.isFinite(value)) return;
    if (this.labelNames.length === 0) this.metric.observe(value);
    else this.metric.observe(own(this.labelNames, labels), value);
  }

  /** Every labelled series recorded so far, with per-bucket (not cumulative) counts. */
  async all(): Promise<Array<Series<HistogramValue>>> {
    return histogramSeries(await this.metric.get());
  }

  /** Count and sum over the series whose labels include `match`. */
  async totals(match: Labels = {}): Promise<{ count: number; sum: number }> {
    return histogramTotals(await this.metric.get(), match);
  }

  /** The q-quantile (0–1) over every series, estimated from the buckets (see histogramQuantile). */
  async quantile(q: number): Promise<number> {
    return histogramQuantile(await this.metric.get(), q);
  }
}

export type AnyFamily = CounterFamily | GaugeFamily | GaugeSeriesFamily | HistogramFamily;
