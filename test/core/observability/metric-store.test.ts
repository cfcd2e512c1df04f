import { describe, expect, it } from 'vitest';

import { CounterFamily, GaugeFamily, HistogramFamily } from '../../../src/core/observability/metric-store.js';

describe('CounterFamily', () => {
  it('keeps one series per label combination, with its labels in the declared order', () => {
    const c = new CounterFamily('x_total', 'help', ['outcome', 'code']);
    c.inc({ code: 'E1', outcome: 'failed' });
    c.inc({ outcome: 'failed', code: 'E1' });
    c.inc({ outcome: 'responded', code: '' });
    const all = c.all();
    expect(all).toHaveLength(2);
    expect(all[0]!.value).toBe(2);
    expect(Object.keys(all[0]!.labels)).toEqual(['outcome', 'code']);
    expect(all[0]!.labels).toEqual({ outcome: 'failed', code: 'E1' });
    expect(all[1]).toEqual({ labels: { outcome: 'responded', code: '' }, value: 1 });
  });

  it('records a missing label as "" (the same series as an explicit "")', () => {
    const c = new CounterFamily('x_total', 'help', ['outcome', 'code']);
    c.inc({ outcome: 'responded' });
    c.inc({ outcome: 'responded', code: '' });
    expect(c.all()).toEqual([{ labels: { outcome: 'responded', code: '' }, value: 2 }]);
  });

  it('ignores labels that were not declared', () => {
    const c = new CounterFamily('x_total', 'help', ['tool']);
    c.inc({ tool: 'echo', extra: 'dropped' });
    expect(c.all()).toEqual([{ labels: { tool: 'echo' }, value: 1 }]);
  });

  it('has a single unlabelled series when no labels are declared', () => {
    const c = new CounterFamily('x_total', 'help', []);
    c.inc();
    c.inc({});
    expect(c.all()).toEqual([{ labels: {}, value: 2 }]);
    expect(c.total()).toBe(2);
  });

  it('increments by n when given', () => {
    const c = new CounterFamily('tokens_total', 'help', ['direction']);
    c.inc({ direction: 'input' }, 120);
    c.inc({ direction: 'input' }, 30);
    c.inc({ direction: 'input' });
    expect(c.total({ direction: 'input' })).toBe(151);
  });

  it('has no series and a total of 0 before anything is counted', () => {
    const c = new CounterFamily('x_total', 'help', ['a']);
    expect(c.all()).toEqual([]);
    expect(c.total()).toBe(0);
    expect(c.total({ a: 'x' })).toBe(0);
  });

  it('totals the series whose labels include every label of the match', () => {
    const c = new CounterFamily('llm_total', 'help', ['provider', 'model', 'outcome']);
    c.inc({ provider: 'openai', model: 'gpt', outcome: 'ok' }, 3);
    c.inc({ provider: 'openai', model: 'gpt', outcome: 'error' }, 1);
    c.inc({ provider: 'openai', model: 'mini', outcome: 'ok' }, 5);
    c.inc({ provider: 'anthropic', model: 'claude', outcome: 'ok' }, 7);
    expect(c.total()).toBe(16);
    expect(c.total({ outcome: 'ok' })).toBe(15);
    expect(c.total({ provider: 'openai' })).toBe(9);
    expect(c.total({ provider: 'openai', outcome: 'ok' })).toBe(8);
    expect(c.total({ provider: 'openai', model: 'gpt', outcome: 'error' })).toBe(1);
    expect(c.total({ provider: 'nobody' })).toBe(0);
    // A label the family does not have matches nothing.
    expect(c.total({ region: 'eu' })).toBe(0);
  });

  it('matches a missing label with ""', () => {
    const c = new CounterFamily('x_total', 'help', ['outcome', 'code']);
    c.inc({ outcome: 'responded' });
    c.inc({ outcome: 'failed', code: 'E1' });
    expect(c.total({ code: '' })).toBe(1);
  });

  it('exposes its name, help, label names and type', () => {
    const c = new CounterFamily('x_total', 'Things', ['a', 'b']);
    expect([c.name, c.help, c.labelNames, c.type]).toEqual(['x_total', 'Things', ['a', 'b'], 'counter']);
  });
});

describe('HistogramFamily', () => {
  const BUCKETS = [0.1, 0.5, 1];

  it('counts an observation in the first bucket whose bound it does not exceed (not cumulative)', () => {
    const h = new HistogramFamily('d_seconds', 'help', [], BUCKETS);
    h.observe({}, 0.05); // first bucket
    h.observe({}, 0.3); // second
    h.observe({}, 0.7); // third
    expect(h.all()[0]!.value.counts).toEqual([1, 1, 1]);
  });

  it('counts a value equal to a bound in that bound’s bucket (le is ≤)', () => {
    const h = new HistogramFamily('d_seconds', 'help', [], BUCKETS);
    h.observe({}, 0.1);
    h.observe({}, 0.5);
    h.observe({}, 1);
    expect(h.all()[0]!.value.counts).toEqual([1, 1, 1]);
  });

  it('counts a value above the last bound in no bucket, but in count and sum (the implicit +Inf)', () => {
    const h = new HistogramFamily('d_seconds', 'help', [], BUCKETS);
    h.observe({}, 2);
    h.observe({}, 100);
    const v = h.all()[0]!.value;
    expect(v.counts).toEqual([0, 0, 0]);
    expect(v.count).toBe(2);
    expect(v.sum).toBe(102);
  });

  it('sums and counts per series', () => {
    const h = new HistogramFamily('d_seconds', 'help', ['tool'], BUCKETS);
    h.observe({ tool: 'a' }, 0.25);
    h.observe({ tool: 'a' }, 0.5);
    h.observe({ tool: 'b' }, 2);
    const [a, b] = h.all();
    expect(a).toEqual({ labels: { tool: 'a' }, value: { counts: [0, 2, 0], sum: 0.75, count: 2 } });
    expect(b).toEqual({ labels: { tool: 'b' }, value: { counts: [0, 0, 0], sum: 2, count: 1 } });
  });

  it('keeps bucket counts per series (no series shares another’s counts)', () => {
    const h = new HistogramFamily('d_seconds', 'help', ['tool'], BUCKETS);
    h.observe({ tool: 'a' }, 0.05);
    h.observe({ tool: 'b' }, 0.7);
    h.observe({ tool: 'b' }, 0.7);
    expect(h.all().map((s) => s.value.counts)).toEqual([
      [1, 0, 0],
      [0, 0, 2],
    ]);
  });

  it('totals count and sum over the series that match', () => {
    const h = new HistogramFamily('llm_seconds', 'help', ['provider', 'model'], BUCKETS);
    h.observe({ provider: 'openai', model: 'gpt' }, 0.25);
    h.observe({ provider: 'openai', model: 'mini' }, 0.5);
    h.observe({ provider: 'anthropic', model: 'claude' }, 2);
    expect(h.totals()).toEqual({ count: 3, sum: 2.75 });
    expect(h.totals({ provider: 'openai' })).toEqual({ count: 2, sum: 0.75 });
    expect(h.totals({ model: 'claude' })).toEqual({ count: 1, sum: 2 });
    expect(h.totals({ provider: 'nobody' })).toEqual({ count: 0, sum: 0 });
  });

  it('has a quantile of 0 and totals of 0 before any observation', () => {
    const h = new HistogramFamily('d_seconds', 'help', [], BUCKETS);
    expect(h.quantile(0.5)).toBe(0);
    expect(h.quantile(0.99)).toBe(0);
    expect(h.totals()).toEqual({ count: 0, sum: 0 });
  });

  it('takes quantiles over the observations of every series, in any insertion order', () => {
    const h = new HistogramFamily('d_seconds', 'help', ['tool'], BUCKETS);
    // 1..100, shuffled deterministically, spread over two series
    const values = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
    values.forEach((v, i) => h.observe({ tool: i % 2 ? 'a' : 'b' }, v));
    expect(h.quantile(0)).toBe(1);
    expect(h.quantile(0.5)).toBe(50); // nearest rank: sorted[ceil(0.5 × 100) - 1]
    expect(h.quantile(0.95)).toBe(95);
    expect(h.quantile(1)).toBe(100); // clamped to the last element
  });

  it('gives the only value for every quantile of a single observation', () => {
    const h = new HistogramFamily('d_seconds', 'help', [], BUCKETS);
    h.observe({}, 0.42);
    expect([h.quantile(0), h.quantile(0.5), h.quantile(0.99), h.quantile(1)]).toEqual([
      0.42, 0.42, 0.42, 0.42,
    ]);
  });

  it('keeps only the last 1024 observations for quantiles (a ring buffer), but counts them all', () => {
    const h = new HistogramFamily('d_seconds', 'help', [], BUCKETS);
    // 1024 large values, then 1024 small ones overwrite the whole ring
    for (let i = 0; i < 1024; i++) h.observe({}, 1000);
    expect(h.quantile(0)).toBe(1000);
    for (let i = 0; i < 1024; i++) h.observe({}, 0.01);
    expect(h.quantile(1)).toBe(0.01);
    expect(h.totals().count).toBe(2048);
    expect(h.totals().sum).toBeCloseTo(1024 * 1000 + 1024 * 0.01, 6);
  });

  it('overwrites the oldest observation first when the ring wraps', () => {
    const h = new HistogramFamily('d_seconds', 'help', [], BUCKETS);
    h.observe({}, 5000); // the oldest: the first to go
    for (let i = 1; i < 1024; i++) h.observe({}, 1); // the ring is now full
    expect(h.quantile(1)).toBe(5000);
    h.observe({}, 2); // replaces 5000
    expect(h.quantile(1)).toBe(2);
    h.observe({}, 3); // replaces a 1, not the 2 just written
    expect(h.quantile(1)).toBe(3);
    // the ring holds 1022 × 1, one 2 and one 3
    expect(h.quantile(1022 / 1024)).toBe(1);
    expect(h.quantile(1023 / 1024)).toBe(2);
    expect(h.quantile(0.5)).toBe(1);
  });

  it('exposes its buckets and type', () => {
    const h = new HistogramFamily('d_seconds', 'help', ['a'], BUCKETS);
    expect(h.buckets).toEqual(BUCKETS);
    expect(h.type).toBe('histogram');
    expect(h.labelNames).toEqual(['a']);
  });

  it('ignores observations that are not finite numbers', () => {
    const h = new HistogramFamily('d_seconds', 'help', [], BUCKETS);
    h.observe({}, 0.5);
    h.observe({}, Number.NaN);
    h.observe({}, Number.POSITIVE_INFINITY);
    expect(h.totals()).toEqual({ count: 1, sum: 0.5 });
    expect(h.quantile(1)).toBe(0.5);
  });
});

describe('GaugeFamily', () => {
  it('reads its value when asked, not when created', () => {
    let inFlight = 1;
    const g = new GaugeFamily('in_flight', 'Tasks running now', () => inFlight);
    expect(g.read()).toBe(1);
    inFlight = 7;
    expect(g.read()).toBe(7);
    expect([g.name, g.help, g.type]).toEqual(['in_flight', 'Tasks running now', 'gauge']);
  });
});
