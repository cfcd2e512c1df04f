import { afterEach, describe, expect, it, vi } from 'vitest';

import { TaskQueue } from '../../../src/core/agent/task-queue.js';

/** A job that runs until `release()` is called. */
function gate(): { job: () => Promise<void>; release: () => void; started: boolean } {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  const g = {
    started: false,
    release: () => release(),
    job: () => {
      g.started = true;
      return done;
    },
  };
  return g;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A queue whose failed jobs are recorded (by id) in `failures`. */
function queue(max: number, failures: Array<{ id: string; err: unknown }> = []): TaskQueue {
  return new TaskQueue(max, (id, err) => failures.push({ id, err }));
}

describe('TaskQueue', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs at most maxConcurrent jobs at once and starts the next when one finishes', async () => {
    const q = queue(2);
    const gates = [gate(), gate(), gate(), gate()];
    for (const g of gates) q.push('t', g.job);
    expect(gates.map((g) => g.started)).toEqual([true, true, false, false]);
    expect([q.active, q.waiting]).toEqual([2, 2]);

    gates[1]!.release();
    await tick();
    expect(gates.map((g) => g.started)).toEqual([true, true, true, false]);
    expect([q.active, q.waiting]).toEqual([2, 1]);

    for (const g of gates) g.release();
    await tick();
    await tick();
    expect([q.active, q.waiting]).toEqual([0, 0]);
    expect(gates.every((g) => g.started)).toBe(true);
  });

  it('starts waiting jobs in FIFO order', async () => {
    const q = queue(1);
    const order: number[] = [];
    const first = gate();
    q.push('t', first.job);
    for (const n of [1, 2, 3]) q.push('t', () => Promise.resolve(void order.push(n)));
    first.release();
    await q.drain(1_000);
    expect(order).toEqual([1, 2, 3]);
  });

  it('reports load as running / max', async () => {
    const q = queue(4);
    expect(q.load).toBe(0);
    const gates = [gate(), gate(), gate(), gate(), gate()];
    gates.slice(0, 1).forEach((g) => q.push('t', g.job));
    expect(q.load).toBe(0.25);
    gates.slice(1).forEach((g) => q.push('t', g.job));
    expect(q.load).toBe(1); // waiting jobs do not count
    for (const g of gates) g.release();
    await q.drain(1_000);
    expect(q.load).toBe(0);
  });

  it('drain resolves true at once when idle', async () => {
    expect(await queue(1).drain(0)).toBe(true);
  });

  it('drain resolves true once running and waiting jobs finish', async () => {
    const q = queue(1);
    const a = gate();
    const b = gate();
    q.push('t', a.job);
    q.push('t', b.job);
    let drained: boolean | undefined;
    void q.drain(10_000).then((ok) => (drained = ok));
    a.release();
    await tick();
    expect(drained).toBeUndefined(); // b is still running
    b.release();
    await tick();
    await tick();
    expect(drained).toBe(true);
  });

  it('drain resolves false after the timeout while a job is still running', async () => {
    vi.useFakeTimers();
    const q = queue(1);
    const g = gate();
    q.push('t', g.job);
    const result = q.drain(500);
    await vi.advanceTimersByTimeAsync(499);
    let settled = false;
    void result.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await result).toBe(false);
    expect(q.active).toBe(1);
    g.release();
  });

  it('a timed-out drain does not fire again when the queue later empties; a new drain succeeds', async () => {
    const q = queue(1);
    const g = gate();
    q.push('t', g.job);
    expect(await q.drain(1)).toBe(false);
    const again = q.drain(10_000);
    g.release();
    expect(await again).toBe(true);
  });

  it('setMax raises the limit at once and lowers it as running jobs finish (a reload)', async () => {
    const q = queue(1);
    const gates = [gate(), gate(), gate(), gate()];
    for (const g of gates) q.push('t', g.job);
    expect([q.active, q.waiting]).toEqual([1, 3]);
    q.setMax(3);
    expect([q.active, q.waiting]).toEqual([3, 1]);
    q.setMax(1);
    gates[0]!.release();
    await tick();
    expect([q.active, q.waiting]).toEqual([2, 1]); // no new start while over the limit
    gates[1]!.release();
    gates[2]!.release();
    await tick();
    expect([q.active, q.waiting]).toEqual([1, 0]);
    gates[3]!.release();
    expect(await q.drain(1_000)).toBe(true);
  });

  it('a job that rejects is reported with its id and frees its slot for the next one', async () => {
    const failures: Array<{ id: string; err: unknown }> = [];
    const q = queue(1, failures);
    const boom = new Error('job bug');
    const next = gate();
    q.push('task-1', () => Promise.reject(boom));
    q.push('task-2', next.job);
    await tick();
    expect(failures).toEqual([{ id: 'task-1', err: boom }]);
    expect(next.started).toBe(true);
    next.release();
    expect(await q.drain(1_000)).toBe(true);
  });

  it('a job that throws before returning a promise is reported the same way', async () => {
    const failures: Array<{ id: string; err: unknown }> = [];
    const q = queue(1, failures);
    const boom = new Error('sync bug');
    q.push('task-3', () => {
      throw boom;
    });
    expect(await q.drain(1_000)).toBe(true);
    expect(failures).toEqual([{ id: 'task-3', err: boom }]);
    expect(q.active).toBe(0);
  });
});
