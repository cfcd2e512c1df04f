import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { createToolHarness, type ToolHarness } from '../../src/testing/index.js';
import { listenLoopback } from '../helpers/loopback-server.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/plugins/${name}`, import.meta.url));
let harness: ToolHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('createToolHarness (through the real host)', () => {
  it('loads a module plugin and calls its tool with validated parameters', async () => {
    harness = await createToolHarness(fixture('good-module'));
    expect(harness.tools).toEqual(['shout']);
    await expect(harness.call('shout', { text: 'hi' })).resolves.toMatchObject({
      ok: true,
      value: { text: 'HI' },
    });
  });

  it('returns coded error results for bad parameters and unknown tools, as the agent would', async () => {
    harness = await createToolHarness(fixture('good-module'));
    await expect(harness.call('shout', { text: 5 })).resolves.toMatchObject({
      ok: false,
      code: 'AGENT_ERR_TOOL_INVALID_PARAMS',
    });
    await expect(harness.call('whisper', {})).resolves.toMatchObject({
      ok: false,
      code: 'AGENT_ERR_TOOL_NOT_ALLOWED',
    });
  });

  it('validates options against optionsSchema', async () => {
    await expect(
      createToolHarness(fixture('good-module'), { options: { greeting: 5 } }),
    ).rejects.toMatchObject({
      code: 'AGENT_ERR_PLUGIN_OPTIONS_INVALID',
    });
  });

  it('initializes each tool with its validated config, the agent id and a data dir', async () => {
    harness = await createToolHarness(fixture('tool-config'), {
      config: { counter: { start: 3 } },
      options: { prefix: '#' },
      agentId: 'a7',
      dataDir: '/srv/a7',
    });
    const counter = await harness.call('counter', {});
    expect(counter).toMatchObject({
      ok: true,
      value: { config: { start: 3, step: 1, agentId: 'a7', dataDir: '/srv/a7' } },
    });
    await expect(harness.call('plain', { text: 'x' })).resolves.toMatchObject({
      ok: true,
      value: { text: '#x', config: { prefix: '#' } },
    });
  });

  it('defaults the data dir to a fresh temporary directory', async () => {
    harness = await createToolHarness(fixture('tool-config'));
    const out = await harness.call('counter', {});
    expect(out.ok && (out.value as { config: { dataDir: string } }).config.dataDir).toContain(
      'agent2389-harness-',
    );
  });

  it('rejects a tool config that breaks its configSchema with AGENT_ERR_TOOL_CONFIG_INVALID', async () => {
    await expect(
      createToolHarness(fixture('tool-config'), { config: { counter: { start: 'x' } } }),
    ).rejects.toMatchObject({ code: 'AGENT_ERR_TOOL_CONFIG_INVALID', data: { key: 'tools.counter.config' } });
  });

  it('rejects an invalid manifest before any code runs', async () => {
    await expect(createToolHarness(fixture('bad-manifest'))).rejects.toMatchObject({
      code: 'AGENT_ERR_MANIFEST_INVALID',
    });
  });

  it('runs subprocess and script tools through the sandboxed executors, as the agent does', async () => {
    harness = await createToolHarness(fixture('good-tools'));
    await expect(harness.call('word_count', { text: 'a b  c' })).resolves.toMatchObject({
      ok: true,
      value: { words: 3 },
    });
    await expect(harness.call('upper', { text: 'shout' })).resolves.toMatchObject({
      ok: true,
      value: { text: 'SHOUT', args: ['--strict'] },
    });
    await expect(harness.call('upper', {})).resolves.toMatchObject({
      ok: false,
      code: 'AGENT_ERR_TOOL_INVALID_PARAMS',
    });
  });

  it('runs a script that declares fetch under the policy given in `fetch` (default: public only)', async () => {
    const server = await listenLoopback(createServer((_req, res) => res.end('pong')));
    try {
      harness = await createToolHarness(fixture('fetch-script'));
      await expect(harness.call('get_status', { url: server.url })).resolves.toMatchObject({
        ok: false,
        code: 'AGENT_ERR_SCRIPT_FAILED',
        message: expect.stringContaining('[HTTP_PRIVATE_ADDRESS]') as string,
      });
      await harness.close();
      harness = await createToolHarness(fixture('fetch-script'), {
        fetch: { get_status: { allowed_private_cidrs: ['127.0.0.1/32'] } },
      });
      await expect(harness.call('get_status', { url: server.url })).resolves.toMatchObject({
        ok: true,
        value: { status: 200, body: 'pong' },
      });
    } finally {
      await server.close();
    }
  });
});
