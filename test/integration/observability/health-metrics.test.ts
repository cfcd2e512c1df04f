// The HTTP server of a real agent process on a real mosquitto: metrics after real tasks (JSON and
// Prometheus), readiness across a broker outage, `agent2389 health`, and secrets kept out of
// logs, errors and progress events.
import { randomUUID } from 'node:crypto';

import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { runCli, startAgentProcess, type AgentProcess } from '../../helpers/agent-process.js';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto.js';
import { connectProbe, type Probe } from '../../helpers/mqtt-probe.js';

const LEAKY = fileURLToPath(new URL('../../fixtures/plugins/leaky-logger', import.meta.url));

let broker: Mosquitto | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

const agentToml = (id: string, url: string, extra = ''): string =>
  `${extra}\n[agent]\nid = "${id}"\n[mqtt]\nbroker_url = "${url}"\n[llm]\nprovider = "scripted"\n[tools]\necho = "builtin"\nhttp_request = "builtin"\n`;

/** The health server's base URL, from its log line (HEALTH_PORT=0: any free port). */
async function healthUrl(agent: AgentProcess): Promise<string> {
  await agent.waitForLog(/health server listening/);
  const line = agent
    .logs()
    .find((l) => l.msg === 'health server listening (/live, /ready, /health, /metrics)');
  return String(line!.url);
}

async function ask(
  probe: Probe,
  id: string,
  fields: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const task = {
    task_id: randomUUID(),
    conversation_id: `c-${id}`,
    topic: `/control/agents/${id}/input`,
    instruction: 'hi',
    input: null,
    next: null,
    ...fields,
  };
  await probe.publish(`/control/agents/${id}/input`, JSON.stringify(task));
  const mine = () => probe.on(`/conversations/c-${id}/`).find((m) => m.json().task_id === task.task_id);
  await expect.poll(mine, { timeout: 10_000, interval: 20 }).toBeDefined();
  return mine()!.json();
}

/** The value of one sample line of a Prometheus text exposition. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('HTTP health server and metrics (real process, mosquitto)', () => {
  it('/metrics in JSON and Prometheus counts exactly the tasks that ran, with matching histogram buckets', async () => {
    broker = await startMosquitto();
    const agent = await startAgentProcess(agentToml('obs-m', broker.url));
    const base = await healthUrl(agent);
    const probe = await connectProbe(broker.url);
    await probe.subscribe('/conversations/c-obs-m/+');
    const echo = { input: { tool_request: { name: 'echo', parameters: { message: 'x' } } } };
    await ask(probe, 'obs-m', echo);
    await ask(probe, 'obs-m', echo);
    await ask(probe, 'obs-m', {});
    expect(
      (await ask(probe, 'obs-m', { input: { tool_request: { name: 'nope', parameters: {} } } })).error,
    ).toMatchObject({ code: 'tool_execution_failed' });
    expect((await ask(probe, 'obs-m', { task_id: 'not-a-uuid' })).error).toMatchObject({
      code: 'invalid_input',
    });

    const json = (await (await fetch(`${base}/metrics`)).json()) as Record<string, Record<string, unknown>>;
    expect(json.tasks).toMatchObject({
      tasks_received: 5,
      tasks_completed: 3,
      tasks_responded: 3,
      tasks_failed: 1,
      tasks_rejected: 1,
      errors_by_code: { tool_execution_failed: 1, invalid_input: 1 },
      tasks_processing: 0,
    });
    expect(json.tools).toMatchObject({ total_executions: 2, failures: 0, by_tool: { echo: { ok: 2 } } });
    expect(json.llm).toMatchObject({ requests: 7, failures: 0 });
    expect(json.mqtt).toMatchObject({ connected: true, messages_received: 5 });

    const res = await fetch(`${base}/metrics`, { headers: { accept: 'text/plain' } });
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await res.text();
    expect(sample(text, 'agent2389_tasks_total{outcome="responded",code=""}')).toBe(3);
    expect(sample(text, 'agent2389_tasks_total{outcome="failed",code="tool_execution_failed"}')).toBe(1);
    expect(sample(text, 'agent2389_tasks_total{outcome="rejected",code="invalid_input"}')).toBe(1);
    expect(sample(text, 'agent2389_tool_calls_total{tool="echo",outcome="ok"}')).toBe(2);
    expect(sample(text, 'agent2389_task_duration_seconds_count{outcome="responded"}')).toBe(3);
    // prom-client writes a histogram's `le` before the series' own labels
    expect(sample(text, 'agent2389_task_duration_seconds_bucket{le="+Inf",outcome="responded"}')).toBe(3);
    const buckets = text
      .split('\n')
      .filter(
        (l) => l.startsWith('agent2389_task_duration_seconds_bucket{') && l.includes('outcome="responded"'),
      )
      .map((l) => Number(l.split(' ')[1]));
    expect(buckets.length).toBeGreaterThan(5);
    expect([...buckets].sort((a, b) => a - b)).toEqual(buckets); // cumulative
    expect(sample(text, 'agent2389_tool_call_duration_seconds_count{tool="echo"}')).toBe(2);
    expect(sample(text, 'agent2389_llm_requests_total{provider="scripted",model="",outcome="ok"}')).toBe(7);
    expect(sample(text, 'agent2389_mqtt_connected')).toBe(1);
    expect(sample(text, 'agent2389_tasks_in_flight')).toBe(0);
    expect(sample(text, 'agent2389_mqtt_messages_received_total')).toBe(5);
    expect(sample(text, 'agent2389_info{agent_id="obs-m",version="0.1.0"}')).toBe(1);
    expect(sample(text, 'agent2389_process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
    const names = text
      .split('\n')
      .filter((l) => l.startsWith('# TYPE '))
      .map((l) => l.split(' ')[2]!);
    expect(names.every((n) => n.startsWith('agent2389_'))).toBe(true);
    expect((await fetch(`${base}/metrics?format=prometheus`)).headers.get('content-type')).toContain(
      'text/plain',
    );
  });

  it('/ready is 503 while the broker is down and 200 again after it returns; `agent2389 health` follows it', async () => {
    broker = await startMosquitto();
    const agent = await startAgentProcess(agentToml('obs-r', broker.url));
    const base = await healthUrl(agent);
    const port = new URL(base).port;
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await runCli(['health', '--port', port])).code).toBe(0);

    await broker.kill();
    await expect.poll(async () => (await fetch(`${base}/ready`)).status, { timeout: 10_000 }).toBe(503);
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'degraded', checks: { mqtt: { status: 'down' } } });
    expect((await fetch(`${base}/live`)).status).toBe(200);
    const down = await runCli(['health', '--port', port]);
    expect(down.code).toBe(1);
    expect(down.stdout).toContain('503');

    await broker.restart();
    await expect.poll(async () => (await fetch(`${base}/ready`)).status, { timeout: 15_000 }).toBe(200);
    expect((await runCli(['health', '--port', port])).code).toBe(0);
    const json = (await (await fetch(`${base}/metrics`)).json()) as { mqtt: Record<string, number> };
    expect(json.mqtt.connection_failures).toBeGreaterThanOrEqual(1);
    expect(json.mqtt.reconnects).toBeGreaterThanOrEqual(1);
  });

  it('a secret from the environment and one in a tool parameter appear in no log line, error or progress event', async () => {
    broker = await startMosquitto();
    const secret = `s3cr3t-${randomUUID()}`;
    const key = `sk-live-${randomUUID().replaceAll('-', '')}`;
    const config = agentToml('obs-s', broker.url, `[plugins]\ndirs = ["${LEAKY}"]`)
      .replace('[mqtt]\n', '[mqtt]\nusername_env = "MQTT_USER"\npassword_env = "MQTT_PASSWORD"\n')
      .replace('[tools]\n', '[tools]\nleak = { impl = "plugin:leaky-logger" }\n');
    const agent = await startAgentProcess(config, { MQTT_USER: 'agent', MQTT_PASSWORD: secret });
    const probe = await connectProbe(broker.url);
    await probe.subscribe('/conversations/c-obs-s/+');
    await probe.subscribe('/control/agents/obs-s/progress');
    // A tool that logs its parameters (both secrets) in fields, messages and errors, then fails with them.
    const failed = await ask(probe, 'obs-s', {
      input: { tool_request: { name: 'leak', parameters: { key, secret } } },
    });
    expect(failed.error).toMatchObject({ code: 'tool_execution_failed' });
    await ask(probe, 'obs-s', {
      input: { tool_request: { name: 'echo', parameters: { message: `${secret} ${key}` } } },
    });
    await expect
      .poll(
        () =>
          probe.on('/control/agents/obs-s/progress').filter((m) => m.json().event === 'task_completed')
            .length,
      )
      .toBe(1);
    const progress = probe
      .on('/control/agents/obs-s/progress')
      .map((m) => m.payload)
      .join('\n');
    expect(progress).toContain('tool_error');
    expect(agent.output()).toContain('"msg":"got '); // the tool's lines were written, and scrubbed
    for (const leaked of [secret, key]) {
      expect(agent.output()).not.toContain(leaked);
      expect(progress).not.toContain(leaked);
      expect(JSON.stringify(failed)).not.toContain(leaked);
    }
    for (const line of agent
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{')))
      expect(() => JSON.parse(line) as unknown).not.toThrow();
  });
});
