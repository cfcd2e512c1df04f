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

export class CounterFamily {
  readonly type = 'counter';
  readonly metric: Counter;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    this.metric = new Counter({ name, help, labelNames: [...labelNames], registers: [] });
  }

  /** Add `by` (default 1). A negative or non-finite amount (e.g. a provider's bogus token count) is ignored. */
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0 && by < Infinity)) return; // prom-client throws on a negative and would add a NaN
    if (this.labelNames.length === 0) this.metric.inc(by);
    else this.metric.inc(own(this.labelNames, labels), by);
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

export type AnyFamily = CounterFamily | GaugeFamily | HistogramFamily;
