// Hard limits of runSubprocess with real misbehaving tools: time, SIGTERM-proof tools, grandchildren,
// output floods, memory, caller aborts and agent shutdown. Every check ends with "its group is empty".
import { beforeAll, describe, expect, it, vi } from 'vitest';

import { AgentError, ERR_TASK_TIMEOUT } from '../../../src/core/errors.js';
import { liveGroups } from '../../../src/core/sandbox/process-group.js';
import { killAllSubprocesses, runSubprocess } from '../../../src/core/sandbox/subprocess.js';
import {
  FAST_LIMITS,
  alive,
  callOptions,
  ensureFixtureModes,
  fixtureSpec,
  groupMembers,
  livePidsRunning,
  marker,
  payload,
  runTracked,
} from './subprocess-fixtures.js';

beforeAll(ensureFixtureModes);

const quick = { ...FAST_LIMITS, timeoutMs: 400, forceKillAfterMs: 600 };

/** The one live call's `ignores-sigterm` has set its trap: its loop's `sleep` runs in the group too. */
async function untilTrapped(): Promise<void> {
  await vi.waitFor(() => {
    expect(liveGroups()).toHaveLength(1);
    expect(groupMembers(liveGroups()[0]!).length).toBeGreaterThanOrEqual(2);
  }, 10_000);
}

describe('runSubprocess: time', () => {
  it('a tool that loops forever is stopped at timeoutMs: timedOut + ERR_TOOL_TIMEOUT, group gone', async () => {
    const { result, pgid } = await runTracked(fixtureSpec('infinite-loop', { limits: quick }));
    expect(result.ok).toBe(false);
    expect(result.timedOut).toBe(true);
    expect(result.error?.code).toBe('AGENT_ERR_TOOL_TIMEOUT');
    expect(result.durationMs).toBeGreaterThanOrEqual(quick.timeoutMs - 20);
    expect(pgid).toBeDefined();
    expect(groupMembers(pgid!)).toEqual([]);
    expect(liveGroups()).toEqual([]);
  });

  it('a tool that ignores SIGTERM is SIGKILLed forceKillAfterMs later', async () => {
    const { result, pgid } = await runTracked(fixtureSpec('ignores-sigterm', { limits: quick }));
    expect(result.timedOut).toBe(true);
    expect(result.error?.code).toBe('AGENT_ERR_TOOL_TIMEOUT');
    expect(result.durationMs).toBeGreaterThanOrEqual(quick.timeoutMs + quick.forceKillAfterMs - 50);
    expect(groupMembers(pgid!)).toEqual([]);
  });

  it('a grandchild left behind by a tool that exits normally is killed with the call', async () => {
    const mark = marker();
    const spec = fixtureSpec('spawns-grandchild-and-exits', { args: [mark] });
    const result = await runSubprocess(spec, payload(), callOptions());
    expect(result.error).toBeUndefined();
    const { grandchild } = result.value as { grandchild: number };
    expect(grandchild).toBeGreaterThan(0);
    expect(alive(grandchild)).toBe(false);
    expect(livePidsRunning(mark)).toEqual([]);
  });
});

describe('runSubprocess: output caps', () => {
  it.each(['stdout', 'stderr'] as const)('a %s flood is stopped at maxOutputBytes', async (stream) => {
    const { result, pgid } = await runTracked(fixtureSpec(`${stream}-flood`));
    expect(result.ok).toBe(false);
    expect(result.outputTruncated).toBe(true);
    expect(result.timedOut).toBe(false);
    expect(result.error?.code).toBe('AGENT_ERR_TOOL_OUTPUT_TOO_LARGE');
    expect(result.error?.data).toMatchObject({ stream, limitBytes: FAST_LIMITS.maxOutputBytes });
    if (pgid !== undefined) expect(groupMembers(pgid)).toEqual([]);
  });
});

describe('runSubprocess: memory', () => {
  it('a tool allocating without bound fails (RLIMIT_AS) instead of eating the host', async () => {
    const spec = fixtureSpec('memory-bomb', { limits: { ...FAST_LIMITS, memoryMb: 256, timeoutMs: 8_000 } });
    const result = await runSubprocess(spec, payload(), callOptions());
    expect(result.ok).toBe(false);
    expect(result.timedOut).toBe(false);
    expect(result.error?.code).toBe('AGENT_ERR_TOOL_EXIT');
    expect((result.error?.data as { stderr: string }).stderr).toContain('MemoryError');
  });
});

describe('runSubprocess: abort and shutdown', () => {
  it('aborting the call kills the whole group; a plain reason gives ERR_TOOL_EXIT, not a timeout', async () => {
    const spec = fixtureSpec('ignores-sigterm', { limits: { ...FAST_LIMITS, forceKillAfterMs: 300 } });
    const controller = new AbortController();
    const running = runTracked(spec, callOptions({ signal: controller.signal }));
    await untilTrapped();
    controller.abort(new Error('task cancelled'));
    const { result, pgid } = await running;
    expect(result.ok).toBe(false);
    expect(result.timedOut).toBe(false);
    expect(result.error?.code).toBe('AGENT_ERR_TOOL_EXIT');
    expect(result.error?.data).toMatchObject({ signal: 'SIGKILL' });
    expect(groupMembers(pgid!)).toEqual([]);
  });

  it('an abort whose reason is an AgentError returns that error', async () => {
    const controller = new AbortController();
    const running = runTracked(fixtureSpec('infinite-loop'), callOptions({ signal: controller.signal }));
    // Aborted while the tool runs (its group exists), not before it was started.
    await vi.waitFor(() => expect(liveGroups()).toHaveLength(1), 10_000);
    controller.abort(new ERR_TASK_TIMEOUT({ timeoutSeconds: 1 }));
    const { result, pgid } = await running;
    expect(AgentError.is(result.error, 'AGENT_ERR_TASK_TIMEOUT')).toBe(true);
    expect(pgid).toBeDefined();
    expect(groupMembers(pgid!)).toEqual([]);
  });

  it('killAllSubprocesses kills a running call at once (AGENT_ERR_CLOSED)', async () => {
    // "At once": with a 10-minute SIGTERM grace, only an immediate SIGKILL ends the call within the test.
    const limits = { ...FAST_LIMITS, timeoutMs: 600_000, forceKillAfterMs: 600_000 };
    const running = runTracked(fixtureSpec('ignores-sigterm', { limits }));
    await untilTrapped();
    await killAllSubprocesses();
    const { result, pgid } = await running;
    expect(result.error?.code).toBe('AGENT_ERR_CLOSED');
    expect(liveGroups()).toEqual([]);
    expect(groupMembers(pgid!)).toEqual([]);
  });

  it('killAllSubprocesses(owner) kills only that owner’s calls (an old generation closing)', async () => {
    const [oldGen, newGen] = [{}, {}];
    // Only a kill ends these calls within the test (their own limit is ten minutes away).
    const spec = fixtureSpec('infinite-loop', { limits: { ...FAST_LIMITS, timeoutMs: 600_000 } });
    const old = runSubprocess(spec, payload(), callOptions({ owner: oldGen }));
    const current = runSubprocess(spec, payload(), callOptions({ owner: newGen }));
    await expect.poll(() => liveGroups().length, { timeout: 10_000 }).toBe(2);
    await killAllSubprocesses(oldGen);
    expect((await old).error?.code).toBe('AGENT_ERR_CLOSED');
    expect(liveGroups()).toHaveLength(1);
    await killAllSubprocesses(newGen);
    expect((await current).error?.code).toBe('AGENT_ERR_CLOSED');
    expect(liveGroups()).toEqual([]);
  });
});
