// ScriptExecutor supervision: child crashes and restarts, the wall-clock kill, abort, close, overhead.
import { describe, expect, it } from 'vitest';

import { wallClockMs } from '../../../src/core/sandbox/script.js';
import { callOpts, isRunning, scriptSpec, testExecutor } from './script-helpers.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('ScriptExecutor crash supervision', () => {
  it('a killed child fails the calls in flight, then restarts with its scripts loaded again', async () => {
    const exec = testExecutor();
    await exec.load(scriptSpec('add'));
    const slow = scriptSpec('slow', { timeoutMs: 10_000 });
    const inFlight = [exec.run(slow, { ms: 5000 }, callOpts()), exec.run(slow, { ms: 5000 }, callOpts())];
    await sleep(300);
    const pid = exec.pid!;
    expect(pid).toBeTypeOf('number');
    process.kill(pid, 'SIGKILL');
    for (const r of await Promise.all(inFlight)) {
      expect(r.ok).toBe(false);
      expect(r.error?.code).toBe('AGENT_ERR_SCRIPT_HOST_CRASHED');
    }
    const next = await exec.run(scriptSpec('add'), { a: 1, b: 1 }, callOpts());
    expect(next).toMatchObject({ ok: true, value: { sum: 2 } });
    expect(exec.pid).not.toBe(pid);
    expect(isRunning(pid)).toBe(false);
  });

  it('a child that stops answering is killed by the wall clock: ERR_TOOL_TIMEOUT', async () => {
    const exec = testExecutor();
    const spec = scriptSpec('slow', { timeoutMs: 300 });
    await exec.load(spec);
    const pid = exec.pid!;
    const pending = exec.run(spec, { ms: 10_000 }, callOpts());
    await sleep(100);
    process.kill(pid, 'SIGSTOP'); // frozen: neither the isolate timeout nor the child's own clock can fire
    const r = await pending;
    expect(r).toMatchObject({ ok: false, timedOut: true });
    expect(r.error?.code).toBe('AGENT_ERR_TOOL_TIMEOUT');
    expect(r.durationMs).toBeGreaterThanOrEqual(wallClockMs(spec) - 50);
    await sleep(100);
    expect(isRunning(pid)).toBe(false);
    expect((await exec.run(spec, { ms: 1 }, callOpts())).ok).toBe(true);
  });
});

describe('ScriptExecutor abort and close', () => {
  it('abort resolves the call at once and the executor stays usable', async () => {
    const exec = testExecutor();
    const ac = new AbortController();
    const started = performance.now();
    const pending = exec.run(
      scriptSpec('loop', { timeoutMs: 10_000 }),
      { mode: 'sync' },
      callOpts(undefined, ac.signal),
    );
    setTimeout(() => ac.abort(), 200);
    const r = await pending;
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('AGENT_ERR_SCRIPT_FAILED');
    expect(performance.now() - started).toBeLessThan(2000);
    expect((await exec.run(scriptSpec('add'), { a: 1, b: 2 }, callOpts())).ok).toBe(true);
    // Both pool isolates answer (the cancelled one was replaced).
    const both = await Promise.all([1, 2].map((a) => exec.run(scriptSpec('add'), { a, b: 0 }, callOpts())));
    expect(both.map((x) => x.ok)).toEqual([true, true]);
  });

  it('an already-aborted signal fails without running', async () => {
    const exec = testExecutor();
    const r = await exec.run(scriptSpec('add'), { a: 1, b: 2 }, callOpts(undefined, AbortSignal.abort()));
    expect(r.error?.code).toBe('AGENT_ERR_SCRIPT_FAILED');
    expect(exec.pid).toBeUndefined();
  });

  it('close() fails calls in flight with ERR_CLOSED and leaves no child behind', async () => {
    const exec = testExecutor();
    await exec.load(scriptSpec('add'));
    const pid = exec.pid!;
    const pending = exec.run(scriptSpec('slow', { timeoutMs: 10_000 }), { ms: 5000 }, callOpts());
    await sleep(100);
    await exec.close();
    expect((await pending).error?.code).toBe('AGENT_ERR_CLOSED');
    expect(isRunning(pid)).toBe(false);
    expect((await exec.run(scriptSpec('add'), { a: 1, b: 2 }, callOpts())).error?.code).toBe(
      'AGENT_ERR_CLOSED',
    );
  });
});

describe('ScriptExecutor throughput', () => {
  it('queues calls beyond the pool size', async () => {
    const exec = testExecutor({ poolSize: 2 });
    const spec = scriptSpec('slow', { timeoutMs: 2000 });
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => exec.run(spec, { ms: 50 }, callOpts())));
    expect(results.map((r) => r.value)).toEqual(['done', 'done', 'done', 'done', 'done']);
  });
});
