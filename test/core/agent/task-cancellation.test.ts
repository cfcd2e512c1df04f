import { afterEach, describe, expect, it, vi } from 'vitest';

import { TaskCancellation } from '../../../src/core/agent/task-cancellation.js';
import { ERR_TASK_TIMEOUT } from '../../../src/core/errors.js';

const never = new Promise<never>(() => undefined);
const timeout = (): Error => new ERR_TASK_TIMEOUT({ timeoutSeconds: 1 });

describe('TaskCancellation', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('settles with the work when nothing cancels it, and stops its deadline when disposed', async () => {
    vi.useFakeTimers();
    const c = new TaskCancellation(1000, timeout, new AbortController().signal);
    await expect(c.race(Promise.resolve(42))).resolves.toBe(42);
    c.dispose();
    vi.advanceTimersByTime(5000);
    expect(c.reason).toBeUndefined();
    expect(() => c.throwIfAborted()).not.toThrow();
  });

  it('rejects with the timeout at the deadline, though the work never settles, and aborts the signal it gave out', async () => {
    vi.useFakeTimers();
    const c = new TaskCancellation(1000, timeout, new AbortController().signal);
    const signal = c.signal;
    const raced = c.race(never);
    vi.advanceTimersByTime(999);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    await expect(raced).rejects.toMatchObject({ code: 'AGENT_ERR_TASK_TIMEOUT' });
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(c.reason);
    expect(() => c.throwIfAborted()).toThrow(c.reason!);
    c.dispose();
  });

  it('gives a signal made after the cancellation already aborted, with the reason', () => {
    const c = new TaskCancellation(60_000, timeout, new AbortController().signal);
    const reason = new Error('stop');
    c.cancel(reason);
    expect(c.signal.aborted).toBe(true);
    expect(c.signal.reason).toBe(reason);
    c.dispose();
  });

  it('is cancelled by the shutdown signal, now or later, with its reason; not after dispose', async () => {
    const early = new AbortController();
    const reason = new Error('shutting down');
    early.abort(reason);
    const a = new TaskCancellation(60_000, timeout, early.signal);
    expect(a.reason).toBe(reason);
    await expect(a.race(Promise.reject(new Error('ignored')))).rejects.toBe(reason);
    a.dispose();

    const later = new AbortController();
    const b = new TaskCancellation(60_000, timeout, later.signal);
    const raced = b.race(never);
    later.abort(reason);
    await expect(raced).rejects.toBe(reason);
    b.dispose();

    const after = new AbortController();
    const d = new TaskCancellation(60_000, timeout, after.signal);
    d.dispose();
    after.abort(reason);
    expect(d.reason).toBeUndefined();
  });

  it('keeps the first reason', async () => {
    const c = new TaskCancellation(60_000, timeout, new AbortController().signal);
    const raced = c.race(never);
    const first = new Error('first');
    c.cancel(first);
    c.cancel(new Error('second'));
    await expect(raced).rejects.toBe(first);
    expect(c.signal.reason).toBe(first);
    c.dispose();
  });

  it("passes on the work's failure, as an Error even when something else was thrown", async () => {
    const c = new TaskCancellation(60_000, timeout, new AbortController().signal);
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a hostile plugin's rejection
    await expect(c.race(Promise.reject('plain string'))).rejects.toMatchObject({
      code: 'AGENT_ERR_NOT_AN_ERROR',
    });
    c.dispose();
  });
});
