// Progress events, metrics and readiness of a real Agent on the in-memory broker.
import { describe, expect, it, vi } from 'vitest';

import { envelope, makeHarness, toml } from '../../helpers/agent-harness.js';

const waitFor = <T>(fn: () => T): Promise<T> => vi.waitFor(fn, { timeout: 3000, interval: 5 });

const echoTask = (id: string, message = 'hi') =>
  envelope(id, { input: { tool_request: { name: 'echo', parameters: { message } } } });

describe('progress events (docs/protocol.md §7)', () => {
  it('a task with a tool call: task_started, tool_call, tool_result, task_completed, with its ids', async () => {
    const h = makeHarness(toml('p1'));
    const events = h.collect('/control/agents/p1/progress');
    await h.agent.start();
    const env = echoTask('p1', 'do not show me');
    h.send(env);
    await waitFor(() => expect(events.map((e) => e.body.event)).toContain('task_completed'));
    expect(events.map((e) => e.body.event)).toEqual([
      'task_started',
      'tool_call',
      'tool_result',
      'task_completed',
    ]);
    for (const e of events) {
      expect(e.retain).toBe(false);
      expect(e.body).toMatchObject({ agent_id: 'p1', task_id: env.task_id, conversation_id: 'conv-1' });
      expect(e.body.timestamp).toMatch(/Z$/);
    }
    const [started, call, result, done] = events.map((e) => e.body.data as Record<string, unknown>);
    expect(started).toEqual({ generation: 1, next: null });
    expect(call).toEqual({ tool: 'echo', call_id: 'scripted-call-1', sandbox: 'module' });
    expect(result).toMatchObject({ tool: 'echo', sandbox: 'module', outcome: 'ok', truncated: false });
    expect(result!.duration_ms).toEqual(expect.any(Number));
    expect(done).toMatchObject({ tool_calls: 1, llm_calls: 2 });
    expect(JSON.stringify(events)).not.toContain('do not show me');
  });

  it('verbosity "verbose" adds llm events; "debug" adds parameters and the instruction', async () => {
    const h = makeHarness(toml('p2', '[progress]\nverbosity = "debug"\n'));
    const events = h.collect('/control/agents/p2/progress');
    await h.agent.start();
    h.send(echoTask('p2', 'shown at debug'));
    await waitFor(() => expect(events.map((e) => e.body.event)).toContain('task_completed'));
    const names = events.map((e) => e.body.event);
    expect(names).toEqual([
      'task_started',
      'llm_request',
      'llm_response',
      'tool_call',
      'tool_result',
      'llm_request',
      'llm_response',
      'task_completed',
    ]);
    const call = events.find((e) => e.body.event === 'tool_call')!.body.data as Record<string, unknown>;
    expect(call.parameters).toEqual({ message: 'shown at debug' });
    expect((events[0]!.body.data as Record<string, unknown>).instruction).toBe('say hi');
    expect(events[2]!.body.data).toMatchObject({ iteration: 1, finish_reason: 'tool_calls', tool_calls: 1 });
    // duration_ms is a whole number of milliseconds in every event that has one (duration-ms.ts).
    const durations = events.map((e) => (e.body.data as Record<string, unknown>).duration_ms);
    expect(durations.filter((d) => d !== undefined)).toHaveLength(4); // 2 llm_response, tool_result, task_completed
    for (const d of durations) if (d !== undefined) expect(d).toEqual(Math.round(Number(d)));
  });

  it('a forwarded task ends with task_forwarded, a failed one with task_failed and its code', async () => {
    const h = makeHarness(toml('p3'));
    const events = h.collect('/control/agents/p3/progress');
    await h.agent.start();
    h.send(
      envelope('p3', {
        next: { topic: '/control/agents/b/input', instruction: null, input: null, next: null },
      }),
    );
    h.send(envelope('p3', { input: { tool_request: { name: 'nope', parameters: {} } } }));
    await waitFor(() =>
      expect(events.filter((e) => /task_(forwarded|failed)/.test(String(e.body.event)))).toHaveLength(2),
    );
    const forwarded = events.find((e) => e.body.event === 'task_forwarded')!.body.data;
    expect(forwarded).toMatchObject({ to: '/control/agents/b/input', tool_calls: 0, llm_calls: 1 });
    const failed = events.find((e) => e.body.event === 'task_failed')!.body.data;
    expect(failed).toMatchObject({ code: 'tool_execution_failed' });
    const refused = events.find((e) => e.body.event === 'tool_error')!.body.data;
    expect(refused).toMatchObject({ tool: 'nope', sandbox: 'none', code: 'AGENT_ERR_TOOL_NOT_ALLOWED' });
  });

  it('[progress] enabled = false publishes nothing', async () => {
    const h = makeHarness(toml('p4', '[progress]\nenabled = false\n'));
    const topic = '/control/agents/p4/progress';
    const events = h.collect(topic);
    // Fence: every progress event of a task is published (synchronously) before task:completed is
    // emitted, so a marker published from that listener arrives after any of them would have.
    h.agent.on('task:completed', () => h.broker.publish(topic, JSON.stringify({ event: 'fence' })));
    await h.agent.start();
    h.send(echoTask('p4'));
    await waitFor(() => expect(events.map((e) => e.body.event)).toContain('fence'));
    expect(events.map((e) => e.body.event)).toEqual(['fence']);
    const json = (await h.agent.metrics.snapshot()) as { progress: { published: number; dropped: number } };
    expect(json.progress).toEqual({ published: 0, dropped: 0 });
  });

  it('max_events_per_second drops task events beyond the budget and counts them', async () => {
    const h = makeHarness(toml('p5', '[progress]\nmax_events_per_second = 1\n'));
    const events = h.collect('/control/agents/p5/progress');
    const out = h.collect('/conversations/#');
    await h.agent.start();
    for (let i = 0; i < 5; i++) h.send(echoTask('p5'));
    await waitFor(() => expect(out).toHaveLength(5));
    // A burst of 2 × rate goes out; the other 18 of the 20 events are dropped.
    expect(events).toHaveLength(2);
    const json = (await h.agent.metrics.snapshot()) as { progress: { published: number; dropped: number } };
    expect(json.progress).toEqual({ published: 2, dropped: 18 });
  });
});

describe('metrics and readiness of a running agent', () => {
  it('counts tasks by outcome and code, tool calls by outcome, LLM calls, publishes', async () => {
    const h = makeHarness(toml('m1'));
    const out = h.collect('/conversations/#');
    await h.agent.start();
    h.send(echoTask('m1'));
    h.send(envelope('m1'));
    h.send(envelope('m1', { input: { tool_request: { name: 'nope', parameters: {} } } }));
    h.send({ ...envelope('m1'), task_id: 'not-a-uuid' });
    await waitFor(() => expect(out).toHaveLength(4));
    await waitFor(async () => expect(await h.agent.metrics.tasks.total()).toBe(4));
    const m = h.agent.metrics;
    expect(await m.tasksReceived.total()).toBe(4);
    expect(await m.tasks.total({ outcome: 'responded' })).toBe(2);
    expect(await m.tasks.total({ outcome: 'failed', code: 'tool_execution_failed' })).toBe(1);
    expect(await m.tasks.total({ outcome: 'rejected', code: 'invalid_input' })).toBe(1);
    expect((await m.taskDuration.totals()).count).toBe(3);
    expect(await m.toolCalls.total({ tool: 'echo', outcome: 'ok' })).toBe(1);
    expect(await m.toolCalls.total({ tool: 'nope' })).toBe(0); // refused: it never ran
    expect(await m.llmCalls.total({ provider: 'scripted', outcome: 'ok' })).toBe(5);
    expect(await m.mqttReceived.total()).toBe(4);
    expect(await m.mqttPublished.total()).toBeGreaterThanOrEqual(5); // status + 4 answers (+ progress)
    const json = (await m.snapshot()) as { tasks: Record<string, unknown>; tools: Record<string, unknown> };
    expect(json.tasks).toMatchObject({
      tasks_received: 4,
      tasks_completed: 2,
      tasks_failed: 1,
      tasks_rejected: 1,
      errors_by_code: { tool_execution_failed: 1, invalid_input: 1 },
    });
    expect(json.tools).toMatchObject({ total_executions: 1, by_tool: { echo: { ok: 1 } } });
  });

  it('/ready: not before available, ready while running and connected, not after a broker loss or stop', async () => {
    const h = makeHarness(toml('m2'));
    expect(h.agent.readiness.ready).toBe(false);
    await h.agent.start();
    expect(h.agent.readiness).toEqual({ ready: true });
    expect(h.agent.healthReport()).toMatchObject({ status: 'healthy', agent_id: 'm2', generation: 1 });
    h.transport().crash({ reconnect: false });
    await waitFor(() =>
      expect(h.agent.readiness).toMatchObject({ ready: false, reason: 'not connected to the broker' }),
    );
    expect(h.agent.healthReport()).toMatchObject({
      status: 'degraded',
      checks: { mqtt: { status: 'down' } },
    });
  });

  it('/ready goes false as soon as shutdown starts', async () => {
    const h = makeHarness(toml('m3'));
    await h.agent.start();
    const stopping = h.agent.stop();
    expect(h.agent.readiness.ready).toBe(false);
    await stopping;
    expect(h.agent.readiness).toMatchObject({ ready: false, reason: 'the agent is stopped' });
  });
});
