// Agent.applyConfig on the in-memory broker: generations, reuse, rejection, reconnect, status.
import { describe, expect, it, onTestFinished, vi } from 'vitest';

import type { ToolFactoryV1 } from '@agent2389/tool-sdk';
import { Agent } from '../../../src/core/agent/agent.js';
import { parseConfigText } from '../../../src/core/config/load.js';
import type { AgentConfig } from '../../../src/core/config/schema.js';
import { createMemoryBroker } from '../../../src/core/transport/memory.js';
import { FIRST_PARTY_PLUGINS_DIR } from '../../../src/plugin-sources.js';
import { rejected } from '../../helpers/thrown.js';
import { envelope, fakeProvider, makeHarness, toml } from '../../helpers/agent-harness.js';

const waitFor = <T>(fn: () => T): Promise<T> => vi.waitFor(fn, { timeout: 3000, interval: 5 });
const configOf = (text: string): AgentConfig => parseConfigText(text, 'test.toml', { env: {} }).config;

/** A provider that answers with the system prompt; an instruction "slow" waits for `release()`. */
function promptEcho(id = 'prompt-echo') {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  let slowStarted = false;
  let verifies = 0;
  const factory = fakeProvider(id, {
    doGenerate: async (req) => {
      if (req.task?.instruction === 'slow') {
        slowStarted = true;
        await gate;
      }
      return { text: req.system ?? '(none)', toolCalls: [], finishReason: 'stop' };
    },
    verify: () => {
      verifies++;
      return Promise.resolve();
    },
  });
  return { factory, release: () => release(), started: () => slowStarted, verifies: () => verifies };
}

/** A tool factory that counts what happens to the tools it makes. */
function countingTool(name = 'counter') {
  const counts = { created: 0, initialized: 0, shutdown: 0 };
  const factory: ToolFactoryV1 = {
    name,
    create: () => {
      counts.created++;
      return {
        specificationVersion: 'v1',
        describe: () => ({ name, description: 'counts', parameters: { type: 'object' } }),
        initialize: () => void counts.initialized++,
        execute: () => ({ ok: true }),
        shutdown: () => void counts.shutdown++,
      };
    },
  };
  return { factory, counts };
}

const withPrompt = (id: string, prompt: string, extra = ''): string =>
  toml(id, extra).replace('provider = "scripted"', `provider = "prompt-echo"\nsystem_prompt = "${prompt}"`);

describe('Agent.applyConfig', () => {
  it('a task running during a reload finishes on its generation; the next task uses the new one', async () => {
    const p = promptEcho();
    const h = makeHarness(withPrompt('r1', 'v1'), { providers: [p.factory] });
    const out = h.collect('/conversations/#');
    await h.agent.start();
    const slow = envelope('r1', { instruction: 'slow' });
    h.send(slow);
    await waitFor(() => expect(p.started()).toBe(true));
    const outcome = await h.agent.applyConfig(configOf(withPrompt('r1', 'v2')));
    expect(outcome).toMatchObject({ generation: 2, reconnected: false });
    expect(outcome.changes.map((c) => c.key)).toEqual(['llm.system_prompt']);
    const fast = envelope('r1');
    h.send(fast);
    await waitFor(() => expect(out).toHaveLength(1));
    expect(out[0]!.body).toEqual({ task_id: fast.task_id, response: 'v2' });
    p.release();
    await waitFor(() => expect(out).toHaveLength(2));
    expect(out[1]!.body).toEqual({ task_id: slow.task_id, response: 'v1' });
  });

  it('reuses the tools when only settings change, rebuilds them when [tools] changes, and closes the old ones', async () => {
    const tool = countingTool();
    const p = promptEcho();
    const text = (prompt: string, extra = ''): string =>
      withPrompt('r2', prompt).replace('[tools]\n', `[tools]\ncounter = "builtin"\n${extra}`);
    const h = makeHarness(text('v1'), { providers: [p.factory], tools: [tool.factory] });
    await h.agent.start();
    expect(tool.counts).toEqual({ created: 1, initialized: 1, shutdown: 0 });
    await h.agent.applyConfig(configOf(text('v2')));
    expect(tool.counts).toEqual({ created: 1, initialized: 1, shutdown: 0 });
    expect(p.verifies()).toBe(1); // the provider's identity did not change: no new verification
    await h.agent.applyConfig(configOf(text('v2').replace('current_time = "builtin"\n', '')));
    await waitFor(() => expect(tool.counts).toEqual({ created: 2, initialized: 2, shutdown: 1 }));
    expect(h.agent.statusInfo.tools).toEqual(['counter', 'echo']);
  });

  it('a tool removed by a reload is refused (NFR-005) while the others keep working', async () => {
    const h = makeHarness(toml('r3'));
    const out = h.collect('/conversations/#');
    await h.agent.start();
    await h.agent.applyConfig(configOf(toml('r3').replace('echo = "builtin"\n', '')));
    h.send(envelope('r3', { input: { tool_request: { name: 'echo', parameters: { message: 'x' } } } }));
    await waitFor(() => expect(out).toHaveLength(1));
    expect(out[0]!.body.error).toMatchObject({ code: 'tool_execution_failed' });
    h.send(envelope('r3', { input: { tool_request: { name: 'current_time', parameters: {} } } }));
    await waitFor(() => expect(out).toHaveLength(2));
    expect(out[1]!.body.response).toContain('unix_ms');
  });

  it('a next config that cannot be built is rejected with its code; the running generation keeps serving', async () => {
    const h = makeHarness(toml('r4'));
    const out = h.collect('/conversations/#');
    await h.agent.start();
    const bad = configOf(toml('r4', '[tools.x]\nimpl = "plugin:no-such-plugin"\n'));
    const err = await rejected(h.agent.applyConfig(bad));
    expect(err).toMatchObject({ code: 'AGENT_ERR_PLUGIN_NOT_FOUND' });
    expect(h.agent.generation).toBe(1);
    h.send(envelope('r4'));
    await waitFor(() => expect(out).toHaveLength(1));
    expect(out[0]!.body.response).toBe('say hi');
  });

  it('a changed provider that fails verification is rejected', async () => {
    const good = promptEcho();
    const bad = fakeProvider('broken', {
      doGenerate: () => Promise.resolve({ text: '', toolCalls: [], finishReason: 'stop' }),
      verify: () => Promise.reject(new Error('401 invalid key')),
    });
    const h = makeHarness(withPrompt('r5', 'v1'), { providers: [good.factory, bad] });
    await h.agent.start();
    const next = configOf(withPrompt('r5', 'v1').replace('provider = "prompt-echo"', 'provider = "broken"'));
    expect(await rejected(h.agent.applyConfig(next))).toMatchObject({
      code: 'AGENT_ERR_PROVIDER_VERIFY_FAILED',
    });
    expect(h.agent.config.llm.provider).toBe('prompt-echo');
  });

  it('re-publishes the retained status when what it advertises changes', async () => {
    const h = makeHarness(toml('r6'));
    const status = h.collect('/control/agents/r6/status');
    await h.agent.start();
    await waitFor(() => expect(status).toHaveLength(1));
    await h.agent.applyConfig(
      configOf(toml('r6').replace('capabilities = ["testing"]', 'capabilities = ["writing"]')),
    );
    await waitFor(() => expect(status).toHaveLength(2));
    expect(status[1]!.body).toMatchObject({ status: 'available', capabilities: ['writing'] });
    await h.agent.applyConfig(
      configOf(
        toml('r6')
          .replace('capabilities = ["testing"]', 'capabilities = ["writing"]')
          .replace('max_concurrent_tasks = 8', 'max_concurrent_tasks = 2'),
      ),
    );
    // applyConfig awaits its status publish: a marker published now arrives after any it made.
    h.broker.publish('/control/agents/r6/status', JSON.stringify({ status: 'fence' }));
    await waitFor(() => expect(status.at(-1)?.body.status).toBe('fence'));
    expect(status).toHaveLength(3);
  });

  it('a new agent id is applied by a reconnect: old id unavailable, new id available and answering', async () => {
    const h = makeHarness(toml('old-id'));
    const oldStatus = h.collect('/control/agents/old-id/status');
    const newStatus = h.collect('/control/agents/new-id/status');
    const out = h.collect('/conversations/#');
    await h.agent.start();
    const outcome = await h.agent.applyConfig(configOf(toml('new-id')));
    expect(outcome.reconnected).toBe(true);
    expect(oldStatus.at(-1)!.body).toMatchObject({ status: 'unavailable' });
    expect(newStatus.at(-1)!.body).toMatchObject({ status: 'available', agent_id: 'new-id' });
    h.send(envelope('new-id'));
    await waitFor(() => expect(out).toHaveLength(1));
    expect(out[0]!.topic).toBe('/conversations/conv-1/new-id');
  });

  it('a reconnect that cannot connect goes back to the previous settings, which keep serving', async () => {
    const broker = createMemoryBroker();
    const unreachable = 'mqtt://127.0.0.1:1';
    const agent = new Agent(configOf(toml('r8')), {
      plugins: { firstPartyDir: FIRST_PARTY_PLUGINS_DIR },
      transport: (will, config) => {
        const t = broker.createTransport({ clientId: `agent-${config.agent.id}`, will });
        if (config.mqtt.broker_url !== unreachable) return t;
        return { ...t, connect: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')) };
      },
    });
    onTestFinished(() => agent.stop());
    const status: string[] = [];
    broker.subscribe('/control/agents/r8/status', (m) =>
      status.push((JSON.parse(m.payload.toString()) as { status: string }).status),
    );
    const out: string[] = [];
    broker.subscribe('/conversations/#', (m) => out.push(m.payload.toString()));
    await agent.start();
    const next = configOf(toml('r8').replace('broker_url = "embedded"', `broker_url = "${unreachable}"`));
    const err = await rejected(agent.applyConfig(next));
    expect(err).toMatchObject({ code: 'AGENT_ERR_RELOAD_RECONNECT_FAILED', data: { broker: unreachable } });
    expect(agent.config.mqtt.broker_url).toBe('embedded');
    expect(agent.state).toBe('running');
    expect(status).toEqual(['available', 'unavailable', 'available']);
    broker.publish('/control/agents/r8/input', JSON.stringify(envelope('r8')));
    await waitFor(() => expect(out).toHaveLength(1));
  });

  it('runs reloads one at a time', async () => {
    const h = makeHarness(toml('r9'));
    await h.agent.start();
    const a = h.agent.applyConfig(configOf(toml('r9', 'task_timeout = 10')));
    const b = h.agent.applyConfig(configOf(toml('r9', 'task_timeout = 20')));
    expect((await a).generation).toBe(2);
    expect((await b).generation).toBe(3);
    expect(h.agent.config.task_timeout).toBe(20);
  });
});
