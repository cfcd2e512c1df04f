// A module (in-process) tool that never settles, in a real agent process on a real mosquitto: the call is
// abandoned at its deadline, the LLM's next turn sees the timeout result, the task gets its response,
// the tool_calls metric says `timeout`, and the agent keeps serving.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { startAgentProcess, type AgentProcess } from '../helpers/agent-process.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { connectProbe, type Probe } from '../helpers/mqtt-probe.js';

const HANGING = fileURLToPath(new URL('../fixtures/plugins/hanging-module', import.meta.url));

let broker: Mosquitto | undefined;
let probe: Probe | undefined;
afterEach(async () => {
  await probe?.client.endAsync();
  await broker?.stop();
  probe = undefined;
  broker = undefined;
});

async function healthUrl(agent: AgentProcess): Promise<string> {
  await agent.waitForLog(/health server listening/);
  const line = agent
    .logs()
    .find((l) => typeof l.msg === 'string' && l.msg.startsWith('health server listening'));
  return String(line!.url);
}

async function ask(p: Probe, id: string): Promise<Record<string, unknown>> {
  const task = {
    task_id: randomUUID(),
    conversation_id: `c-${id}`,
    topic: `/control/agents/${id}/input`,
    instruction: 'call the tool',
    input: null,
    next: null,
  };
  await p.publish(`/control/agents/${id}/input`, JSON.stringify(task));
  const mine = () => p.on(`/conversations/c-${id}/`).find((m) => m.json().task_id === task.task_id);
  await expect.poll(mine, { timeout: 20_000, interval: 20 }).toBeDefined();
  return mine()!.json();
}

describe('module tool deadline (real process, mosquitto)', () => {
  it('a hanging module tool times out; the LLM sees the timeout result and the task answers', async () => {
    broker = await startMosquitto();
    const id = 'hangs';
    const agent = await startAgentProcess(
      `[agent]\nid = "${id}"\n[mqtt]\nbroker_url = "${broker.url}"\n[llm]\nprovider = "tool-result-echo"\n` +
        `[plugins]\ndirs = ["${HANGING}"]\n[tools]\nhang = "plugin:hanging-module"\n`,
    );
    probe = await connectProbe(broker.url);
    await probe.subscribe(`/conversations/c-${id}/#`);
    const base = await healthUrl(agent);

    for (let round = 1; round <= 2; round++) {
      const response = await ask(probe, id);
      // The provider's second turn answers with the tool result it was given, and the tool's abort reason.
      const seen = JSON.parse(String(response.response)) as Record<string, unknown>;
      expect(seen).toMatchObject({ isError: true, abortedWith: 'AGENT_ERR_TOOL_TIMEOUT' });
      expect(String(seen.content)).toContain('AGENT_ERR_TOOL_TIMEOUT');
    }

    const prom = await (await fetch(`${base}/metrics?format=prometheus`)).text();
    const line = prom
      .split('\n')
      .find((l) => l.startsWith('agent2389_tool_calls_total{') && l.includes('tool="hang"'));
    expect(line).toContain('outcome="timeout"');
    expect(Number(line!.split(' ').pop())).toBe(2);
    expect(agent.child.exitCode).toBeNull();
  });
});
