// Discovery on a real Agent (in-memory broker): the registry fed by /control/agents/+/status on the
// agent's own connection, kept across a reconnect, shown in /health, never seen by the task intake.
import { describe, expect, it, onTestFinished, vi } from 'vitest';

import { staleAfterMs } from '../../../src/core/agent/agent-runtime.js';
import { parseConfigText } from '../../../src/core/config/load.js';
import { Agent } from '../../../src/core/agent/agent.js';
import type { AgentConfig } from '../../../src/core/config/schema.js';
import { createMemoryBroker, type MemoryBroker } from '../../../src/core/transport/memory.js';
import { FIRST_PARTY_PLUGINS_DIR } from '../../../src/plugin-sources.js';
import { makeHarness, toml } from '../../helpers/agent-harness.js';

const waitFor = <T>(fn: () => T): Promise<T> => vi.waitFor(fn, { timeout: 3000, interval: 5 });
const configOf = (text: string): AgentConfig => parseConfigText(text, 'test.toml', { env: {} }).config;
const routableIds = (h: ReturnType<typeof makeHarness>): string[] =>
  h.agent.registry.routable().map((a) => a.id);

/** Two agents on one broker, both started. */
async function pair() {
  const broker = createMemoryBroker();
  const a = makeHarness(toml('disc-a'), {}, broker);
  const b = makeHarness(toml('disc-b'), {}, broker);
  await a.agent.start();
  await b.agent.start();
  await waitFor(() => expect(routableIds(a)).toEqual(['disc-a', 'disc-b']));
  await waitFor(() => expect(routableIds(b)).toEqual(['disc-a', 'disc-b']));
  return { broker, a, b };
}

describe('discovery in a running agent', () => {
  it('each agent knows the other and itself, and /health lists them as routable', async () => {
    const { a } = await pair();
    const report = a.agent.healthReport();
    expect(report.routable_agents).toEqual([
      { agent_id: 'disc-a', capabilities: ['testing'], load: 0, last_seen: expect.any(String) as string },
      { agent_id: 'disc-b', capabilities: ['testing'], load: 0, last_seen: expect.any(String) as string },
    ]);
    const seen = Date.parse(report.routable_agents[1]!.last_seen);
    expect(Math.abs(Date.now() - seen)).toBeLessThan(60_000);
    expect(a.agent.registry.best('TESTING', { exclude: 'disc-a' })?.id).toBe('disc-b');
  });

  it('status messages never reach the task intake (no task received, discarded or rejected)', async () => {
    const { a } = await pair();
    const json = (await a.agent.metrics.snapshot()) as Record<string, Record<string, number>>;
    expect(json.tasks).toMatchObject({ tasks_received: 0, tasks_discarded: 0, tasks_rejected: 0 });
    expect(json.mqtt!.messages_received).toBe(0); // it counts what arrives on the input
  });

  it("an agent's Last Will removes it from the others' registries at once", async () => {
    const { a, b } = await pair();
    b.transport().crash();
    await waitFor(() => expect(routableIds(a)).toEqual(['disc-a']));
    expect(a.agent.registry.get('disc-b')).toBeUndefined();
  });

  it('after the transport reconnects, statuses are subscribed again', async () => {
    const { broker, a } = await pair();
    a.transport().crash({ reconnect: true }); // the broker forgot the subscriptions
    await new Promise<void>((resolve) => a.agent.once('reconnected', () => resolve()));
    broker.publish(
      '/control/agents/disc-c/status',
      JSON.stringify({ agent_id: 'disc-c', status: 'available', capabilities: [], load: 0.5 }),
      { retain: true },
    );
    await waitFor(() => expect(routableIds(a)).toContain('disc-c'));
  });

  it('ignores hostile statuses without disturbing the agent', async () => {
    const { broker, a } = await pair();
    broker.publish('/control/agents/disc-b/status', '{"agent_id":"disc-a","status":"unavailable"}');
    broker.publish('/control/agents/evil/status', Buffer.alloc(70_000, 0x7b));
    broker.publish(
      '/control/agents/disc-z/status',
      JSON.stringify({ agent_id: 'disc-z', status: 'available', load: 0 }),
    );
    await waitFor(() => expect(routableIds(a)).toContain('disc-z'));
    expect(routableIds(a)).toEqual(['disc-a', 'disc-b', 'disc-z']);
    expect(a.agent.registry.ignored).toBe(2);
    expect(a.agent.readiness.ready).toBe(true);
  });
});

describe('discovery across a reload that moves broker', () => {
  it('forgets the old broker’s agents and learns the new one’s from their retained statuses', async () => {
    const brokers = { 'mqtt://old:1883': createMemoryBroker(), 'mqtt://new:1883': createMemoryBroker() };
    const retain = (broker: MemoryBroker, id: string): void =>
      broker.publish(
        `/control/agents/${id}/status`,
        JSON.stringify({ agent_id: id, status: 'available', load: 0 }),
        {
          retain: true,
        },
      );
    retain(brokers['mqtt://old:1883'], 'on-old');
    retain(brokers['mqtt://new:1883'], 'on-new');
    const text = (url: string): string =>
      toml('mover').replace('broker_url = "embedded"', `broker_url = "${url}"`);
    const agent = new Agent(configOf(text('mqtt://old:1883')), {
      plugins: { firstPartyDir: FIRST_PARTY_PLUGINS_DIR },
      transport: (will, config) =>
        brokers[config.mqtt.broker_url as keyof typeof brokers].createTransport({
          clientId: 'agent-mover',
          will,
          manualAck: true,
        }),
    });
    onTestFinished(() => agent.stop());
    await agent.start();
    await waitFor(() => expect(agent.registry.routable().map((a) => a.id)).toEqual(['mover', 'on-old']));
    expect((await agent.applyConfig(configOf(text('mqtt://new:1883')))).reconnected).toBe(true);
    await waitFor(() => expect(agent.registry.routable().map((a) => a.id)).toEqual(['mover', 'on-new']));
  });
});

describe('staleAfterMs', () => {
  const config = (text: string) =>
    parseConfigText(
      `[agent]\nid = "s"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\n${text}`,
      't.toml',
      { env: {} },
    ).config;

  it('is 3 heartbeats by default', () => {
    expect(staleAfterMs(config(''))).toBe(90_000);
    expect(staleAfterMs(config('[lifecycle]\nheartbeat_seconds = 10\n'))).toBe(30_000);
  });

  it('is [routing] stale_after_seconds when set', () => {
    expect(
      staleAfterMs(config('[lifecycle]\nheartbeat_seconds = 10\n[routing]\nstale_after_seconds = 7\n')),
    ).toBe(7_000);
  });
});
