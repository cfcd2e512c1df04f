// `agent2389 inject --capability / --query` against a real mosquitto: discovery from retained status
// messages (fake agents published by a probe), --preview-only, the "no agent" exit, the sent v2 envelope,
// and --wait following a routed conversation played by fake agents (progress events + responses).
import { randomUUID } from 'node:crypto';

import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { EXIT_NO_AGENT } from '../../../src/cli/inject.js';
import { parseEnvelope } from '../../../src/core/protocol/envelope.js';
import { runCliInProcess } from '../../helpers/cli-in-process.js';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto.js';
import { connectProbe } from '../../helpers/mqtt-probe.js';
import { needs } from '../../helpers/require-tool.js';

let broker: Mosquitto;

const statusOf = (id: string, capabilities: string[], load: number) =>
  JSON.stringify({
    agent_id: id,
    status: 'available',
    timestamp: new Date().toISOString(),
    capabilities,
    tools: [],
    load,
    version: '0.0.0-test',
  });

const inject = (...args: string[]) => runCliInProcess(['inject', '--broker-url', broker.url, ...args]);

needs('mosquitto').describe('agent2389 inject --capability (mosquitto)', () => {
  beforeAll(async () => {
    broker = await startMosquitto({ persistence: false });
    const seed = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clean: true });
    const retain = (id: string, capabilities: string[], load: number) =>
      seed.publishAsync(`/control/agents/${id}/status`, statusOf(id, capabilities, load), {
        qos: 1,
        retain: true,
      });
    // Two agents with the capability (loads 2 and 0) and a third, idle, with another one.
    await retain('sum-busy', ['Summarize'], 2);
    await retain('sum-idle', ['summarize', 'x'], 0);
    await retain('aaa-other', ['translate'], 0);
    await seed.endAsync();
  });
  afterAll(() => broker?.stop());

  it('--preview-only: the lowest load among the agents with the capability (case-insensitive), nothing sent', async () => {
    const probe = await connectProbe(broker.url);
    await probe.subscribe('/control/agents/+/input');
    const r = await inject('--capability', 'SUMMARIZE', '--query', 'Summarise MQTT 5', '--preview-only');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('chose sum-idle');
    const envelope = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(envelope).toMatchObject({
      topic: '/control/agents/sum-idle/input',
      version: '2.0',
      instruction: 'Summarise MQTT 5',
      context: { original_query: 'Summarise MQTT 5', steps_completed: [], iteration_count: 0 },
    });
    expect(parseEnvelope(envelope, 'sum-idle').ok).toBe(true);
    expect(probe.on('/control/agents/sum-idle/input')).toEqual([]);
  });

  it(`no routable agent with the capability: exit ${EXIT_NO_AGENT}, nothing sent`, async () => {
    const r = await inject('--capability', 'juggling', '--query', 'q', '--discovery-timeout', '0.5');
    expect(r.code).toBe(EXIT_NO_AGENT);
    expect(r.stderr).toContain('"juggling"');
    expect(r.stdout).toBe('');
  });

  it('an unavailable or stale status is not chosen', async () => {
    const probe = await connectProbe(broker.url);
    await probe.publish(
      '/control/agents/cap-stale/status',
      JSON.stringify({
        ...JSON.parse(statusOf('cap-stale', ['rare'], 0)),
        timestamp: '2020-01-01T00:00:00Z',
      }),
      { retain: true },
    );
    await probe.publish(
      '/control/agents/cap-down/status',
      JSON.stringify({ ...JSON.parse(statusOf('cap-down', ['rare'], 0)), status: 'unavailable' }),
      { retain: true },
    );
    const r = await inject('--capability', 'rare', '--message', 'm', '--discovery-timeout', '0.5');
    expect(r.code).toBe(EXIT_NO_AGENT);
  });

  it('sends the v2 envelope to the chosen agent input topic', async () => {
    const sink = await connectProbe(broker.url);
    await sink.subscribe('/control/agents/sum-idle/input');
    const conversation = `conv-${randomUUID().slice(0, 8)}`;
    const r = await inject(
      '--capability',
      'summarize',
      '--query',
      'one query',
      '--conversation-id',
      conversation,
    );
    expect(r.code).toBe(0);
    const [got] = await sink.waitFor('/control/agents/sum-idle/input');
    const envelope = got!.json();
    expect(parseEnvelope(envelope, 'sum-idle').ok).toBe(true);
    expect(envelope).toMatchObject({
      conversation_id: conversation,
      topic: '/control/agents/sum-idle/input',
      version: '2.0',
      instruction: 'one query',
      context: { original_query: 'one query', steps_completed: [], iteration_count: 0 },
    });
    expect(r.stderr).toContain(`sent task ${String(envelope.task_id)} to /control/agents/sum-idle/input`);
  });

  it('--wait follows a routed conversation: each decision on stderr, the final response on stdout', async () => {
    // Fake agents: sum-idle routes to sum-busy (a new task id), which completes.
    const agents = await connectProbe(broker.url);
    await agents.subscribe('/control/agents/sum-idle/input');
    const play = (async () => {
      const [task] = await agents.waitFor('/control/agents/sum-idle/input', 1, 30_000);
      const { task_id: t1, conversation_id: conv } = task!.json() as {
        task_id: string;
        conversation_id: string;
      };
      const t2 = randomUUID();
      const event = (agent: string, taskId: string, name: string, data: Record<string, unknown> = {}) =>
        agents.publish(
          `/control/agents/${agent}/progress`,
          JSON.stringify({
            agent_id: agent,
            task_id: taskId,
            conversation_id: conv,
            timestamp: new Date().toISOString(),
            event: name,
            data,
          }),
        );
      await event('sum-idle', t1, 'task_started');
      await event('sum-idle', t1, 'routing_decision', {
        from: 'sum-idle',
        to: 'sum-busy',
        outcome: 'forward',
        reason: 'needs polish',
        router: 'gatekeeper',
        duration_ms: 3,
        task_id: t2,
      });
      await event('sum-busy', t2, 'task_started');
      await event('sum-busy', t2, 'routing_decision', {
        from: 'sum-busy',
        to: null,
        outcome: 'complete',
        reason: 'done',
        router: 'gatekeeper',
        duration_ms: 2,
      });
      await agents.publish(
        `/conversations/${conv}/sum-busy`,
        JSON.stringify({ task_id: t2, response: 'polished' }),
      );
    })();
    const r = await inject('--capability', 'summarize', '--query', 'routed', '--wait', '60');
    await play;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('polished\n');
    const lines = r.stderr.split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(at(/^\[1\] sum-idle +started$/)).toBeGreaterThan(-1);
    expect(at(/^\[1\] sum-idle +→ sum-busy · gatekeeper 3 ms · "needs polish"$/)).toBeGreaterThan(
      at(/^\[1\] sum-idle +started/),
    );
    expect(at(/^\[2\] sum-busy +complete · gatekeeper 2 ms · "done"$/)).toBeGreaterThan(
      at(/^\[2\] sum-busy +started/),
    );
    expect(at(/^response from sum-busy after /)).toBeGreaterThan(at(/^\[2\] sum-busy +complete/));
  });
});
