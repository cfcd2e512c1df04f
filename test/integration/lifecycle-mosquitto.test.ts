// A real agent process on a real mosquitto: startup, shutdown, Will, reconnects (docs/protocol.md §2, §5).
import { randomUUID } from 'node:crypto';

import { afterEach, describe, expect, it } from 'vitest';

import { startAgentProcess } from '../helpers/agent-process.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { connectProbe } from '../helpers/mqtt-probe.js';
import { freePort } from '../helpers/free-port.js';

let broker: Mosquitto | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

const agentToml = (id: string, url: string, extra = ''): string =>
  `${extra}\n[agent]\nid = "${id}"\n[mqtt]\nbroker_url = "${url}"\n[llm]\nprovider = "scripted"\n[tools]\necho = "builtin"\n`;

function task(agentId: string, input: unknown = null): Record<string, unknown> {
  return {
    task_id: randomUUID(),
    conversation_id: 'life',
    topic: `/control/agents/${agentId}/input`,
    instruction: 'hi',
    input,
    next: null,
  };
}

const lastStatus = (probe: Awaited<ReturnType<typeof connectProbe>>, id: string): string | undefined =>
  probe.on(`/control/agents/${id}/status`).at(-1)?.json().status as string | undefined;

describe('lifecycle over mosquitto', () => {
  it('FR-003: SIGTERM drains in-flight tasks, publishes retained unavailable, exits 0', async () => {
    broker = await startMosquitto();
    const agent = await startAgentProcess(agentToml('lc-drain', broker.url));
    const probe = await connectProbe(broker.url);
    await probe.subscribe('/conversations/life/+');
    await probe.subscribe('/control/agents/lc-drain/status');
    const env = task('lc-drain', { scripted: { delay_ms: 700 } });
    await probe.publish(String(env.topic), JSON.stringify(env));
    await agent.waitForLog(/"msg":"task started"/);
    agent.signal('SIGTERM');
    expect(await agent.exited).toBe(0);
    const responses = await probe.waitFor('/conversations/life/lc-drain');
    expect(responses[0]!.json()).toMatchObject({
      task_id: env.task_id,
      response: expect.stringContaining('hi') as string,
    });
    await probe.waitFor('/control/agents/lc-drain/status', 2);
    expect(lastStatus(probe, 'lc-drain')).toBe('unavailable');
    const order = probe.received.map((r) => r.topic);
    expect(order.lastIndexOf('/control/agents/lc-drain/status')).toBeGreaterThan(
      order.indexOf('/conversations/life/lc-drain'),
    );
  });

  it('FR-004: kill -9 leaves the retained unavailable Will', async () => {
    broker = await startMosquitto();
    const agent = await startAgentProcess(agentToml('lc-will', broker.url));
    agent.signal('SIGKILL');
    await agent.exited;
    const probe = await connectProbe(broker.url);
    await probe.subscribe('/control/agents/lc-will/status');
    await probe.waitFor('/control/agents/lc-will/status');
    await expect.poll(() => lastStatus(probe, 'lc-will'), { timeout: 10_000 }).toBe('unavailable');
    const retained = probe.on('/control/agents/lc-will/status').at(-1)!;
    expect(retained.json()).toMatchObject({ agent_id: 'lc-will', status: 'unavailable' });
  });

  it('a broker restart mid-run: the agent reconnects, resubscribes, republishes available and processes tasks queued while it was away', async () => {
    broker = await startMosquitto();
    const agent = await startAgentProcess(agentToml('lc-restart', broker.url));
    await broker.kill();
    await broker.restart();
    const probe = await connectProbe(broker.url);
    await probe.subscribe('/conversations/life/+');
    const tasks = [task('lc-restart'), task('lc-restart'), task('lc-restart')];
    for (const t of tasks) await probe.publish(String(t.topic), JSON.stringify(t));
    const got = await probe.waitFor('/conversations/life/lc-restart', 3, 20_000);
    expect(new Set(got.map((g) => g.json().task_id))).toEqual(new Set(tasks.map((t) => t.task_id)));
    await agent.waitForLog(/reconnected: subscription and availability restored/);
  });

  it('tasks published while the agent is stopped are processed when it comes back (persistent session)', async () => {
    broker = await startMosquitto();
    const first = await startAgentProcess(agentToml('lc-away', broker.url));
    first.signal('SIGTERM');
    expect(await first.exited).toBe(0);
    const probe = await connectProbe(broker.url);
    await probe.subscribe('/conversations/life/+');
    const t = task('lc-away');
    await probe.publish(String(t.topic), JSON.stringify(t));
    await startAgentProcess(agentToml('lc-away', broker.url));
    const [res] = await probe.waitFor('/conversations/life/lc-away', 1, 15_000);
    expect(res!.json().task_id).toBe(t.task_id);
  });

  it('§5.1: a broker that is down at startup is retried with backoff, not fatal', async () => {
    const port = await freePort();
    const agent = await startAgentProcess(agentToml('lc-late', `mqtt://127.0.0.1:${port}`), {}, false);
    await agent.waitForLog(/MQTT connection attempt failed/);
    // The third failure says once what was tried and what to check; later ones are debug only.
    await agent.waitForLog(/attempts to connect to the MQTT broker at mqtt:\/\/127\.0\.0\.1:\d+ failed/);
    expect(agent.output()).toContain('broker_url = \\"embedded\\"');
    broker = await startMosquitto({ port });
    await agent.waitForLog(/"msg":"agent available"/, 40_000);
    expect(agent.output()).toMatch(/MQTT connected to mqtt:\/\/127\.0\.0\.1:\d+ after \d+ failed attempt/);
    expect(agent.output().match(/"level":"?(warn|40)"?[^\n]*attempts to connect/g)).toHaveLength(1);
    expect(agent.child.exitCode).toBeNull();
  });

  it('§5.1: a missing secret fails startup naming the variable, exit non-zero', async () => {
    broker = await startMosquitto();
    const agent = await startAgentProcess(
      agentToml('lc-secret', broker.url).replace('[llm]', 'username_env = "LC_SECRET_USER"\n[llm]'),
      {},
      false,
    );
    expect(await agent.exited).toBe(1);
    expect(agent.output()).toMatch(/AGENT_ERR_CONFIG_SECRET_MISSING.*LC_SECRET_USER/);
  });
});
