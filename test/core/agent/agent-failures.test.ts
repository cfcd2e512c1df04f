// No failure is swallowed [FR-011]: a throwing `task:*` listener is logged with the task id and
// counted in agent2389_internal_errors_total, and the agent keeps answering (in-memory broker).
import { describe, expect, it, vi } from 'vitest';

import { envelope, makeHarness, toml } from '../../helpers/agent-harness.js';
import { recordingLogger } from '../../helpers/recording-logger.js';

const waitFor = <T>(fn: () => T): Promise<T> => vi.waitFor(fn, { timeout: 3000, interval: 5 });

describe('FR-011: failures are reported, counted, and the agent keeps serving', () => {
  it('FR-011: a listener that throws on every task:* event; tasks still complete and are answered', async () => {
    const log = recordingLogger();
    const h = makeHarness(toml('f1'), { log });
    const out = h.collect('/conversations/#');
    const calls: string[] = [];
    for (const name of ['task:completed', 'task:failed', 'task:discarded'] as const)
      h.agent.on(name, () => {
        calls.push(name);
        throw new Error(`listener bug on ${name}`);
      });
    await h.agent.start();
    const ok = envelope('f1');
    h.send(ok);
    await waitFor(() => expect(out).toHaveLength(1));
    const failing = envelope('f1', { input: { tool_request: { name: 'rm_rf', parameters: {} } } });
    h.send(failing);
    h.broker.publish('/control/agents/f1/input', 'not json');
    await waitFor(() => expect(out).toHaveLength(2));
    // The agent keeps serving: the next tasks are answered too.
    const later = [envelope('f1'), envelope('f1')];
    for (const e of later) h.send(e);
    await waitFor(() => expect(out).toHaveLength(4));
    await waitFor(() => expect(calls).toHaveLength(5));
    expect(h.agent.state).toBe('running');
    expect(out.map((m) => m.body.task_id)).toEqual(
      expect.arrayContaining([ok.task_id, failing.task_id, ...later.map((e) => e.task_id)]),
    );
    expect(await h.agent.metrics.internalErrors.total({ where: 'task_listener' })).toBe(calls.length);
    const reported = log.entries.filter(
      (e) => e.level === 'error' && (e.obj as { where?: string } | undefined)?.where === 'task_listener',
    );
    expect(reported).toHaveLength(calls.length);
    const taskIds = reported.map((e) => (e.obj as { task_id?: string }).task_id);
    expect(taskIds).toEqual(
      expect.arrayContaining([ok.task_id, failing.task_id, ...later.map((e) => e.task_id)]),
    );
    const okLine = reported.find((e) => (e.obj as { task_id?: string }).task_id === ok.task_id);
    expect(okLine?.obj).toMatchObject({
      event: 'task:completed',
      err: { message: 'listener bug on task:completed' },
    });
  });
});
