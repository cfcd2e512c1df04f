// A publish the broker would refuse never poisons the persistent session (issue 14): invalid topics are
// refused before anything is written, a packet-writer failure is contained, and a refused publish
// (MQTT 5 PUBACK ≥ 0x80) is not re-sent. Against a real mosquitto that logs every packet it receives.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MqttClient, type IClientPublishOptions } from 'mqtt';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';

import { guardPacketWriter } from '../../../src/core/transport/mqtt-internals.js';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto.js';
import { WAIT, connected, defer, runCleanups, text, uniqueId } from './mqtt-harness.js';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });
afterEach(runCleanups);

// Any uncaught exception (the packet writer's TypeError used to escape on reconnect) is recorded here.
const uncaught: unknown[] = [];
const onUncaught = (err: unknown): number => uncaught.push(err);
process.on('uncaughtExceptionMonitor', onUncaught);
afterAll(() => process.off('uncaughtExceptionMonitor', onUncaught));
afterEach(() => {
  expect(uncaught).toEqual([]);
});

/** A mosquitto that logs every packet (log_type all), with persistence; stopped after the test. */
async function loudMosquitto(extraConfig: string[] = []): Promise<Mosquitto> {
  const m = await startMosquitto({ extraConfig: ['log_type all', ...extraConfig] });
  defer(() => m.stop());
  return m;
}

/** What mosquitto says when a client sent something it could not accept. */
const BROKER_COMPLAINT = /malformed|protocol error|bad socket/i;

const BAD_TOPICS: Array<[string, string]> = [
  ['70 000 bytes', `/conversations/${'c'.repeat(70_000)}/a`],
  ['U+0001', '/conversations/c\u0001/a'],
  ['U+0085', '/conversations/c\u0085/a'],
  ['U+FFFF', '/conversations/c\uffff/a'],
  ['a lone surrogate', '/conversations/c\ud800/a'],
];

describe.each([5, 4] as const)('MQTT %i: invalid topics never reach the broker', (version) => {
  it('FR-006, FR-011: refused with AGENT_ERR_TRANSPORT_PUBLISH; the session stays usable across a restart', async () => {
    const m = await loudMosquitto();
    const watcher = await connected(m.url, version);
    await watcher.t.subscribe('#');
    const clientId = uniqueId();
    const { t, h } = await connected(m.url, version, { clientId });

    for (const [, topic] of BAD_TOPICS) {
      const refused = t.publish(topic, 'bad');
      await expect(refused).rejects.toMatchObject({ code: 'AGENT_ERR_TRANSPORT_PUBLISH' });
      const { data } = (await refused.catch((e: unknown) => e)) as { data: { topic: string } };
      expect(data.topic.length).toBeLessThan(300); // a 70 000-byte topic is quoted, not copied
      await expect(t.subscribe(topic)).rejects.toMatchObject({ code: 'AGENT_ERR_TRANSPORT_SUBSCRIBE' });
    }
    await t.publish('/conversations/c/a', 'good 1');
    await vi.waitFor(() => expect(watcher.h.messages.map(text)).toContain('/conversations/c/a=good 1'), WAIT);
    expect(h.disconnects).toEqual([]); // the connection never dropped

    // A reconnect re-sends the persistent session's outgoing store: nothing bad is in it.
    await m.restart();
    await vi.waitFor(() => expect(h.connects).toHaveLength(2), WAIT);
    await t.publish('/conversations/c/a', 'good 2');
    await vi.waitFor(() => expect(watcher.h.messages.map(text)).toContain('/conversations/c/a=good 2'), WAIT);
    expect(watcher.h.messages.map(text).filter((s) => s.endsWith('=bad'))).toEqual([]);
    expect(m.output()).not.toMatch(BROKER_COMPLAINT);
    expect(m.output().match(new RegExp(`Received PUBLISH from ${clientId}`, 'g'))).toHaveLength(2);
  });
});

describe('the packet-writer guard (defence in depth behind the topic check)', () => {
  /** A raw mqtt.js client with a persistent session and the guard, as mqtt.ts builds it. */
  async function guardedClient(m: Mosquitto): Promise<{ c: MqttClient; failures: unknown[] }> {
    const c = new MqttClient(() => connect(m.port, m.host), {
      clientId: uniqueId(),
      protocolVersion: 5,
      clean: false,
      reconnectPeriod: 50,
      properties: { sessionExpiryInterval: 3600 },
    });
    const failures: unknown[] = [];
    guardPacketWriter(c, (err) => {
      failures.push(err);
      return Object.assign(new Error('write failed'), { code: 'TEST_WRITE_FAILED' });
    });
    c.on('error', () => undefined);
    defer(() => c.endAsync(true));
    await new Promise((resolve) => c.once('connect', resolve));
    return { c, failures };
  }

  // Two ways mqtt-packet fails a packet: it throws (after writing part of it), or destroys the stream.
  const POISON: Array<[string, string, IClientPublishOptions]> = [
    ['a 70 000-byte topic (the writer throws)', `/t/${'x'.repeat(70_000)}`, { qos: 1 }],
    [
      'an invalid MQTT 5 property (the writer destroys the stream)',
      '/t/bad-property',
      { qos: 1, properties: { messageExpiryInterval: 'never' as unknown as number } },
    ],
  ];

  it.each(POISON)(
    'FR-011: %s fails its callback, leaves nothing to re-send, and the client recovers',
    async (_name, topic, options) => {
      const m = await loudMosquitto();
      const { c, failures } = await guardedClient(m);
      let connects = 0;
      c.on('connect', () => connects++);
      const result = await new Promise<unknown>((resolve) =>
        c.publish(topic, 'bad', options, (err) => resolve(err)),
      );
      expect(result).toMatchObject({ code: 'TEST_WRITE_FAILED' });
      expect(failures).toHaveLength(1);
      expect(Object.keys(c.outgoing)).toEqual([]);
      const stored = await new Promise<number>((resolve) => {
        let n = 0;
        const s = c.outgoingStore.createStream();
        s.on('data', () => n++).on('end', () => resolve(n));
      });
      expect(stored).toBe(0);
      // The connection is dropped (bytes already buffered are garbage) and comes back; a poisoned
      // store would fail every reconnect the same way and this publish would never complete.
      await vi.waitFor(() => expect(connects).toBe(1), WAIT);
      await c.publishAsync('/t/good', 'good', { qos: 1 });
      expect(failures).toHaveLength(1);
      expect(m.output()).not.toMatch(BROKER_COMPLAINT);
      expect(m.output()).not.toMatch(/Received PUBLISH[^\n]*'\/t\/(xxx|bad-property)/);
    },
  );
});

describe('MQTT 5: a publish the broker refuses (PUBACK reason code ≥ 0x80)', () => {
  it('is rejected with AGENT_ERR_TRANSPORT_PUBLISH and not re-sent after a reconnect', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agent2389-acl-'));
    defer(() => rm(dir, { recursive: true, force: true }));
    const acl = join(dir, 'acl');
    await writeFile(acl, 'topic readwrite /allowed/#\n');
    const m = await loudMosquitto([`acl_file ${acl}`]);
    const clientId = uniqueId();
    const { t, h } = await connected(m.url, 5, { clientId });
    await expect(t.publish('/denied/x', 'refused')).rejects.toMatchObject({
      code: 'AGENT_ERR_TRANSPORT_PUBLISH',
      cause: { code: 0x87 }, // Not authorized
    });
    await m.restart();
    await vi.waitFor(() => expect(h.connects).toHaveLength(2), WAIT);
    await t.publish('/allowed/x', 'after the restart');
    expect(m.output().match(/Denied PUBLISH[^\n]*'\/denied\/x'/g)).toHaveLength(1);
  });
});
