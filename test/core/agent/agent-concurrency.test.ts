// start(), stop() and applyConfig() each share one promise between concurrent calls, and the agent's
// state follows the lifecycle table while they run (in-memory broker).
import { describe, expect, it, vi } from 'vitest';

import type { AgentState } from '../../../src/core/agent/events.js';
import { parseConfigText } from '../../../src/core/config/load.js';
import type { AgentConfig } from '../../../src/core/config/schema.js';
import { rejected } from '../../helpers/thrown.js';
import { envelope, fakeProvider, makeHarness, toml, type Harness } from '../../helpers/agent-harness.js';

const waitFor = <T>(fn: () => T): Promise<T> => vi.waitFor(fn, { timeout: 3000, interval: 5 });
const configOf = (text: string): AgentConfig => parseConfigText(text, 'test.toml', { env: {} }).config;

/** A provider whose verify() waits for `release()` (or its signal); answers "ok". */
function gatedVerify(id: string) {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  let verifying = false;
  const factory = fakeProvider(id, {
    verify: ({ signal }) => {
      verifying = true;
      return new Promise<void>((resolve, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
        void gate.then(resolve);
      });
    },
    doGenerate: () => Promise.resolve({ text: 'ok', toolCalls: [], finishReason: 'stop' }),
  });
  return { factory, release: () => release(), verifying: () => verifying };
}

/** Status messages of `id` by status (`unavailable` is only ever published retained), and lifecycle events. */
function watch(h: Harness, id: string) {
  const status = h.collect(`/control/agents/${id}/status`);
  const events = { ready: 0, stopped: 0, reloaded: 0 };
  h.agent.on('ready', () => events.ready++);
  h.agent.on('stopped', () => events.stopped++);
  h.agent.on('reloaded', () => events.reloaded++);
  const retained = (s: 'available' | 'unavailable'): number =>
    status.filter((m) => m.body.status === s).length;
  return { events, retained };
}

describe('one shared promise per lifecycle call', () => {
  it('two concurrent stop() calls publish unavailable once and emit stopped once', async () => {
    const h = makeHarness(toml('cc1'));
    const w = watch(h, 'cc1');
    await h.agent.start();
    const [a, b] = [h.agent.stop(), h.agent.stop()];
    await Promise.all([a, b]);
    expect(w.retained('unavailable')).toBe(1);
    expect(w.events.stopped).toBe(1);
    expect(b).toBe(a);
    expect(h.agent.state).toBe('stopped');
    await h.agent.stop(); // later calls resolve at once, doing nothing again
    expect(w.retained('unavailable')).toBe(1);
    expect(w.events.stopped).toBe(1);
  });

  it('two concurrent start() calls run one startup; both resolve', async () => {
    const h = makeHarness(toml('cc2'));
    const w = watch(h, 'cc2');
    const [a, b] = [h.agent.start(), h.agent.start()];
    expect(b).toBe(a);
    await Promise.all([a, b]);
    expect(h.agent.state).toBe('running');
    expect(h.agent.generation).toBe(1);
    expect(w.events.ready).toBe(1);
    expect(w.retained('available')).toBe(1);
    await h.agent.start(); // while running: the same (settled) startup
    expect(w.events.ready).toBe(1);
  });

  it('stop() during start() cancels the startup: start rejects, nothing announced, stopped once', async () => {
    const slow = gatedVerify('gated-start');
    const h = makeHarness(toml('cc3').replace('"scripted"', '"gated-start"'), { providers: [slow.factory] });
    const w = watch(h, 'cc3');
    const starting = h.agent.start();
    await waitFor(() => expect(slow.verifying()).toBe(true));
    expect(h.agent.state).toBe('starting');
    const stops = [h.agent.stop(), h.agent.stop()];
    expect(stops[1]).toBe(stops[0]);
    await Promise.all(stops);
    // The verification step was cancelled, not failed: start() rejects with the shutdown's ERR_CLOSED.
    expect((await rejected(starting)).code).toBe('AGENT_ERR_CLOSED');
    expect(h.agent.state).toBe('stopped');
    expect(w.retained('available')).toBe(0);
    expect(w.events).toMatchObject({ ready: 0, stopped: 1 });
    expect((await rejected(h.agent.start())).code).toBe('AGENT_ERR_CLOSED');
  });

  it('a failing startup ends in failed, and start() again gives the same error', async () => {
    const bad = fakeProvider('bad-verify', {
      verify: () => Promise.reject(new Error('no key')),
      doGenerate: () => Promise.resolve({ text: '', toolCalls: [], finishReason: 'stop' }),
    });
    const h = makeHarness(toml('cc4').replace('"scripted"', '"bad-verify"'), { providers: [bad] });
    const first = await rejected(h.agent.start());
    expect(h.agent.state).toBe('failed');
    expect(await rejected(h.agent.start())).toBe(first);
    await h.agent.stop();
    expect(h.agent.state).toBe('failed');
  });

  it('applyConfig with an equal config shares the pending reload; a different one queues after it', async () => {
    const h = makeHarness(toml('cc5'));
    const w = watch(h, 'cc5');
    await h.agent.start();
    const text = toml('cc5', 'task_timeout = 10');
    const a = h.agent.applyConfig(configOf(text));
    const b = h.agent.applyConfig(configOf(text)); // equal, not the same object
    const forced = h.agent.applyConfig(configOf(text), { force: true }); // a different request
    expect(b).toBe(a);
    expect(forced).not.toBe(a);
    const c = h.agent.applyConfig(configOf(toml('cc5', 'task_timeout = 20')));
    expect((await a).generation).toBe(2);
    expect((await forced).generation).toBe(3);
    expect((await c).generation).toBe(4);
    expect(w.events.reloaded).toBe(3);
    // Settled: the same config again is a new call, which finds nothing to change.
    const again = h.agent.applyConfig(configOf(toml('cc5', 'task_timeout = 20')));
    expect(again).not.toBe(c);
    expect((await again).generation).toBe(4);
    expect(w.events.reloaded).toBe(3);
  });
});

describe('states while reloading and stopping', () => {
  it('a reload is `reloading` and still serving (ready, answering); stop() waits for it, then drains', async () => {
    const next = gatedVerify('gated-reload');
    const h = makeHarness(toml('cc6'), { providers: [next.factory] });
    const w = watch(h, 'cc6');
    const out = h.collect('/conversations/#');
    const states: AgentState[] = [];
    await h.agent.start();
    const reload = h.agent.applyConfig(configOf(toml('cc6').replace('"scripted"', '"gated-reload"')));
    await waitFor(() => expect(next.verifying()).toBe(true));
    expect(h.agent.state).toBe('reloading');
    expect(h.agent.readiness).toEqual({ ready: true });
    expect(h.agent.healthReport().checks.task_processing.status).toBe('ok');
    h.send(envelope('cc6'));
    await waitFor(() => expect(out).toHaveLength(1)); // served by generation 1 meanwhile
    const stopping = h.agent.stop();
    expect(h.agent.readiness.ready).toBe(false); // not ready from the first moment of the shutdown
    states.push(h.agent.state);
    next.release();
    expect((await reload).generation).toBe(2);
    await stopping;
    states.push(h.agent.state);
    expect(states).toEqual(['reloading', 'stopped']);
    expect(w.retained('unavailable')).toBe(1);
    expect(w.events.stopped).toBe(1);
    expect((await rejected(h.agent.applyConfig(configOf(toml('cc6', 'task_timeout = 9'))))).code).toBe(
      'AGENT_ERR_CLOSED',
    );
  });

  it('while draining the agent is not ready and says so; tasks in flight finish first', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const slow = fakeProvider('slow-task', {
      doGenerate: async () => {
        await gate;
        return { text: 'finished', toolCalls: [], finishReason: 'stop' };
      },
    });
    const h = makeHarness(toml('cc7').replace('"scripted"', '"slow-task"'), { providers: [slow] });
    const out = h.collect('/conversations/#');
    await h.agent.start();
    h.send(envelope('cc7'));
    await waitFor(() => expect(h.agent.load).toBeGreaterThan(0));
    const stopping = h.agent.stop();
    await waitFor(() => expect(h.agent.state).toBe('draining'));
    expect(h.agent.readiness).toEqual({ ready: false, reason: 'the agent is draining' });
    expect(h.agent.healthReport().checks.task_processing).toMatchObject({ status: 'degraded' });
    release();
    await stopping;
    expect(out.map((m) => m.body.response)).toEqual(['finished']);
  });
});
