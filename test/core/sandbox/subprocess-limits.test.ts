// Hard limits of runSubprocess with real misbehaving tools: time, SIGTERM-proof tools, grandchildren,
// output floods, memory, caller aborts and agent shutdown. Every check ends with "its group is empty".
import { beforeAll, describe, expect, it } from 'vitest';

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

describe('runSubprocess: time', () => {
  it('a tool that loops forever is stopped at timeoutMs: timedOut + ERR_TOOL_TIMEOUT, group gone', async () => {
    const { result, pgid } = await runTracked(fixtureSpec('infinite-loop', { limits: quick }));
    expect(result.ok).toBe(false);
    expect(result.timedOut).toBe(true);
    expect(result.error?.code).toBe('AGENT_ERR_TOOL_TIMEOUT');
    expect(result.durationMs).toBeGreaterThanOrEqual(quick.timeoutMs - 20);
    expect(result.durationMs).toBeLessThan(quick.timeoutMs + quick.forceKillAfterMs + 3_000);
    expect(pgid).toBeDefined();
    expect(groupMembers(pgid!)).toEqual([]);
    expect(liveGroups()).toEqual([]);
  });

  it('a tool that ignores SIGTERM is SIGKILLed forceKillAfterMs later', async () => {
    const { result, pgid } = await runTracked(fixtureSpec('ignores-sigterm', { limits: quick }));
    expect(result.timedOut).toBe(true);
    expect(result.error?.code).toBe('AGENT_ERR_TOOL_TIMEOUT');
    expect(result.durationMs).toBeGreaterThanOrEqual(quick.timeoutMs + quick.forceKillAfterMs - 50);
    expect(result.durationMs).toBeLessThan(quick.timeoutMs + quick.forceKillAfterMs + 3_000);
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
    expect(result.durationMs).toBeLessThan(3_000);
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
    setTimeout(() => controller.abort(new Error('task cancelled')), 300);
    const { result, pgid } = await runTracked(spec, callOptions({ signal: controller.signal }));
    expect(result.ok).toBe(false);
    expect(result.timedOut).toBe(false);
    expect(result.error?.code).toBe('AGENT_ERR_TOOL_EXIT');
    expect(result.error?.data).toMatchObject({ signal: 'SIGKILL' });
    expect(result.durationMs).toBeLessThan(3_000);
    expect(groupMembers(pgid!)).toEqual([]);
  });

  it('an abort whose reason is an AgentError returns that error', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new ERR_TASK_TIMEOUT({ timeoutSeconds: 1 })), 200);
    const { result, pgid } = await runTracked(
      fixtureSpec('infinite-loop'),
      callOptions({ signal: controller.signal }),
    );
    expect(AgentError.is(result.error, 'AGENT_ERR_TASK_TIMEOUT')).toBe(true);
    expect(groupMembers(pgid!)).toEqual([]);
  });

  it('killAllSubprocesses kills a running call at once (AGENT_ERR_CLOSED)', async () => {
    const running = runTracked(fixtureSpec('ignores-sigterm'));
    await new Promise((r) => setTimeout(r, 300));
    expect(liveGroups()).toHaveLength(1);
    const started = Date.now();
    await killAllSubprocesses();
    const { result, pgid } = await running;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result.error?.code).toBe('AGENT_ERR_CLOSED');
    expect(liveGroups()).toEqual([]);
    expect(groupMembers(pgid!)).toEqual([]);
  });

  it('killAllSubprocesses(owner) kills only that owner’s calls (an old generation closing)', async () => {
    const [oldGen, newGen] = [{}, {}];
    const spec = fixtureSpec('infinite-loop', { limits: { ...FAST_LIMITS, timeoutMs: 5_000 } });
    const old = runSubprocess(spec, payload(), callOptions({ owner: oldGen }));
    const current = runSubprocess(spec, payload(), callOptions({ owner: newGen }));
    await expect.poll(() => liveGroups().length).toBe(2);
    await killAllSubprocesses(oldGen);
    expect((await old).error?.code).toBe('AGENT_ERR_CLOSED');
    expect(liveGroups()).toHaveLength(1);
    await killAllSubprocesses(newGen);
    expect((await current).error?.code).toBe('AGENT_ERR_CLOSED');
    expect(liveGroups()).toEqual([]);
  });
});
