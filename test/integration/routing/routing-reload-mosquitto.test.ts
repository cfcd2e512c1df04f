// Live-editing [routing]: an agent process on mosquitto whose config file is edited while it runs. Each
// edit is a new generation; the next v2 task is routed by the router that edit describes.
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';

import { expect, onTestFinished, vi } from 'vitest';

import { startAgentProcess, type AgentProcess } from '../../helpers/agent-process.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { connectProbe, type Probe, type Received } from '../../helpers/mqtt-probe.js';
import { healthUrl } from '../../helpers/replica-pool.js';
import { startScriptedServer } from '../../helpers/scripted-http-server.js';
import { needs } from '../../helpers/require-tool.js';

const WAIT = 30_000;
const EDITED = 'rr-edited';
const TARGET = 'rr-target';

const toml = (id: string, broker: string, routing: string[]): string =>
  [
    '[agent]',
    `id = "${id}"`,
    `capabilities = ["${id.slice(3)}"]`,
    '[mqtt]',
    `broker_url = "${broker}"`,
    '[llm]',
    'provider = "scripted"',
    '[reload]',
    'debounce_ms = 100',
    ...routing,
    '',
  ].join('\n');

const json = (r: Received): Record<string, unknown> => r.json();

/** A gatekeeper answering every request with `decision`; it counts what it was asked. */
async function gatekeeper(decision: Record<string, unknown>): Promise<{ url: string; asked: () => number }> {
  let asked = 0;
  const server = await startScriptedServer(() => {
    asked += 1;
    return { body: decision };
  });
  onTestFinished(() => server.close());
  return { url: `${server.url}/route`, asked: () => asked };
}

/** Send a v2 task to the edited agent; resolve with its conversation once the answering agent completed. */
async function routedTask(probe: Probe, answeredBy: string): Promise<string> {
  const conversation = `rr-${randomUUID().slice(0, 8)}`;
  await probe.publish(
    `/control/agents/${EDITED}/input`,
    JSON.stringify({
      task_id: randomUUID(),
      conversation_id: conversation,
      topic: `/control/agents/${EDITED}/input`,
      instruction: 'Summarise the tide tables',
      version: '2.0',
    }),
  );
  await vi.waitFor(
    () => {
      const done = probe
        .on(`/control/agents/${answeredBy}/progress`)
        .map(json)
        .some((e) => e.event === 'task_completed' && e.conversation_id === conversation);
      if (!done) throw new Error(`${answeredBy} has not completed ${conversation}`);
    },
    { timeout: WAIT, interval: 10 },
  );
  return conversation;
}

const decisionsOf = (probe: Probe, conversation: string): Record<string, unknown>[] =>
  probe
    .on(`/control/agents/${EDITED}/progress`)
    .map(json)
    .filter((e) => e.event === 'routing_decision' && e.conversation_id === conversation)
    .map((e) => e.data as Record<string, unknown>);
const answeredOn = (probe: Probe, conversation: string): string[] =>
  probe.on(`/conversations/${conversation}/`).map((m) => m.topic);

/** Save the edited agent's config and wait for the reload that applies it (the n-th config_reloaded). */
async function edit(
  agent: AgentProcess,
  probe: Probe,
  text: string,
  n: number,
): Promise<Record<string, unknown>> {
  await writeFile(agent.file, text);
  return vi.waitFor(
    () => {
      const reloads = probe
        .on(`/control/agents/${EDITED}/progress`)
        .map(json)
        .filter((e) => e.event === 'config_reloaded');
      if (reloads.length < n) throw new Error(`${reloads.length}/${n} reloads`);
      return reloads[n - 1]!.data as Record<string, unknown>;
    },
    { timeout: WAIT, interval: 20 },
  );
}

needs('mosquitto').it(
  'a [routing] edit applies to the next task: none → gatekeeper (forwards), a new gatekeeper url (completes), back to none',
  async () => {
    const broker = await startMosquitto();
    onTestFinished(() => broker.stop());
    const forwarding = await gatekeeper({
      workflow_complete: false,
      next_agent: TARGET,
      next_instruction: 'Write it up',
      reasoning: 'a writer is needed',
    });
    const completing = await gatekeeper({ workflow_complete: true, reasoning: 'done already' });
    const [edited] = await Promise.all([
      startAgentProcess(toml(EDITED, broker.url, [])),
      startAgentProcess(toml(TARGET, broker.url, [])),
    ]);
    await edited.waitForLog(/"msg":"watching the config file and plugin folders/);
    const health = `${await healthUrl(edited)}/health`;
    await vi.waitFor(
      async () => {
        const body = (await (await fetch(health)).json()) as { routable_agents: { agent_id: string }[] };
        expect(body.routable_agents.map((a) => a.agent_id)).toContain(TARGET);
      },
      { timeout: WAIT, interval: 50 },
    );
    const probe = await connectProbe(broker.url);
    await probe.subscribe('/control/agents/+/progress');
    await probe.subscribe(`/control/agents/${TARGET}/input`);
    await probe.subscribe('/conversations/#');

    // strategy "none" (the default): a v2 task is answered by the agent itself, no decision.
    const unrouted = await routedTask(probe, EDITED);
    expect(decisionsOf(probe, unrouted)).toEqual([]);
    expect(answeredOn(probe, unrouted)).toEqual([`/conversations/${unrouted}/${EDITED}`]);

    // → gatekeeper: the next task is forwarded to the target.
    const gatekeeperToml = (url: string): string =>
      toml(EDITED, broker.url, [
        '[routing]',
        'strategy = "gatekeeper"',
        '[routing.gatekeeper]',
        `url = "${url}"`,
      ]);
    const first = await edit(edited, probe, gatekeeperToml(forwarding.url), 1);
    expect(first.changed).toEqual(expect.arrayContaining(['routing.strategy', 'routing.gatekeeper.url']));
    const forwarded = await routedTask(probe, TARGET);
    expect(decisionsOf(probe, forwarded)).toEqual([
      expect.objectContaining({ from: EDITED, to: TARGET, outcome: 'forward', router: 'gatekeeper' }),
    ]);
    expect(probe.on(`/control/agents/${TARGET}/input`).map(json)).toEqual([
      expect.objectContaining({ conversation_id: forwarded, instruction: 'Write it up' }),
    ]);
    expect(forwarding.asked()).toBe(1);

    // A new gatekeeper url: the next task asks the new gatekeeper, which completes it.
    const second = await edit(edited, probe, gatekeeperToml(completing.url), 2);
    expect(second.changed).toEqual(['routing.gatekeeper.url']);
    const completed = await routedTask(probe, EDITED);
    expect(decisionsOf(probe, completed)).toEqual([
      expect.objectContaining({ from: EDITED, to: null, outcome: 'complete', router: 'gatekeeper' }),
    ]);
    expect(answeredOn(probe, completed)).toEqual([`/conversations/${completed}/${EDITED}`]);
    expect([forwarding.asked(), completing.asked()]).toEqual([1, 1]);

    // Back to "none": no gatekeeper is asked.
    await edit(edited, probe, toml(EDITED, broker.url, []), 3);
    const plain = await routedTask(probe, EDITED);
    expect(decisionsOf(probe, plain)).toEqual([]);
    expect([forwarding.asked(), completing.asked()]).toEqual([1, 1]);
  },
  120_000,
);
