// Tests for the in-memory broker and transport: wildcards, retained messages, Last Will, async delivery.
import { describe, expect, it, vi } from 'vitest';
import { createMemoryBroker, topicMatches } from '../../../src/core/transport/memory.js';
import type { InboundMessage, TransportHandlers } from '../../../src/core/transport/transport.js';

function recorder(): TransportHandlers & {
  messages: InboundMessage[];
  connects: unknown[];
  disconnects: string[];
} {
  const messages: InboundMessage[] = [];
  const connects: unknown[] = [];
  const disconnects: string[] = [];
  return {
    messages,
    connects,
    disconnects,
    onMessage: (m) => void messages.push(m),
    onConnect: (info) => connects.push(info),
    onDisconnect: (reason) => disconnects.push(reason),
  };
}

const text = (m: InboundMessage): string =>
  `${m.topic}=${m.payload.toString()}${m.retain ? ' (retained)' : ''}`;

describe('topicMatches', () => {
  it.each([
    ['a/b', 'a/b', true],
    ['a/+', 'a/b', true],
    ['a/+', 'a/b/c', false],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['+/+/input', '/control/input', true],
    ['/control/agents/+/status', '/control/agents/x/status', true],
    ['/control/agents/+/status', '/control/agents/x/input', false],
    ['#', '/anything/at/all', true],
    ['#', '$SYS/broker', false],
    ['a/b', 'a/b/c', false],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});

describe('memory broker', () => {
  it('routes by wildcard filter, asynchronously', async () => {
    const broker = createMemoryBroker();
    const sub = broker.createTransport({ clientId: 'sub' });
    const pub = broker.createTransport({ clientId: 'pub' });
    const h = recorder();
    await sub.connect(h);
    await pub.connect(recorder());
    await sub.subscribe('/conversations/+/agent-a');
    await pub.publish('/conversations/c1/agent-a', 'one');
    await pub.publish('/conversations/c1/agent-b', 'other');
    await pub.publish('/conversations/c2/agent-a', 'two');
    await vi.waitFor(() =>
      expect(h.messages.map(text)).toEqual([
        '/conversations/c1/agent-a=one',
        '/conversations/c2/agent-a=two',
      ]),
    );
    expect(h.connects).toEqual([{ first: true, sessionPresent: false }]);
  });

  it('never delivers synchronously inside publish', async () => {
    const broker = createMemoryBroker();
    const t = broker.createTransport({ clientId: 't' });
    const h = recorder();
    await t.connect(h);
    await t.subscribe('x');
    void t.publish('x', 'now');
    expect(h.messages).toHaveLength(0);
    await vi.waitFor(() => expect(h.messages).toHaveLength(1));
  });

  it('delivers retained messages on subscribe with retain=true, live ones with retain=false', async () => {
    const broker = createMemoryBroker();
    broker.publish('/control/agents/a/status', 'available', { retain: true });
    expect(broker.retained('/control/agents/a/status')?.toString()).toBe('available');
    const t = broker.createTransport({ clientId: 't' });
    const h = recorder();
    await t.connect(h);
    await t.subscribe('/control/agents/+/status');
    await vi.waitFor(() =>
      expect(h.messages.map(text)).toEqual(['/control/agents/a/status=available (retained)']),
    );
    await t.publish('/control/agents/a/status', 'busy', { retain: true });
    await vi.waitFor(() => expect(h.messages.map(text)).toContain('/control/agents/a/status=busy'));
    expect(broker.retained('/control/agents/a/status')?.toString()).toBe('busy');
    broker.publish('/control/agents/a/status', '', { retain: true });
    expect(broker.retained('/control/agents/a/status')).toBeUndefined();
  });

  it('publishes the Will on crash but not on close', async () => {
    const broker = createMemoryBroker();
    const will = { topic: '/control/agents/a/status', payload: 'unavailable', retain: true };
    const spy = vi.fn();
    broker.subscribe('/control/agents/+/status', spy);
    const crashing = broker.createTransport({ clientId: 'a', will });
    const h = recorder();
    await crashing.connect(h);
    crashing.crash();
    expect(crashing.connected).toBe(false);
    expect(h.disconnects).toEqual(['connection lost']);
    await vi.waitFor(() => expect(spy).toHaveBeenCalledTimes(1));
    expect(text(spy.mock.calls[0]![0] as InboundMessage)).toBe('/control/agents/a/status=unavailable');
    expect(broker.retained(will.topic)?.toString()).toBe('unavailable');
    await expect(crashing.publish('x', 'y')).rejects.toMatchObject({ code: 'AGENT_ERR_TRANSPORT_CLOSED' });

    broker.publish(will.topic, '', { retain: true });
    const closing = broker.createTransport({ clientId: 'b', will });
    await closing.connect(recorder());
    await closing.close();
    await closing.close();
    await new Promise((r) => setImmediate(r));
    expect(spy).toHaveBeenCalledTimes(2); // only the test's own clearing publish
    expect(broker.retained(will.topic)).toBeUndefined();
  });

  it('crash with reconnect drops subscriptions and reconnects with first=false', async () => {
    const broker = createMemoryBroker();
    const t = broker.createTransport({ clientId: 't' });
    const h = recorder();
    await t.connect(h);
    await t.subscribe('in');
    t.crash({ reconnect: true });
    const pending = t.publish('out', 'queued while down');
    const spy = vi.fn();
    broker.subscribe('out', spy);
    await vi.waitFor(() => expect(h.connects).toHaveLength(2));
    expect(h.connects[1]).toEqual({ first: false, sessionPresent: false });
    await pending;
    await vi.waitFor(() => expect(spy).toHaveBeenCalledTimes(1));
    broker.publish('in', 'lost: not subscribed any more');
    await new Promise((r) => setImmediate(r));
    expect(h.messages).toHaveLength(0);
    await t.close();
  });

  it('a throwing onMessage does not break delivery to others', async () => {
    const broker = createMemoryBroker();
    const bad = broker.createTransport({ clientId: 'bad' });
    const good = broker.createTransport({ clientId: 'good' });
    const h = recorder();
    await bad.connect({
      ...recorder(),
      onMessage: () => {
        throw new Error('boom');
      },
    });
    await good.connect(h);
    await bad.subscribe('#');
    await good.subscribe('#');
    broker.publish('t', 'x');
    await vi.waitFor(() => expect(h.messages).toHaveLength(1));
  });

  it('rejects everything after close', async () => {
    const t = createMemoryBroker().createTransport({ clientId: 't' });
    await t.close();
    await expect(t.connect(recorder())).rejects.toMatchObject({ code: 'AGENT_ERR_TRANSPORT_CLOSED' });
    await expect(t.subscribe('x')).rejects.toMatchObject({ code: 'AGENT_ERR_TRANSPORT_CLOSED' });
  });

  it('manualAck: redelivers what was not acknowledged to the next session of that client id', async () => {
    const broker = createMemoryBroker();
    const first = broker.createTransport({ clientId: 'agent', manualAck: true });
    const seen: Array<{ text: string; ack: () => void }> = [];
    await first.connect({
      ...recorder(),
      onMessage: (m, ack) => void seen.push({ text: m.payload.toString(), ack }),
    });
    await first.subscribe('in');
    broker.publish('in', 'task-0');
    broker.publish('in', 'task-1');
    await vi.waitFor(() => expect(seen.map((s) => s.text)).toEqual(['task-0', 'task-1']));
    seen[0]!.ack();
    await first.close();
    const again = broker.createTransport({ clientId: 'agent' });
    const h = recorder();
    await again.connect(h);
    expect(h.connects).toEqual([{ first: true, sessionPresent: true }]);
    await vi.waitFor(() => expect(h.messages.map(text)).toEqual(['in=task-1']));
  });

  it.each([
    ['U+0001', '/conversations/c\u0001/a'],
    ['U+0085', '/conversations/c\u0085/a'],
    ['U+FFFF', '/conversations/c\uffff/a'],
    ['a lone surrogate', '/conversations/c\ud800/a'],
    ['70 000 bytes', `/conversations/${'c'.repeat(70_000)}/a`],
    ['a wildcard', '/conversations/+/a'],
  ])('FR-006: refuses to publish to a topic holding %s, as the MQTT transport does', async (_name, topic) => {
    const broker = createMemoryBroker();
    const spy = vi.fn();
    broker.subscribe('#', spy);
    const t = broker.createTransport({ clientId: 't' });
    await t.connect(recorder());
    const refused = t.publish(topic, 'x');
    await expect(refused).rejects.toMatchObject({ code: 'AGENT_ERR_TRANSPORT_PUBLISH' });
    const { data } = (await refused.catch((e: unknown) => e)) as { data: { topic: string } };
    expect(data.topic.length).toBeLessThan(300); // quoted, bounded
    await t.publish('/conversations/c/a', 'good');
    await vi.waitFor(() => expect(spy).toHaveBeenCalledTimes(1));
    expect(text(spy.mock.calls[0]![0] as InboundMessage)).toBe('/conversations/c/a=good');
  });

  it('refuses to subscribe to an invalid topic filter', async () => {
    const t = createMemoryBroker().createTransport({ clientId: 't' });
    await t.connect(recorder());
    for (const filter of ['a+', '/#/x', 'a\u0001', ''])
      await expect(t.subscribe(filter)).rejects.toMatchObject({ code: 'AGENT_ERR_TRANSPORT_SUBSCRIBE' });
    await expect(t.unsubscribe('a#')).rejects.toMatchObject({ code: 'AGENT_ERR_TRANSPORT_SUBSCRIBE' });
    await t.subscribe('/control/agents/+/status');
  });
});
