// Hot reload through a real agent process on a real mosquitto, with real chokidar on temp folders.
import { randomUUID } from 'node:crypto';
import { cp, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { injectTool, startAgentProcess, type AgentProcess } from '../../helpers/agent-process.js';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto.js';
import { connectProbe, type Probe } from '../../helpers/mqtt-probe.js';

const FIXTURE_PLUGINS = fileURLToPath(new URL('../../fixtures/plugins/', import.meta.url));

let broker: Mosquitto;
let root: string;
beforeAll(async () => {
  broker = await startMosquitto();
  root = await mkdtemp(join(tmpdir(), 'agent2389-reload-'));
});
afterAll(async () => {
  await broker.stop();
  await rm(root, { recursive: true, force: true });
});

interface Options {
  readonly url?: string;
  readonly prompt?: string;
  readonly tools?: string;
  readonly extra?: string;
}

function agentToml(id: string, o: Options = {}): string {
  return [
    o.extra ?? '',
    '[agent]',
    `id = "${id}"`,
    '[mqtt]',
    `broker_url = "${o.url ?? broker.url}"`,
    '[llm]',
    'provider = "scripted"',
    `system_prompt = "${o.prompt ?? 'v1'}"`,
    '[reload]',
    'debounce_ms = 100',
    '[tools]',
    o.tools ?? 'echo = "builtin"',
    '',
  ].join('\n');
}

/** A folder of its own for each agent: the config file, and whatever plugins the test puts next to it. */
async function agentIn(id: string, o: Options = {}): Promise<AgentProcess> {
  const dir = join(root, id);
  await mkdir(dir, { recursive: true });
  const agent = await startAgentProcess(agentToml(id, o), {}, true, dir);
  await agent.waitForLog(WATCHING);
  return agent;
}

/** Save as an editor that writes a temp file and renames it over the original does. */
async function saveByRename(file: string, text: string): Promise<void> {
  const temp = `${file}.tmp-${randomUUID().slice(0, 6)}`;
  await writeFile(temp, text);
  await rename(temp, file);
}

const count = (agent: AgentProcess, re: RegExp): number =>
  agent
    .output()
    .split('\n')
    .filter((l) => re.test(l)).length;

/** Wait for the `n`-th log line matching `re`. */
async function waitForNth(agent: AgentProcess, re: RegExp, n: number, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (count(agent, re) < n) {
    if (Date.now() > until) throw new Error(`waited for ${n}× ${re}:\n${agent.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const RELOADED = /"msg":"config reloaded/;
const WATCHING = /"msg":"watching the config file and plugin folders/;
const REJECTED = /"msg":"config rejected/;

/** Publish a task and wait for its answer on the conversation topic. */
async function ask(probe: Probe, id: string, input: unknown): Promise<Record<string, unknown>> {
  const task = {
    task_id: randomUUID(),
    conversation_id: `c-${id}`,
    topic: `/control/agents/${id}/input`,
    instruction: null,
    input,
    next: null,
  };
  await probe.publish(task.topic, JSON.stringify(task));
  const mine = () => probe.on(`/conversations/c-${id}/${id}`).find((m) => m.json().task_id === task.task_id);
  await expect.poll(mine, { timeout: 15_000, interval: 20 }).toBeDefined();
  return mine()!.json();
}

const promptOf = { scripted: { reply: 'system_prompt' } };

async function probeFor(id: string, url = broker.url): Promise<Probe> {
  const probe = await connectProbe(url);
  await probe.subscribe(`/conversations/c-${id}/+`);
  await probe.subscribe(`/control/agents/${id}/status`);
  await probe.subscribe(`/control/agents/${id}/progress`);
  return probe;
}

describe('hot reload (real process, mosquitto, chokidar)', () => {
  it('a system prompt edited while a slow task runs: the running task keeps the old one, the next gets the new one', async () => {
    const agent = await agentIn('hr-prompt');
    const probe = await probeFor('hr-prompt');
    const slow = ask(probe, 'hr-prompt', { scripted: { reply: 'system_prompt', delay_ms: 2000 } });
    await agent.waitForLog(/"msg":"task started"/);
    await writeFile(agent.file, agentToml('hr-prompt', { prompt: 'v2' }));
    await waitForNth(agent, RELOADED, 1);
    expect(await ask(probe, 'hr-prompt', promptOf)).toMatchObject({ response: 'v2' });
    expect(await slow).toMatchObject({ response: 'v1' });
    const event = probe
      .on('/control/agents/hr-prompt/progress')
      .map((m) => m.json())
      .find((e) => e.event === 'config_reloaded');
    expect(event).toMatchObject({
      agent_id: 'hr-prompt',
      data: { generation: 2, changed: ['llm.system_prompt'] },
    });
  });

  it('a save by rename is applied', async () => {
    const agent = await agentIn('hr-rename');
    const probe = await probeFor('hr-rename');
    await saveByRename(agent.file, agentToml('hr-rename', { prompt: 'renamed' }));
    await waitForNth(agent, RELOADED, 1);
    expect(await ask(probe, 'hr-rename', promptOf)).toMatchObject({ response: 'renamed' });
  });

  it('a syntax error keeps the old config serving (config_rejected with the line); fixing the file applies it', async () => {
    const agent = await agentIn('hr-syntax');
    const probe = await probeFor('hr-syntax');
    await writeFile(agent.file, agentToml('hr-syntax').replace('[llm]', '[llm'));
    await waitForNth(agent, REJECTED, 1);
    const rejected = await probe.waitFor('/control/agents/hr-syntax/progress');
    expect(rejected[0]!.json()).toMatchObject({
      event: 'config_rejected',
      data: { file: agent.file, code: 'AGENT_ERR_CONFIG_PARSE', line: 6 },
    });
    expect(await ask(probe, 'hr-syntax', promptOf)).toMatchObject({ response: 'v1' });
    await writeFile(agent.file, agentToml('hr-syntax', { prompt: 'fixed' }));
    await waitForNth(agent, RELOADED, 1);
    expect(await ask(probe, 'hr-syntax', promptOf)).toMatchObject({ response: 'fixed' });
  });

  it('a tool whose plugin folder appears after the config names it becomes callable', async () => {
    const plugins = join(root, 'hr-plugin', 'plugins');
    await mkdir(plugins, { recursive: true });
    const agent = await agentIn('hr-plugin', { extra: '[plugins]\ndirs = ["./plugins"]' });
    await writeFile(
      agent.file,
      agentToml('hr-plugin', {
        extra: '[plugins]\ndirs = ["./plugins"]',
        tools: 'echo = "builtin"\nshout = { impl = "plugin:good-module" }',
      }),
    );
    await waitForNth(agent, REJECTED, 1);
    expect(agent.output()).toContain('AGENT_ERR_PLUGIN_NOT_FOUND');
    await cp(join(FIXTURE_PLUGINS, 'good-module'), join(plugins, 'good-module'), { recursive: true });
    await waitForNth(agent, RELOADED, 1);
    const r = await injectTool(broker.url, 'hr-plugin', 'shout', { text: 'hi' });
    expect(r.stdout.trim()).toBe('{"text":"HI"}');
  });

  it('a removed tool is refused and the status no longer lists it', async () => {
    const agent = await agentIn('hr-remove', { tools: 'echo = "builtin"\ncurrent_time = "builtin"' });
    const probe = await probeFor('hr-remove');
    await writeFile(agent.file, agentToml('hr-remove', { tools: 'current_time = "builtin"' }));
    await waitForNth(agent, RELOADED, 1);
    const r = await ask(probe, 'hr-remove', { tool_request: { name: 'echo', parameters: { message: 'x' } } });
    expect(r.error).toMatchObject({ code: 'tool_execution_failed' });
    await expect
      .poll(() => probe.on('/control/agents/hr-remove/status').at(-1)?.json().tools)
      .toEqual(['current_time']);
  });

  it('a new broker port moves the agent to the second broker: unavailable on the first, available and answering on the second', async () => {
    const second = await startMosquitto();
    try {
      const agent = await agentIn('hr-move');
      const first = await probeFor('hr-move');
      await writeFile(agent.file, agentToml('hr-move', { url: second.url }));
      await agent.waitForLog(/reload: reconnected with the new settings/);
      await waitForNth(agent, RELOADED, 1);
      const there = await probeFor('hr-move', second.url);
      await expect
        .poll(() => there.on('/control/agents/hr-move/status').at(-1)?.json().status)
        .toBe('available');
      await expect
        .poll(() => first.on('/control/agents/hr-move/status').at(-1)?.json().status)
        .toBe('unavailable');
      expect(await ask(there, 'hr-move', promptOf)).toMatchObject({ response: 'v1' });
    } finally {
      await second.stop();
    }
  });

  it('a changed module plugin is re-imported, including the modules it imports', async () => {
    const plugins = join(root, 'hr-module', 'plugins');
    await mkdir(join(plugins, 'shouty'), { recursive: true });
    const manifest = {
      manifestVersion: 1,
      name: 'shouty',
      version: '0.1.0',
      runtime: '>=0.1.0',
      entry: 'index.js',
      tools: [
        {
          name: 'shout',
          description: 'transform text',
          parameters: { type: 'object' },
          executor: { type: 'module' },
        },
      ],
    };
    await writeFile(join(plugins, 'shouty', 'plugin.json'), JSON.stringify(manifest));
    await writeFile(
      join(plugins, 'shouty', 'index.js'),
      "import { transform } from './transform.js';\nexport default { specificationVersion: 'v1', setup(ctx) { ctx.registerTool({ specificationVersion: 'v1', describe: () => ({ name: 'shout', description: 'transform text', parameters: { type: 'object' } }), execute: ({ text }) => ({ text: transform(text) }) }); } };\n",
    );
    await writeFile(
      join(plugins, 'shouty', 'transform.js'),
      'export const transform = (t) => t.toUpperCase();\n',
    );
    const opts = { extra: '[plugins]\ndirs = ["./plugins"]', tools: 'shout = { impl = "plugin:shouty" }' };
    const agent = await agentIn('hr-module', opts);
    expect((await injectTool(broker.url, 'hr-module', 'shout', { text: 'Hi' })).stdout.trim()).toBe(
      '{"text":"HI"}',
    );
    await writeFile(
      join(plugins, 'shouty', 'transform.js'),
      'export const transform = (t) => t.split("").reverse().join("");\n',
    );
    await waitForNth(agent, RELOADED, 1);
    expect((await injectTool(broker.url, 'hr-module', 'shout', { text: 'Hi' })).stdout.trim()).toBe(
      '{"text":"iH"}',
    );
  });

  it('[reload] enabled = false: a save is not applied; SIGHUP applies it', async () => {
    const off = (prompt: string): string =>
      agentToml('hr-hup', { prompt }).replace('debounce_ms = 100', 'enabled = false');
    const dir = join(root, 'hr-hup');
    await mkdir(dir, { recursive: true });
    const agent = await startAgentProcess(off('v1'), {}, true, dir);
    // The reloader has started and set up no watch: nothing can see the save below.
    await agent.waitForLog(/"msg":"not watching the config file/);
    expect(count(agent, WATCHING)).toBe(0);
    const probe = await probeFor('hr-hup');
    await writeFile(agent.file, off('hup'));
    expect(await ask(probe, 'hr-hup', promptOf)).toMatchObject({ response: 'v1' });
    agent.signal('SIGHUP');
    await waitForNth(agent, RELOADED, 1);
    expect(await ask(probe, 'hr-hup', promptOf)).toMatchObject({ response: 'hup' });
    // Every reload attempt there was came from the signal.
    expect(count(agent, /"msg":"config (reloaded|unchanged|rejected)/)).toBe(1);
    expect(count(agent, /"trigger":"signal"/)).toBe(1);
  });
});
