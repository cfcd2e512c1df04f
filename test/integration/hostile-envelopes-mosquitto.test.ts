// Issue 14, items 2 and 3, attacked the way a hostile publisher would: a real agent process on a real
// mosquitto receives envelopes whose conversation_id or next.topic would make a topic the broker
// rejects as malformed (closing the connection; the stored publish re-sent on every reconnect kept the
// agent off the broker for good), and inputs nested 10 000 levels deep. After each, the agent must
// still be connected and answer a normal task.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { startAgentProcess, type AgentProcess } from '../helpers/agent-process.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { connectProbe, type Probe } from '../helpers/mqtt-probe.js';

const AGENT = 'it-hostile';
const INPUT = `/control/agents/${AGENT}/input`;

let broker: Mosquitto;
let agent: AgentProcess;
let probe: Probe; // a fresh one per test (it is closed when its test finishes)

beforeAll(async () => {
  // log_type all: mosquitto says when a client sends a packet it cannot accept.
  broker = await startMosquitto({ extraConfig: ['log_type all'] });
  agent = await startAgentProcess(
    `[agent]\nid = "${AGENT}"\n[mqtt]\nbroker_url = "${broker.url}"\n[llm]\nprovider = "scripted"\n[tools]\necho = "builtin"\n`,
  );
}, 30_000);
afterAll(() => broker?.stop());

/** Subscribe a fresh probe (closed when its test finishes) to every conversation topic. */
async function listen(): Promise<void> {
  probe = await connectProbe(broker.url);
  await probe.subscribe('/conversations/#');
}

function task(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    task_id: randomUUID(),
    conversation_id: `c-${randomUUID().slice(0, 8)}`,
    topic: INPUT,
    instruction: 'hi',
    input: null,
    next: null,
    ...fields,
  };
}

const count = (text: string, needle: string): number => text.split(needle).length - 1;

/** The agent logged one more rejected task than `before`. */
async function rejected(before: number): Promise<void> {
  await vi.waitFor(() => expect(count(agent.output(), '"msg":"task rejected"')).toBeGreaterThan(before), {
    timeout: 10_000,
    interval: 20,
  });
}

/** A normal task gets its response: the agent is connected and serving. */
async function stillServing(): Promise<void> {
  const good = task();
  await probe.publish(INPUT, JSON.stringify(good));
  const [res] = await probe.waitFor(`/conversations/${String(good.conversation_id)}/${AGENT}`);
  expect(res!.json().task_id).toBe(good.task_id);
  expect(typeof res!.json().response).toBe('string');
  expect(agent.child.exitCode).toBeNull();
  // Never off the broker, not even for a reconnect; and the broker never saw a malformed packet.
  expect(agent.output()).not.toContain('MQTT connection lost');
  expect(broker.output()).not.toMatch(/malformed|protocol error/i);
}

// Each makes a topic that mosquitto closes the connection on (issue 14, item 2).
const HOSTILE: Array<[string, string]> = [
  ['U+0001', 'c\u0001'],
  ['U+0085', 'c\u0085'],
  ['U+FFFF', 'c\uffff'],
  ['a lone surrogate', 'c\ud800'], // sent as the JSON escape \ud800
  ['70 000 bytes', 'c'.repeat(70_000)],
];

describe('hostile envelopes against a real agent on mosquitto (issue 14)', () => {
  it.each(HOSTILE)(
    'FR-006, FR-011: a conversation_id holding %s is logged and dropped; the agent keeps serving',
    async (_name, conversationId) => {
      await listen();
      const before = count(agent.output(), '"msg":"task rejected"');
      const bad = task({ conversation_id: conversationId });
      await probe.publish(INPUT, JSON.stringify(bad));
      await rejected(before);
      await stillServing();
    },
  );

  it.each(HOSTILE)(
    'FR-006, FR-011: a next.topic holding %s is invalid_input on the conversation topic; the agent keeps serving',
    async (_name, text) => {
      await listen();
      const bad = task({ next: { topic: `/control/agents/${text}/input`, instruction: null } });
      await probe.publish(INPUT, JSON.stringify(bad));
      const [err] = await probe.waitFor(`/conversations/${String(bad.conversation_id)}/${AGENT}`);
      expect(err!.json()).toMatchObject({ task_id: bad.task_id, error: { code: 'invalid_input' } });
      await stillServing();
    },
  );

  it('FR-011: input nested 10 000 levels deep is invalid_input naming the limit; the agent keeps serving', async () => {
    await listen();
    const bad = task();
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    await probe.publish(INPUT, JSON.stringify(bad).replace('"input":null', `"input":${deep}`));
    const [err] = await probe.waitFor(`/conversations/${String(bad.conversation_id)}/${AGENT}`);
    const body = err!.json() as { task_id: string; error: { code: string; message: string } };
    expect(body).toMatchObject({ task_id: bad.task_id, error: { code: 'invalid_input' } });
    expect(body.error.message).toContain('128');
    await stillServing();
  });
});
