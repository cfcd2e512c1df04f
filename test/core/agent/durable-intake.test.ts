// Durable intake on the in-memory broker (docs/scaling.md): a task's message is acknowledged only once
// its answer is published and recorded, so an agent that dies first gets it again in its next session;
// a redelivery of an answered task is acknowledged without running or publishing again.
import { describe, expect, it, vi } from 'vitest';

import { MemoryDedupeStore } from '../../../src/core/delivery/memory-dedupe-store.js';
import { createMemoryBroker } from '../../../src/core/transport/memory.js';
import { envelope, fakeProvider, makeHarness, toml } from '../../helpers/agent-harness.js';

const waitFor = <T>(fn: () => T): Promise<T> => vi.waitFor(fn, { timeout: 5000, interval: 5 });
const memoryStore = '[dedupe]\nstore = "memory"\n';

/** A provider that answers each call only when `release()` is called; counts its calls. */
function gated() {
  let releases: Array<() => void> = [];
  let calls = 0;
  const factory = fakeProvider('gated', {
    doGenerate: async () => {
      calls += 1;
      await new Promise<void>((r) => releases.push(r));
      return { text: 'done', toolCalls: [], finishReason: 'stop' };
    },
  });
  return {
    factory,
    calls: () => calls,
    release: () => {
      for (const r of releases) r();
      releases = [];
    },
  };
}

describe('durable intake: acknowledged once answered', () => {
  it('a task whose agent dies before answering is delivered again to the next session and answered once', async () => {
    const broker = createMemoryBroker();
    const first = gated();
    const cfg = toml('dur1', `${memoryStore}[llm]\nprovider = "gated"\n`.replace('[llm]', '\n[llm]'));
    const h1 = makeHarness(
      cfg.replace(/\[llm\]\nprovider = "scripted"\n/, ''),
      { providers: [first.factory] },
      broker,
    );
    const answers = h1.collect('/conversations/+/dur1');
    await h1.agent.start();
    const task = envelope('dur1');
    h1.send(task);
    await waitFor(() => expect(first.calls()).toBe(1));
    h1.transport().crash(); // like kill -9: no answer went out, the message was never acknowledged
    const second = gated();
    const h2 = makeHarness(
      cfg.replace(/\[llm\]\nprovider = "scripted"\n/, ''),
      { providers: [second.factory] },
      broker,
    );
    await h2.agent.start();
    await waitFor(() => expect(second.calls()).toBe(1));
    second.release();
    await waitFor(() => expect(answers).toHaveLength(1));
    expect(answers[0]!.body).toEqual({ task_id: task.task_id, response: 'done' });
    first.release(); // the dead agent's run ends; its answer cannot go out
    await h2.agent.stop();
    expect(answers).toHaveLength(1);
  });

  it('FR-010: a redelivered task already answered (crash after the record) is acknowledged, not run or answered again', async () => {
    const broker = createMemoryBroker();
    const store = new MemoryDedupeStore({ maxEntries: 100, ttlMs: 60_000 });
    const h1 = makeHarness(toml('dur2', memoryStore), { dedupeStore: store }, broker);
    const answers = h1.collect('/conversations/+/dur2');
    const events: string[] = [];
    await h1.agent.start();
    const task = envelope('dur2');
    h1.send(task);
    await waitFor(() => expect(answers).toHaveLength(1));
    await h1.agent.stop();
    // The broker delivers the same task again (as after a crash between the record and the PUBACK).
    const h2 = makeHarness(toml('dur2', memoryStore), { dedupeStore: store }, broker);
    h2.agent.on('task:discarded', (e) => events.push(e.reason));
    await h2.agent.start();
    h2.send(task);
    await waitFor(() =>
      expect({ events, answers: answers.length }).toEqual({ events: ['duplicate task_id'], answers: 1 }),
    );
    const marker = envelope('dur2');
    h2.send(marker); // answered after the duplicate was handled: the queue is in order
    await waitFor(() => expect(answers.map((a) => a.body.task_id)).toEqual([task.task_id, marker.task_id]));
    await h2.agent.stop();
    // Nothing is left unacknowledged in the agent's session.
    const probe = broker.createTransport({ clientId: 'agent-dur2', manualAck: true });
    const connects: Array<{ sessionPresent: boolean }> = [];
    await probe.connect({ onMessage: () => {}, onConnect: (i) => connects.push(i), onDisconnect: () => {} });
    expect(connects).toEqual([{ first: true, sessionPresent: false }]);
    await probe.close();
  });
});
