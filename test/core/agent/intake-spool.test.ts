// The intake's memory bound (docs/scaling.md, the spool): whatever the broker sends, at most
// max_concurrent_tasks + prefetch_tasks messages not started are held in memory; the rest wait in the
// spool file, unacknowledged, and are taken in oldest first. Each task is still answered exactly once
// and acknowledged only after its answer.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it, onTestFinished, vi } from 'vitest';

import { Agent } from '../../../src/core/agent/agent.js';
import { resolveDataDir } from '../../../src/core/config/data-dir.js';
import { parseConfigText } from '../../../src/core/config/load.js';
import { createMemoryBroker } from '../../../src/core/transport/memory.js';
import type {
  Acknowledge,
  InboundMessage,
  Transport,
  TransportHandlers,
} from '../../../src/core/transport/transport.js';
import { FIRST_PARTY_PLUGINS_DIR } from '../../../src/plugin-sources.js';
import { envelope, fakeProvider, toml } from '../../helpers/agent-harness.js';

const waitFor = <T>(fn: () => T): Promise<T> => vi.waitFor(fn, { timeout: 30_000, interval: 10 });
const TASKS = 200;
const BOUND = 3; // max_concurrent_tasks 2 + prefetch_tasks 1

/** `t`, with each inbound message's acknowledgement replaced by `tap`'s, and `after` called once it is handled. */
function tapped(
  t: Transport,
  tap: (m: InboundMessage, ack: Acknowledge) => Acknowledge,
  after: () => void,
): Transport {
  const connect = (h: TransportHandlers): Promise<void> =>
    t.connect({
      ...h,
      onMessage: (m, ack) => {
        h.onMessage(m, tap(m, ack));
        after();
      },
    });
  return new Proxy(t, {
    get(target, prop) {
      if (prop === 'connect') return connect;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const taskIdOf = (payload: Buffer): string =>
  String((JSON.parse(payload.toString()) as { task_id: unknown }).task_id);

describe('intake: the spool bounds what waits in memory', () => {
  it(`a burst of ${TASKS} tasks: each answered once, acknowledged after its answer, started in order, at most ${BOUND} held in memory`, async () => {
    const id = 'spool-burst';
    const broker = createMemoryBroker();
    const peak = { held: 0, spooled: 0 };
    const started: string[] = [];
    const answers = new Map<string, number>();
    const acks = new Map<string, number>();
    const early: string[] = [];
    /** The gauges, read at every message handled, task started and acknowledgement. */
    const sample = (): void => {
      const { sources } = agent.metrics;
      peak.held = Math.max(peak.held, sources.held());
      peak.spooled = Math.max(peak.spooled, sources.spooled());
    };
    const provider = fakeProvider('order', {
      doGenerate: async (req) => {
        sample();
        started.push(String(req.task?.instruction));
        await new Promise((r) => setImmediate(r)); // the broker delivers more meanwhile
        return { text: 'ok', toolCalls: [], finishReason: 'stop' };
      },
    });
    broker.subscribe(`/conversations/+/${id}`, (m) => {
      const taskId = taskIdOf(m.payload);
      answers.set(taskId, (answers.get(taskId) ?? 0) + 1);
    });
    // max_message_bytes 1024: the backlog keeps 16 KiB in memory, so most of the burst goes to the file.
    const text = toml(id, 'prefetch_tasks = 1\nmax_message_bytes = 1024\n')
      .replace('max_concurrent_tasks = 8', 'max_concurrent_tasks = 2')
      .replace('provider = "scripted"', 'provider = "order"')
      .concat('[dedupe]\nstore = "memory"\n');
    const { config } = parseConfigText(text, 'test.toml', { env: {} });
    // Only the tasks: the agents' status messages (discovery) are acknowledged on receipt.
    const track = (m: InboundMessage, ack: Acknowledge): Acknowledge =>
      m.topic !== `/control/agents/${id}/input`
        ? ack
        : () => {
            const taskId = taskIdOf(m.payload);
            if (!answers.has(taskId)) early.push(taskId);
            acks.set(taskId, (acks.get(taskId) ?? 0) + 1);
            sample();
            ack();
          };
    const agent = new Agent(config, {
      plugins: { firstPartyDir: FIRST_PARTY_PLUGINS_DIR },
      providers: [provider],
      transport: (will) =>
        tapped(broker.createTransport({ clientId: `agent-${id}`, will, manualAck: true }), track, sample),
    });
    onTestFinished(() => agent.stop());
    await agent.start();

    const tasks = Array.from({ length: TASKS }, (_, n) => envelope(id, { instruction: `task ${n}` }));
    for (const t of tasks) broker.publish(String(t.topic), JSON.stringify(t));
    await waitFor(() => expect(acks.size).toBe(TASKS));

    expect(early).toEqual([]);
    expect([...answers.values()].every((n) => n === 1) && answers.size).toBe(TASKS);
    expect([...acks.values()].every((n) => n === 1)).toBe(true);
    expect(started).toEqual(tasks.map((t) => t.instruction));
    expect(peak.held).toBeLessThanOrEqual(BOUND);
    expect(peak.spooled).toBeGreaterThan(TASKS / 2); // the burst did go to the spool
    const spoolFile = join(resolveDataDir(config, process.env), 'spool.sqlite');
    expect(existsSync(spoolFile)).toBe(true);
    await agent.stop();
    expect(existsSync(spoolFile)).toBe(false);
  });
});
