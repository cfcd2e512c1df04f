// A real agent process on a real mosquitto: the nine steps of docs/protocol.md §4 and the messages of §3.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startAgentProcess, type AgentProcess } from '../helpers/agent-process.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { connectProbe, type Probe } from '../helpers/mqtt-probe.js';

let broker: Mosquitto;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(() => broker.stop());

const agentToml = (id: string, extra = ''): string =>
  `max_message_bytes = 4096\n${extra}\n[agent]\nid = "${id}"\ndescription = "integration agent"\ncapabilities = ["testing"]\n` +
  `[mqtt]\nbroker_url = "${broker.url}"\n[llm]\nprovider = "scripted"\n[tools]\necho = "builtin"\ncurrent_time = "builtin"\n`;

function task(agentId: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    task_id: randomUUID(),
    conversation_id: `c-${randomUUID().slice(0, 6)}`,
    topic: `/control/agents/${agentId}/input`,
    instruction: 'hi',
    input: null,
    next: null,
    ...fields,
  };
}

async function setup(id: string, extra = ''): Promise<{ agent: AgentProcess; probe: Probe }> {
  const agent = await startAgentProcess(agentToml(id, extra));
  const probe = await connectProbe(broker.url);
  await probe.subscribe('/conversations/#');
  await probe.subscribe(`/control/agents/${id}/status`);
  return { agent, probe };
}

const send = (probe: Probe, env: Record<string, unknown>): Promise<void> =>
  probe.publish(String(env.topic), JSON.stringify(env));

describe('protocol over mosquitto', () => {
  it('FR-002, OPT-001: retained available status with description, capabilities, tools, load, version', async () => {
    const { probe } = await setup('it-status');
    const [status] = await probe.waitFor('/control/agents/it-status/status');
    expect(status!.retain).toBe(true);
    expect(status!.json()).toMatchObject({
      agent_id: 'it-status',
      status: 'available',
      description: 'integration agent',
      capabilities: ['testing'],
      tools: ['echo', 'current_time'],
      load: 0,
    });
    expect(String(status!.json().timestamp)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  });

  it('FR-012, FR-014: processes a task and publishes the JSON response on its conversation topic', async () => {
    const { probe } = await setup('it-ok');
    const env = task('it-ok', { input: { tool_request: { name: 'current_time', parameters: {} } } });
    await send(probe, env);
    const [res] = await probe.waitFor(`/conversations/${String(env.conversation_id)}/it-ok`);
    expect(res!.json().task_id).toBe(env.task_id);
    expect(JSON.parse(String(res!.json().response))).toHaveProperty('utc');
  });

  it('FR-006: canonicalizes the envelope topic before comparing; a mismatch is discarded without publish', async () => {
    const { probe, agent } = await setup('it-canon');
    const good = task('it-canon', { topic: '//control//agents/it-canon/input/' });
    const wrong = task('it-canon', { topic: '/control/agents/someone-else/input' });
    await probe.publish('/control/agents/it-canon/input', JSON.stringify(wrong));
    await probe.publish('/control/agents/it-canon/input', JSON.stringify(good));
    await probe.waitFor(`/conversations/${String(good.conversation_id)}/`);
    // The agent says it dropped the mismatch: from then on nothing can come of it.
    await agent.waitForLog(/"reason":"topic mismatch"/);
    expect(probe.on(`/conversations/${String(wrong.conversation_id)}/`)).toHaveLength(0);
  });

  it('FR-005: ignores retained task messages', async () => {
    const probe = await connectProbe(broker.url);
    await probe.subscribe('/conversations/#');
    const env = task('it-retained');
    await probe.publish('/control/agents/it-retained/input', JSON.stringify(env), { retain: true });
    const agent = await startAgentProcess(agentToml('it-retained'));
    await agent.waitForLog(/"reason":"retained message"/);
    expect(probe.on(`/conversations/${String(env.conversation_id)}/`)).toHaveLength(0);
    await probe.publish('/control/agents/it-retained/input', '', { retain: true }); // clear it
  });

  it('FR-010: a duplicate task_id is processed once', async () => {
    const { probe, agent } = await setup('it-dup');
    const env = task('it-dup');
    await send(probe, env);
    await send(probe, env);
    await probe.waitFor(`/conversations/${String(env.conversation_id)}/`);
    await agent.waitForLog(/"reason":"duplicate task_id"/);
    expect(probe.on(`/conversations/${String(env.conversation_id)}/`)).toHaveLength(1);
  });

  it('FR-013: depth above max_pipeline_depth publishes pipeline_depth_exceeded', async () => {
    const { probe } = await setup('it-depth', 'max_pipeline_depth = 2');
    let next: Record<string, unknown> | null = null;
    for (let i = 0; i < 3; i++)
      next = { topic: '/control/agents/x/input', instruction: null, input: null, next };
    const env = task('it-depth', { next });
    await send(probe, env);
    const [err] = await probe.waitFor(`/conversations/${String(env.conversation_id)}/it-depth`);
    expect(err!.json()).toEqual({
      task_id: env.task_id,
      error: { code: 'pipeline_depth_exceeded', message: 'pipeline depth 3 exceeds the limit of 2' },
    });
  });

  it('FR-011: invalid JSON, garbage and invalid envelopes never crash the agent', async () => {
    const { probe, agent } = await setup('it-robust');
    const input = '/control/agents/it-robust/input';
    for (const junk of ['{not json', '', '[]', '42', 'null', '{"topic": 5}', Buffer.from([0xff, 0xfe, 0x00])])
      await probe.publish(input, junk);
    const bad = task('it-robust', { task_id: 'not-a-uuid' });
    await send(probe, bad);
    const [err] = await probe.waitFor(`/conversations/${String(bad.conversation_id)}/`);
    expect(err!.json()).toMatchObject({ task_id: 'not-a-uuid', error: { code: 'invalid_input' } });
    const good = task('it-robust');
    await send(probe, good);
    await probe.waitFor(`/conversations/${String(good.conversation_id)}/`);
    expect(agent.child.exitCode).toBeNull();
  });

  it('NFR-003: an oversized payload is rejected with invalid_input', async () => {
    const { probe } = await setup('it-big');
    const env = task('it-big', { input: 'x'.repeat(8000) });
    await send(probe, env);
    const [err] = await probe.waitFor(`/conversations/${String(env.conversation_id)}/`);
    expect(err!.json()).toMatchObject({ task_id: env.task_id, error: { code: 'invalid_input' } });
    expect(String((err!.json().error as { message: string }).message)).toMatch(
      /exceeds the limit of 4096 bytes/,
    );
  });

  it('RULE-002: errors reach the conversation redacted and capped', async () => {
    const { probe } = await setup('it-redact');
    const env = task('it-redact', {
      input: { tool_request: { name: 'current_time', parameters: { timezone: 'Mars/Olympus_Mons' } } },
    });
    await send(probe, env);
    const [err] = await probe.waitFor(`/conversations/${String(env.conversation_id)}/`);
    const body = err!.json() as { error: { code: string; message: string } };
    expect(body.error.code).toBe('tool_execution_failed');
    expect(body.error.message.length).toBeLessThanOrEqual(500);
    expect(body.error.message).not.toMatch(/\n|at .*\.js/);
  });

  it('three-agent pipeline: each hop forwards, the last publishes the final response', async () => {
    const probe = await connectProbe(broker.url);
    await probe.subscribe('/conversations/#');
    await Promise.all(['it-p1', 'it-p2', 'it-p3'].map((id) => startAgentProcess(agentToml(id))));
    const env = task('it-p1', {
      instruction: 'research',
      next: {
        topic: '/control/agents/it-p2/input',
        instruction: 'write',
        input: null,
        next: { topic: '/control/agents/it-p3/input', instruction: 'edit', input: null, next: null },
      },
    });
    await send(probe, env);
    const [res] = await probe.waitFor(`/conversations/${String(env.conversation_id)}/it-p3`);
    expect(res!.json()).toEqual({ task_id: env.task_id, response: 'edit\n\nwrite\n\nresearch' });
    expect(probe.on(`/conversations/${String(env.conversation_id)}/it-p1`)).toHaveLength(0);
    expect(probe.on(`/conversations/${String(env.conversation_id)}/it-p2`)).toHaveLength(0);
  });
});
