// ScriptExecutor supervision: child crashes and restarts, the wall-clock kill, abort, close, overhead.
import { describe, expect, it, vi } from 'vitest';

import { wallClockMs } from '../../../src/core/sandbox/script.js';
import {
  callOpts,
  isRunning,
  recordingLogger,
  scriptSpec,
  testExecutor,
  type LogEntry,
} from './script-helpers.js';

/** A call that says "started" from inside the child (through `log`), then spins until it is ended. */
const spinning = (timeoutMs: number) => scriptSpec('announce-spin', { timeoutMs }, { log: true });

/** Wait until `n` calls logging to `entries` are running in the child. */
const started = (entries: LogEntry[], n = 1): Promise<void> =>
  vi.waitFor(() => expect(entries.filter((e) => e.msg === 'started')).toHaveLength(n), {
    timeout: 10_000,
    interval: 10,
  });

describe('ScriptExecutor crash supervision', () => {
  it('a killed child fails the calls in flight, then restarts with its scripts loaded again', async () => {
    const exec = testExecutor();
    await exec.load(scriptSpec('add'));
    // Calls that would run for a minute: only the crash can end them within the test.
    const slow = spinning(120_000);
    const log = recordingLogger();
    const inFlight = [
      exec.run(slow, { ms: 60_000 }, callOpts(log)),
      exec.run(slow, { ms: 60_000 }, callOpts(log)),
    ];
    await started(log.entries, 2);
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
    // Frozen before the call is sent: neither the isolate timeout nor the child's own clock can fire.
    process.kill(pid, 'SIGSTOP');
    const r = await exec.run(spec, { ms: 10_000 }, callOpts());
    expect(r).toMatchObject({ ok: false, timedOut: true });
    expect(r.error?.code).toBe('AGENT_ERR_TOOL_TIMEOUT');
    expect(r.durationMs).toBeGreaterThanOrEqual(wallClockMs(spec) - 50);
    await vi.waitFor(() => expect(isRunning(pid)).toBe(false));
    expect((await exec.run(spec, { ms: 1 }, callOpts())).ok).toBe(true);
  });
});

describe('ScriptExecutor abort and close', () => {
  it('abort resolves the call at once and the executor stays usable', async () => {
    const exec = testExecutor();
    const ac = new AbortController();
    // Ending any other way than the abort (its 10 s limit: AGENT_ERR_TOOL_TIMEOUT) fails the code check.
    const log = recordingLogger();
    const pending = exec.run(spinning(10_000), {}, callOpts(log, ac.signal));
    await started(log.entries);
    ac.abort();
    const r = await pending;
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('AGENT_ERR_SCRIPT_FAILED');
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
    const log = recordingLogger();
    const pending = exec.run(spinning(10_000), { ms: 5000 }, callOpts(log));
    await started(log.entries);
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
