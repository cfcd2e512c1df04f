import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';

import { CounterFamily, GaugeFamily, HistogramFamily } from '../../../src/core/observability/metric-store.js';

describe('CounterFamily', () => {
  it('keeps one series per label combination, with its labels in the declared order', async () => {
    const c = new CounterFamily('x_total', 'help', ['outcome', 'code']);
    c.inc({ code: 'E1', outcome: 'failed' });
    c.inc({ outcome: 'failed', code: 'E1' });
    c.inc({ outcome: 'responded', code: '' });
    const all = await c.all();
    expect(all).toHaveLength(2);
    expect(all[0]!.value).toBe(2);
    expect(Object.keys(all[0]!.labels)).toEqual(['outcome', 'code']);
    expect(all[0]!.labels).toEqual({ outcome: 'failed', code: 'E1' });
    expect(all[1]).toEqual({ labels: { outcome: 'responded', code: '' }, value: 1 });
  });

  it('records a missing label as "" (the same series as an explicit "")', async () => {
    const c = new CounterFamily('x_total', 'help', ['outcome', 'code']);
    c.inc({ outcome: 'responded' });
    c.inc({ outcome: 'responded', code: '' });
    expect(await c.all()).toEqual([{ labels: { outcome: 'responded', code: '' }, value: 2 }]);
  });

  it('ignores labels that were not declared', async () => {
    const c = new CounterFamily('x_total', 'help', ['tool']);
    c.inc({ tool: 'echo', extra: 'dropped' });
    expect(await c.all()).toEqual([{ labels: { tool: 'echo' }, value: 1 }]);
  });

  it('has a single unlabelled series when no labels are declared', async () => {
    const c = new CounterFamily('x_total', 'help', []);
    c.inc();
    c.inc({});
    expect(await c.all()).toEqual([{ labels: {}, value: 2 }]);
    expect(await c.total()).toBe(2);
  });

  it('increments by n when given', async () => {
    const c = new CounterFamily('tokens_total', 'help', ['direction']);
    c.inc({ direction: 'input' }, 120);
    c.inc({ direction: 'input' }, 30);
    c.inc({ direction: 'input' });
    expect(await c.total({ direction: 'input' })).toBe(151);
  });

  it('counts on across reads, each count handed on once', async () => {
    const c = new CounterFamily('x_total', 'help', ['outcome']);
    c.inc({ outcome: 'ok' }, 2);
    expect(await c.total()).toBe(2);
    expect(await c.total()).toBe(2);
    c.inc({ outcome: 'ok' });
    c.inc({ outcome: 'failed' });
    expect(await c.all()).toEqual([
      { labels: { outcome: 'ok' }, value: 3 },
      { labels: { outcome: 'failed' }, value: 1 },
    ]);
  });

  it('shows a series counted by 0, as prom-client does', async () => {
    const c = new CounterFamily('tokens_total', 'help', ['direction']);
    c.inc({ direction: 'output' }, 0);
    expect(await c.all()).toEqual([{ labels: { direction: 'output' }, value: 0 }]);
  });

  it('is read with what was counted by a registry scrape', async () => {
    const c = new CounterFamily('agent2389_x_total', 'help', ['outcome']);
    const registry = new Registry();
    registry.registerMetric(c.metric);
    c.inc({ outcome: 'ok' }, 4);
    expect(await registry.metrics()).toContain('agent2389_x_total{outcome="ok"} 4');
    c.inc({ outcome: 'ok' });
    expect(await registry.metrics()).toContain('agent2389_x_total{outcome="ok"} 5');
  });

  it('has no series and a total of 0 before anything is counted', async () => {
    const c = new CounterFamily('x_total', 'help', ['a']);
    expect(await c.all()).toEqual([]);
    expect(await c.total()).toBe(0);
    expect(await c.total({ a: 'x' })).toBe(0);
  });

  it('totals the series whose labels include every label of the match', async () => {
    const c = new CounterFamily('llm_total', 'help', ['provider', 'model', 'outcome']);
    c.inc({ provider: 'openai', model: 'gpt', outcome: 'ok' }, 3);
    c.inc({ provider: 'openai', model: 'gpt', outcome: 'error' }, 1);
    c.inc({ provider: 'openai', model: 'mini', outcome: 'ok' }, 5);
    c.inc({ provider: 'anthropic', model: 'claude', outcome: 'ok' }, 7);
    expect(await c.total()).toBe(16);
    expect(await c.total({ outcome: 'ok' })).toBe(15);
    expect(await c.total({ provider: 'openai' })).toBe(9);
    expect(await c.total({ provider: 'openai', outcome: 'ok' })).toBe(8);
    expect(await c.total({ provider: 'openai', model: 'gpt', outcome: 'error' })).toBe(1);
    expect(await c.total({ provider: 'nobody' })).toBe(0);
    // A label the family does not have matches nothing.
    expect(await c.total({ region: 'eu' })).toBe(0);
  });

  it('matches a missing label with ""', async () => {
    const c = new CounterFamily('x_total', 'help', ['outcome', 'code']);
    c.inc({ outcome: 'responded' });
    c.inc({ outcome: 'failed', code: 'E1' });
    expect(await c.total({ code: '' })).toBe(1);
  });

  it('ignores a negative or non-finite amount (a provider’s bogus token count) instead of throwing', async () => {
    const c = new CounterFamily('tokens_total', 'help', ['direction']);
    c.inc({ direction: 'input' }, 5);
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => c.inc({ direction: 'input' }, bad)).not.toThrow();
    expect(await c.all()).toEqual([{ labels: { direction: 'input' }, value: 5 }]);
  });

  it('reports 0 for a family without labels before anything is counted (prom-client writes it)', async () => {
    expect(await new CounterFamily('x_total', 'help', []).all()).toEqual([{ labels: {}, value: 0 }]);
  });

  it('exposes its name, help, label names and type', () => {
    const c = new CounterFamily('x_total', 'Things', ['a', 'b']);
    expect([c.name, c.help, c.labelNames, c.type]).toEqual(['x_total', 'Things', ['a', 'b'], 'counter']);
  });
});

describe('HistogramFamily', () => {
  const BUCKETS = [0.1, 0.5, 1];
  const counts = async (h: HistogramFamily): Promise<number[][]> =>
    (await h.all()).map((s) => s.value.counts);

  it('counts an observation in the first bucket whose bound it does not exceed (not cumulative)', async () => {
    const h = new HistogramFamily('d_seconds', 'help', [], BUCKETS);
    h.observe({}, 0.05); // first bucket
    h.observe({}, 0.3); // second
    h.observe({}, 0.7); // third
    expect(await counts(h)).toEqual([[1, 1, 1]]);
  });

  it('counts a value equal to a bound in that bound’s bucket (le is ≤)', async () => {
    const h = new HistogramFamily('d_seconds', 'help', [], BUCKETS);
    h.observe({}, 0.1);
    h.observe({}, 0.5);
    h.observe({}, 1);
    expect(await counts(h)).toEqual([[1, 1, 1]]);
  });

  it('counts a value above the last bound in no bucket, but in count and sum (the implicit +Inf)', async () => {
    const h = new HistogramFamily('d_seconds', 'help', [], BUCKETS);
    h.observe({}, 2);
    h.observe({}, 100);
    expect(await h.all()).toEqual([{ labels: {}, value: { counts: [0, 0, 0], count: 2, sum: 102 } }]);
  });

  it('sums and counts per series, missing labels as ""', async () => {
    const h = new HistogramFamily('d_seconds', 'help', ['tool', 'kind'], BUCKETS);
    h.observe({ tool: 'a' }, 0.25);
    h.observe({ tool: 'a', kind: '' }, 0.5);
    h.observe({ tool: 'b', kind: 'x' }, 2);
    expect(await h.all()).toEqual([
      { labels: { tool: 'a', kind: '' }, value: { counts: [0, 2, 0], sum: 0.75, count: 2 } },
      { labels: { tool: 'b', kind: 'x' }, value: { counts: [0, 0, 0], sum: 2, count: 1 } },
    ]);
  });

  it('keeps bucket counts per series (no series shares another’s counts)', async () => {
    const h = new HistogramFamily('d_seconds', 'help', ['tool'], BUCKETS);
    h.observe({ tool: 'a' }, 0.05);
    h.observe({ tool: 'b' }, 0.7);
    h.observe({ tool: 'b' }, 0.7);
    expect(await counts(h)).toEqual([
      [1, 0, 0],
      [0, 0, 2],
    ]);
  });

  it('totals count and sum over the series that match', async () => {
    const h = new HistogramFamily('llm_seconds', 'help', ['provider', 'model'], BUCKETS);
    h.observe({ provider: 'openai', model: 'gpt' }, 0.25);
    h.observe({ provider: 'openai', model: 'mini' }, 0.5);
    h.observe({ provider: 'anthropic', model: 'claude' }, 2);
    expect(await h.totals()).toEqual({ count: 3, sum: 2.75 });
    expect(await h.totals({ provider: 'openai' })).toEqual({ count: 2, sum: 0.75 });
    expect(await h.totals({ model: 'claude' })).toEqual({ count: 1, sum: 2 });
    expect(await h.totals({ provider: 'nobody' })).toEqual({ count: 0, sum: 0 });
  });

  it('has a quantile of 0 and totals of 0 before any observation', async () => {
    expect(await new HistogramFamily('d_seconds', 'help', ['a'], BUCKETS).all()).toEqual([]);
    const h = new HistogramFamily('d_seconds', 'help', [], BUCKETS);
    // without labels, prom-client has the one series from the start
    expect(await h.all()).toEqual([{ labels: {}, value: { counts: [0, 0, 0], count: 0, sum: 0 } }]);
    expect(await h.quantile(0.5)).toBe(0);
    expect(await h.quantile(0.99)).toBe(0);
    expect(await h.totals()).toEqual({ count: 0, sum: 0 });
  });

  it('estimates quantiles from the buckets of every series, linearly within a bucket', async () => {
    const h = new HistogramFamily('d_seconds', 'help', ['tool'], [1, 2, 4]);
    // 10 observations: 2 in (0, 1], 4 in (1, 2], 4 in (2, 4], spread over two series
    for (const [i, v] of [0.5, 0.9, 1.1, 1.5, 1.5, 2, 3, 3, 4, 4].entries())
      h.observe({ tool: i % 2 ? 'a' : 'b' }, v);
    expect(await h.quantile(0.1)).toBeCloseTo(0.5, 9); // rank 1 of the 2 below 1
    expect(await h.quantile(0.2)).toBeCloseTo(1, 9); // rank 2: the top of the first bucket
    expect(await h.quantile(0.5)).toBeCloseTo(1.75, 9); // rank 5: 3 of the 4 in (1, 2]
    expect(await h.quantile(0.9)).toBeCloseTo(3.5, 9); // rank 9: 3 of the 4 in (2, 4]
    expect(await h.quantile(1)).toBeCloseTo(4, 9);
  });

  it('answers the last finite bound for a rank above it (the +Inf bucket)', async () => {
    const h = new HistogramFamily('d_seconds', 'help', [], BUCKETS);
    h.observe({}, 0.05);
    for (let i = 0; i < 9; i++) h.observe({}, 30);
    expect(await h.quantile(0.5)).toBe(1);
    expect(await h.quantile(0.05)).toBeCloseTo(0.05, 9); // rank 0.5 of the one in (0, 0.1]
  });

  it('skips empty buckets below the first observation', async () => {
    const h = new HistogramFamily('d_seconds', 'help', [], BUCKETS);
    h.observe({}, 0.7);
    h.observe({}, 0.9);
    expect(await h.quantile(0)).toBe(0.5); // the bottom of the (0.5, 1] bucket
    expect(await h.quantile(0.5)).toBeCloseTo(0.75, 9);
  });

  it('exposes its buckets and type', () => {
    const h = new HistogramFamily('d_seconds', 'help', ['a'], BUCKETS);
    expect(h.buckets).toEqual(BUCKETS);
    expect(h.type).toBe('histogram');
    expect(h.labelNames).toEqual(['a']);
  });

  it('ignores observations that are not finite numbers', async () => {
    const h = new HistogramFamily('d_seconds', 'help', [], BUCKETS);
    h.observe({}, 0.5);
    h.observe({}, Number.NaN);
    h.observe({}, Number.POSITIVE_INFINITY);
    expect(await h.totals()).toEqual({ count: 1, sum: 0.5 });
  });
});

describe('GaugeFamily', () => {
  it('reads its value when collected, not when created', async () => {
    let inFlight = 1;
    const g = new GaugeFamily('in_flight', 'Tasks running now', () => inFlight);
    expect(g.read()).toBe(1);
    inFlight = 7;
    expect(g.read()).toBe(7);
    expect((await g.metric.get()).values).toEqual([{ labels: {}, value: 7 }]);
    expect([g.name, g.help, g.type]).toEqual(['in_flight', 'Tasks running now', 'gauge']);
  });
});
