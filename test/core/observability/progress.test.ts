import { describe, expect, it } from 'vitest';

import {
  emitProgress,
  EventBudget,
  progressEvent,
  type ProgressEventName,
  type ProgressSink,
} from '../../../src/core/observability/progress.js';
import { recordingLogger } from '../../helpers/recording-logger.js';

const IDS = { taskId: '6f1c2f5e-0000-4000-8000-000000000001', conversationId: 'conv-1' };
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('progressEvent', () => {
  it('carries the agent, task and conversation ids, an ISO UTC timestamp, the event and its data', () => {
    const before = Date.now();
    const e = progressEvent('writer-1', 'tool_call', { tool: 'echo' }, IDS);
    expect(e).toEqual({
      agent_id: 'writer-1',
      task_id: IDS.taskId,
      conversation_id: 'conv-1',
      timestamp: expect.stringMatching(ISO_UTC) as unknown,
      event: 'tool_call',
      data: { tool: 'echo' },
    });
    const at = Date.parse(e.timestamp);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });

  it('has no task_id or conversation_id keys for an event about the agent', () => {
    const e = progressEvent('writer-1', 'config_reloaded', { generation: 2 });
    expect(Object.keys(e).sort()).toEqual(['agent_id', 'data', 'event', 'timestamp']);
    expect(JSON.parse(JSON.stringify(e))).not.toHaveProperty('task_id');
  });
});

describe('EventBudget', () => {
  it('lets a burst of 2 × rate through, then refuses', () => {
    const budget = new EventBudget(5);
    const now = performance.now();
    const taken = Array.from({ length: 12 }, () => budget.take(now));
    expect(taken.filter(Boolean)).toHaveLength(10);
    expect(taken.slice(0, 10).every(Boolean)).toBe(true);
    expect(taken.slice(10)).toEqual([false, false]);
  });

  it('refills at rate tokens per second', () => {
    const budget = new EventBudget(4);
    const t0 = performance.now();
    for (let i = 0; i < 8; i++) budget.take(t0);
    expect(budget.take(t0)).toBe(false);
    // 300 ms at 4/s: 1.2 tokens, so one event and not two
    expect(budget.take(t0 + 300)).toBe(true);
    expect(budget.take(t0 + 300)).toBe(false);
    // 1 s later: 4 more (plus the 0.2 left)
    const t1 = t0 + 1300;
    expect(Array.from({ length: 5 }, () => budget.take(t1))).toEqual([true, true, true, true, false]);
  });

  it('never holds more than 2 × rate tokens, however long it was idle', () => {
    const budget = new EventBudget(3);
    const later = performance.now() + 60_000;
    const taken = Array.from({ length: 10 }, () => budget.take(later));
    expect(taken.filter(Boolean)).toHaveLength(6);
  });

  it('lets everything through at rate 0', () => {
    const budget = new EventBudget(0);
    const now = performance.now();
    expect(Array.from({ length: 1000 }, () => budget.take(now)).every(Boolean)).toBe(true);
  });

  it('caps the tokens when setRate lowers the rate', () => {
    const budget = new EventBudget(10); // 20 tokens
    budget.setRate(1); // at most 2
    const now = performance.now();
    expect([budget.take(now), budget.take(now), budget.take(now)]).toEqual([true, true, false]);
  });

  it('keeps the tokens it has when setRate raises the rate, and refills at the new rate', () => {
    const budget = new EventBudget(1);
    const t0 = performance.now();
    expect([budget.take(t0), budget.take(t0), budget.take(t0)]).toEqual([true, true, false]);
    budget.setRate(10);
    expect(budget.take(t0)).toBe(false); // not topped up by the change
    // 250 ms at 10/s: 2.5 tokens
    const t1 = t0 + 250;
    expect([budget.take(t1), budget.take(t1), budget.take(t1)]).toEqual([true, true, false]);
  });

  it('becomes unlimited when setRate(0), and limited again after', () => {
    const budget = new EventBudget(1);
    const now = performance.now();
    budget.take(now);
    budget.take(now);
    expect(budget.take(now)).toBe(false);
    budget.setRate(0);
    expect(Array.from({ length: 50 }, () => budget.take(now)).every(Boolean)).toBe(true);
    budget.setRate(1);
    expect(budget.take(now)).toBe(false);
  });

  it('a clock that steps back neither adds nor removes tokens', () => {
    const start = performance.now();
    const budget = new EventBudget(5);
    let allowed = 0;
    for (let i = 0; i < 12; i++) if (budget.take(start - 1000)) allowed++;
    expect(allowed).toBe(10);
  });
});

interface Published {
  topic: string;
  payload: Record<string, unknown>;
}

/** A sink that records what it publishes and which events it was asked to admit. */
function fakeSink(over: Partial<ProgressSink> = {}) {
  const published: Published[] = [];
  const admitted: ProgressEventName[] = [];
  const log = recordingLogger();
  const sink = {
    enabled: () => true,
    admit: (event: ProgressEventName) => {
      admitted.push(event);
      return true;
    },
    agentId: () => 'writer-1',
    publish: (topic: string, payload: string) => {
      published.push({ topic, payload: JSON.parse(payload) as Record<string, unknown> });
      return Promise.resolve();
    },
    log,
    ...over,
  } satisfies ProgressSink;
  return { sink, published, admitted, log };
}

/** Let rejected publishes reach their catch handler. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('emitProgress', () => {
  it('publishes the event as JSON on the agent’s progress topic', () => {
    const { sink, published } = fakeSink();
    emitProgress(sink, 'tool_result', { tool: 'echo', duration_ms: 3 }, IDS);
    expect(published).toEqual([
      {
        topic: '/control/agents/writer-1/progress',
        payload: {
          agent_id: 'writer-1',
          task_id: IDS.taskId,
          conversation_id: 'conv-1',
          timestamp: expect.stringMatching(ISO_UTC) as unknown,
          event: 'tool_result',
          data: { tool: 'echo', duration_ms: 3 },
        },
      },
    ]);
  });

  it('publishes nothing when progress is disabled (and asks no admission)', () => {
    const { sink, published, admitted } = fakeSink({ enabled: () => false });
    emitProgress(sink, 'task_started', {}, IDS);
    emitProgress(sink, 'config_reloaded', {});
    expect(published).toEqual([]);
    expect(admitted).toEqual([]);
  });

  it('sends task events through admit, and drops those it refuses', () => {
    let allow = true;
    const admitted: ProgressEventName[] = [];
    const { sink, published } = fakeSink({
      admit: (event) => {
        admitted.push(event);
        return allow;
      },
    });
    emitProgress(sink, 'tool_call', { n: 1 }, IDS);
    allow = false;
    emitProgress(sink, 'tool_call', { n: 2 }, IDS);
    expect(admitted).toEqual(['tool_call', 'tool_call']);
    expect(published.map((p) => p.payload.data)).toEqual([{ n: 1 }]);
  });

  it('does not rate-limit events about the agent (no task ids)', () => {
    const { sink, published, admitted } = fakeSink({ admit: () => false });
    emitProgress(sink, 'config_rejected', { code: 'AGENT_ERR_CONFIG_INVALID' });
    expect(admitted).toEqual([]);
    expect(published).toHaveLength(1);
    expect(published[0]!.payload).not.toHaveProperty('task_id');
    expect(published[0]!.payload).toMatchObject({ event: 'config_rejected' });
  });

  it('reads the agent id at each event', () => {
    let id = 'first';
    const { sink, published } = fakeSink({ agentId: () => id });
    emitProgress(sink, 'task_started', {}, IDS);
    id = 'second';
    emitProgress(sink, 'task_started', {}, IDS);
    expect(published.map((p) => [p.topic, p.payload.agent_id])).toEqual([
      ['/control/agents/first/progress', 'first'],
      ['/control/agents/second/progress', 'second'],
    ]);
  });

  it('logs a rejected publish at debug and never throws', async () => {
    const { sink, log } = fakeSink({ publish: () => Promise.reject(new Error('not connected')) });
    expect(() => emitProgress(sink, 'task_completed', {}, IDS)).not.toThrow();
    await settle();
    expect(log.entries).toEqual([
      {
        level: 'debug',
        bindings: {},
        obj: { err: new Error('not connected'), event: 'task_completed' },
        msg: 'progress event not sent',
      },
    ]);
  });

  it('logs a publish that throws synchronously at debug and never throws', async () => {
    const { sink, log } = fakeSink({
      publish: () => {
        throw new Error('closed');
      },
    });
    expect(() => emitProgress(sink, 'task_failed', {}, IDS)).not.toThrow();
    await settle();
    expect(log.entries.map((e) => [e.level, (e.obj as { err: Error }).err.message])).toEqual([
      ['debug', 'closed'],
    ]);
  });

  it('wraps a thrown non-Error in an Error for the log', async () => {
    const { sink, log } = fakeSink({
      publish: () => {
        throw 'plain string'; // eslint-disable-line @typescript-eslint/only-throw-error -- what a careless sink might do
      },
    });
    emitProgress(sink, 'task_failed', {}, IDS);
    await settle();
    const err = (log.entries[0]!.obj as { err: unknown }).err;
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('plain string');
  });

  it('does not wait for the publish', () => {
    const { sink, published } = fakeSink({
      publish: (topic, payload) => {
        published.push({ topic, payload: JSON.parse(payload) as Record<string, unknown> });
        return new Promise(() => undefined); // never settles
      },
    });
    emitProgress(sink, 'task_started', {}, IDS);
    expect(published).toHaveLength(1);
  });
});
