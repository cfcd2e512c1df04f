import { describe, expect, it, vi } from 'vitest';

import type { ToolFactoryV1 } from '@agent2389/tool-sdk';
import { FIRST_PARTY_PLUGINS_DIR } from '../../../src/plugin-sources.js';
import { Agent } from '../../../src/core/agent/agent.js';
import { parseConfigText } from '../../../src/core/config/load.js';
import { freePort } from '../../helpers/free-port.js';
import { envelope, fakeProvider, makeHarness, toml } from '../../helpers/agent-harness.js';
import { recordingLogger } from '../../helpers/recording-logger.js';

const waitFor = <T>(fn: () => T): Promise<T> => vi.waitFor(fn, { timeout: 3000, interval: 5 });

describe('Agent lifecycle (in-memory broker)', () => {
  it('FR-002: publishes a retained available status after startup, with tools and capabilities', async () => {
    const h = makeHarness(toml('a1'));
    const status = h.collect('/control/agents/a1/status');
    await h.agent.start();
    await waitFor(() => expect(status).toHaveLength(1));
    expect(status[0]!.body).toMatchObject({
      agent_id: 'a1',
      status: 'available',
      capabilities: ['testing'],
      tools: ['echo', 'current_time'],
      load: 0,
    });
    expect(status[0]!.body.timestamp).toMatch(/Z$/);
    expect(h.broker.retained('/control/agents/a1/status')?.toString()).toContain('"available"');
  });

  it('FR-003: stop publishes retained unavailable; FR-004: a crash leaves the Will', async () => {
    const h = makeHarness(toml('a2'));
    await h.agent.start();
    await h.agent.stop();
    expect(JSON.parse(h.broker.retained('/control/agents/a2/status')!.toString())).toMatchObject({
      status: 'unavailable',
    });
    const h2 = makeHarness(toml('a3'));
    await h2.agent.start();
    h2.transport().crash();
    await waitFor(() =>
      expect(h2.broker.retained('/control/agents/a3/status')?.toString()).toContain('"unavailable"'),
    );
  });

  it('answers a task on its conversation topic (§3.4)', async () => {
    const h = makeHarness(toml('a4'));
    const out = h.collect('/conversations/#');
    await h.agent.start();
    const env = envelope('a4', { input: { text: 'x' } });
    h.send(env);
    await waitFor(() => expect(out).toHaveLength(1));
    expect(out[0]!.topic).toBe('/conversations/conv-1/a4');
    expect(out[0]!.body).toEqual({ task_id: env.task_id, response: 'say hi\n\n{\n  "text": "x"\n}' });
  });

  it('FR-014: forwards to next with input = response and does not publish a response', async () => {
    const h = makeHarness(toml('a5'));
    const out = h.collect('/conversations/#');
    const fwd = h.collect('/control/agents/b5/input');
    await h.agent.start();
    const env = envelope('a5', {
      next: { topic: '//control/agents/b5/input/', instruction: 'polish', input: null, next: null },
    });
    h.send(env);
    await waitFor(() => expect(fwd).toHaveLength(1));
    expect(fwd[0]!.body).toEqual({
      task_id: env.task_id,
      conversation_id: 'conv-1',
      topic: '/control/agents/b5/input',
      instruction: 'polish',
      input: 'say hi',
      next: null,
    });
    expect(out).toHaveLength(0);
  });

  it('runs a tool_request through the loop and answers with the result', async () => {
    const h = makeHarness(toml('a6'));
    const out = h.collect('/conversations/#');
    await h.agent.start();
    h.send(envelope('a6', { input: { tool_request: { name: 'echo', parameters: { message: 'ping' } } } }));
    await waitFor(() => expect(out).toHaveLength(1));
    expect(out[0]!.body.response).toBe('{"message":"ping"}');
  });

  it('NFR-005: a tool outside the allow-list ends in tool_execution_failed', async () => {
    const h = makeHarness(toml('a7'));
    const out = h.collect('/conversations/#');
    await h.agent.start();
    h.send(envelope('a7', { input: { tool_request: { name: 'rm_rf', parameters: {} } } }));
    await waitFor(() => expect(out).toHaveLength(1));
    expect(out[0]!.body.error).toMatchObject({ code: 'tool_execution_failed' });
  });

  it('processes tasks received during startup once it is available', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let verifying = false;
    const slow = fakeProvider('slow-verify', {
      verify: () => {
        verifying = true;
        return gate;
      },
      doGenerate: () => Promise.resolve({ text: 'ok', toolCalls: [], finishReason: 'stop' }),
    });
    const h = makeHarness(toml('a8').replace('"scripted"', '"slow-verify"'), { providers: [slow] });
    const out = h.collect('/conversations/#');
    const starting = h.agent.start();
    // Verification (§5.1 step 5) comes after the SUBACK (step 3): from here on a task is delivered.
    await waitFor(() => expect(verifying).toBe(true));
    expect(h.agent.state).toBe('starting');
    h.send(envelope('a8'));
    // Received (counted on arrival) but held: a task handled at once is counted as a task synchronously.
    await waitFor(async () => expect(await h.agent.metrics.mqttReceived.total()).toBe(1));
    expect(await h.agent.metrics.tasksReceived.total()).toBe(0);
    expect(out).toHaveLength(0);
    release();
    await starting;
    await waitFor(() => expect(out).toHaveLength(1));
  });

  it('§5.1: a failing provider verification fails startup with a coded error and leaves unavailable', async () => {
    const bad = fakeProvider('bad', {
      verify: () => Promise.reject(new Error('401 bad key')),
      doGenerate: () => Promise.reject(new Error('x')),
    });
    const h = makeHarness(toml('a9').replace('"scripted"', '"bad"'), { providers: [bad] });
    await expect(h.agent.start()).rejects.toMatchObject({
      code: 'AGENT_ERR_PROVIDER_VERIFY_FAILED',
      data: { provider: 'bad' },
    });
    expect(h.broker.retained('/control/agents/a9/status')?.toString()).toContain('"unavailable"');
  });

  it('§5.1: a failing tool initialize fails startup with AGENT_ERR_TOOL_INIT_FAILED', async () => {
    const broken: ToolFactoryV1 = {
      name: 'broken',
      create: () => ({
        specificationVersion: 'v1',
        describe: () => ({ name: 'broken', description: 'x', parameters: { type: 'object' } }),
        initialize: () => Promise.reject(new Error('no config')),
        execute: () => null,
      }),
    };
    const h = makeHarness(toml('a10', '[tools.broken]\nimpl = "builtin"'), {
      tools: [broken],
    });
    await expect(h.agent.start()).rejects.toMatchObject({
      code: 'AGENT_ERR_TOOL_INIT_FAILED',
      data: { tool: 'broken' },
    });
  });

  it('fails startup on an unknown provider, listing the available ones', async () => {
    const h = makeHarness(toml('a11').replace('"scripted"', '"nope"'));
    await expect(h.agent.start()).rejects.toMatchObject({
      code: 'AGENT_ERR_PROVIDER_UNKNOWN',
      data: { available: ['anthropic', 'openai', 'scripted'] },
    });
  });

  it('§6: a task past task_timeout fails with internal_error "task timed out"', async () => {
    const hang = fakeProvider('hang', { doGenerate: () => new Promise(() => {}) });
    const h = makeHarness(toml('a12', 'task_timeout = 0.05').replace('"scripted"', '"hang"'), {
      providers: [hang],
    });
    const out = h.collect('/conversations/#');
    await h.agent.start();
    h.send(envelope('a12'));
    await waitFor(() => expect(out).toHaveLength(1));
    expect(out[0]!.body.error).toEqual({ code: 'internal_error', message: 'task timed out' });
  });

  it('runs at most max_concurrent_tasks at once and reports load', async () => {
    let running = 0;
    let peak = 0;
    const slow = fakeProvider('slow', {
      doGenerate: async () => {
        peak = Math.max(peak, ++running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
        return { text: 'done', toolCalls: [], finishReason: 'stop' };
      },
    });
    const h = makeHarness(
      toml('a13')
        .replace('max_concurrent_tasks = 8', 'max_concurrent_tasks = 2')
        .replace('"scripted"', '"slow"'),
      { providers: [slow] },
    );
    const out = h.collect('/conversations/#');
    await h.agent.start();
    for (let i = 0; i < 6; i++) h.send(envelope('a13'));
    await waitFor(() => expect(h.agent.load).toBe(1));
    await waitFor(() => expect(out).toHaveLength(6));
    expect(peak).toBe(2);
  });

  it('after a reconnect re-subscribes and republishes available', async () => {
    const h = makeHarness(toml('a14'));
    const status = h.collect('/control/agents/a14/status');
    const out = h.collect('/conversations/#');
    await h.agent.start();
    h.transport().crash({ reconnect: true });
    await waitFor(() => expect(status.filter((s) => s.body.status === 'available')).toHaveLength(2));
    h.send(envelope('a14'));
    await waitFor(() => expect(out).toHaveLength(1));
  });

  it('SIGTERM-style stop drains in-flight tasks before going unavailable', async () => {
    const slow = fakeProvider('slow2', {
      doGenerate: async () => {
        await new Promise((r) => setTimeout(r, 50));
        return { text: 'finished', toolCalls: [], finishReason: 'stop' };
      },
    });
    const h = makeHarness(toml('a15').replace('"scripted"', '"slow2"'), { providers: [slow] });
    const seen: string[] = [];
    h.broker.subscribe('#', (m) => seen.push(m.topic + ' ' + m.payload.toString()));
    await h.agent.start();
    h.send(envelope('a15'));
    await waitFor(() => expect(h.agent.load).toBeGreaterThan(0));
    await h.agent.stop();
    const responseAt = seen.findIndex((s) => s.includes('"finished"'));
    const unavailableAt = seen.findIndex((s) => s.includes('"unavailable"'));
    expect(responseAt).toBeGreaterThan(-1);
    expect(unavailableAt).toBeGreaterThan(responseAt);
  });

  it('heartbeat re-publishes available with the current load', async () => {
    const h = makeHarness(toml('a16', '[lifecycle]\nheartbeat_seconds = 0.05'));
    const status = h.collect('/control/agents/a16/status');
    await h.agent.start();
    await waitFor(() => expect(status.length).toBeGreaterThanOrEqual(3));
    expect(status.every((s) => s.retain === false && s.body.status === 'available')).toBe(true);
    expect(status.every((s) => typeof s.body.load === 'number')).toBe(true);
  });

  it('FR-011: a throwing event listener does not stop the agent', async () => {
    const h = makeHarness(toml('a17'));
    const out = h.collect('/conversations/#');
    h.agent.on('task:discarded', () => {
      throw new Error('listener bug');
    });
    h.agent.on('task:completed', () => {
      throw new Error('listener bug');
    });
    await h.agent.start();
    h.broker.publish('/control/agents/a17/input', 'not json');
    h.send(envelope('a17'));
    h.send(envelope('a17'));
    await waitFor(() => expect(out).toHaveLength(2));
    expect(h.agent.state).toBe('running');
  });

  it('stop() during a start still waiting for the broker cancels it and closes everything', async () => {
    const port = await freePort();
    const { config } = parseConfigText(
      toml('a18').replace('"embedded"', `"mqtt://127.0.0.1:${port}"`),
      't.toml',
      {
        env: {},
      },
    );
    const log = recordingLogger();
    const agent = new Agent(config, { plugins: { firstPartyDir: FIRST_PARTY_PLUGINS_DIR }, log });
    const starting = agent.start();
    // Nothing listens on the port: wait until a connection attempt has failed and is being retried.
    await waitFor(() => expect(log.entries.map((e) => e.msg)).toContain('MQTT connection attempt failed'));
    expect(agent.state).toBe('starting');
    await agent.stop();
    await expect(starting).rejects.toMatchObject({ code: 'AGENT_ERR_TRANSPORT_CLOSED' });
    expect(agent.state).toBe('stopped');
  });

  it('publish_intermediate = true also publishes the response before forwarding (§3.4)', async () => {
    const h = makeHarness(toml('a19', 'publish_intermediate = true'));
    const out = h.collect('/conversations/#');
    const fwd = h.collect('/control/agents/b19/input');
    await h.agent.start();
    const env = envelope('a19', {
      next: { topic: '/control/agents/b19/input', instruction: null, input: null, next: null },
    });
    h.send(env);
    await waitFor(() => expect(fwd).toHaveLength(1));
    expect(out).toEqual([
      {
        topic: '/conversations/conv-1/a19',
        retain: false,
        body: { task_id: env.task_id, response: 'say hi' },
      },
    ]);
  });

  it('reports the tokens of every LLM call of a task in task:completed', async () => {
    let call = 0;
    const counting = fakeProvider('counting', {
      doGenerate: () =>
        Promise.resolve(
          ++call === 1
            ? {
                text: '',
                toolCalls: [{ id: 'c1', name: 'echo', input: { message: 'x' } }],
                finishReason: 'tool_calls',
                usage: { inputTokens: 10, outputTokens: 3 },
              }
            : {
                text: 'done',
                toolCalls: [],
                finishReason: 'stop',
                usage: { inputTokens: 20, outputTokens: 5 },
              },
        ),
    });
    const h = makeHarness(toml('a20').replace('"scripted"', '"counting"'), { providers: [counting] });
    const completed: unknown[] = [];
    h.agent.on('task:completed', (e) => completed.push(e));
    await h.agent.start();
    h.send(envelope('a20'));
    await waitFor(() => expect(completed).toHaveLength(1));
    expect(completed[0]).toMatchObject({
      toolCalls: 1,
      iterations: 2,
      usage: { inputTokens: 30, outputTokens: 8 },
    });
  });
});
