import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { silentLogger } from '../../../src/core/observability/silent-logger.js';
import { loadGeneration } from '../../../src/core/host/generation.js';
import { loadPlugin, type LoadableManifest, type LoadablePlugin } from '../../../src/core/host/load.js';

const fixture = (name: string): LoadablePlugin => {
  const dir = fileURLToPath(new URL(`../../fixtures/plugins-load/${name}`, import.meta.url));
  return { dir, manifest: JSON.parse(readFileSync(`${dir}/plugin.json`, 'utf8')) as LoadableManifest };
};

declare global {
  var __fixtureLog: string[] | undefined;
  var __hangAborted: boolean | undefined;
}

afterEach(() => {
  globalThis.__fixtureLog = [];
  globalThis.__hangAborted = undefined;
});

const load = (name: string, extra: Partial<Parameters<typeof loadPlugin>[1]> = {}) =>
  loadPlugin(fixture(name), {
    options: {},
    optionsKey: `plugins.${name}`,
    log: silentLogger,
    signal: new AbortController().signal,
    ...extra,
  });

describe('loadPlugin', () => {
  it('imports the entry, runs setup with validated options (defaults applied) and collects registrations', async () => {
    const p = await load('ok');
    expect([...p.tools.keys()]).toEqual(['shout']);
    expect([...p.providers.keys()]).toEqual(['fixture-ok-llm']);
    expect(globalThis.__fixtureLog).toEqual(['setup fixture-ok prefix=>']);
    await expect(
      Promise.resolve(p.tools.get('shout')!.execute({ text: 'hi' }, {} as never)),
    ).resolves.toEqual({ text: 'HI' });
  });

  it('runs onClose handlers in reverse order and aborts the plugin signal on close', async () => {
    const p = await load('ok');
    await p.close();
    expect(globalThis.__fixtureLog).toEqual([
      'setup fixture-ok prefix=>',
      'signal aborted',
      'close second-registered',
      'close first-registered',
    ]);
  });

  it('rejects options that break optionsSchema with AGENT_ERR_PLUGIN_OPTIONS_INVALID', async () => {
    await expect(
      load('ok', { options: { prefix: 5 }, optionsKey: 'tools.shout.config' }),
    ).rejects.toMatchObject({
      code: 'AGENT_ERR_PLUGIN_OPTIONS_INVALID',
      data: { plugin: 'fixture-ok', key: 'tools.shout.config' },
    });
  });

  it.each([
    ['wrong-export', 'AGENT_ERR_PLUGIN_INVALID_EXPORT'],
    ['wrong-version', 'AGENT_ERR_PLUGIN_INVALID_EXPORT'],
    ['import-fails', 'AGENT_ERR_PLUGIN_IMPORT_FAILED'],
    ['undeclared', 'AGENT_ERR_PLUGIN_UNDECLARED'],
    ['missing-registration', 'AGENT_ERR_PLUGIN_SETUP_FAILED'],
  ])('fixture %s fails with %s naming the plugin', async (name, code) => {
    await expect(load(name)).rejects.toMatchObject({ code, data: { plugin: `fixture-${name}` } });
  });

  it('an undeclared registration is refused even when the plugin swallows the refusal', async () => {
    await expect(load('undeclared')).rejects.toMatchObject({
      code: 'AGENT_ERR_PLUGIN_UNDECLARED',
      data: { kind: 'tool', name: 'sneaky', declared: ['shout'] },
    });
  });

  it('setup() that throws is AGENT_ERR_PLUGIN_SETUP_FAILED with the original error as cause', async () => {
    const err: unknown = await load('setup-throws').catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'AGENT_ERR_PLUGIN_SETUP_FAILED',
      data: { plugin: 'fixture-setup-throws' },
    });
    expect((err as Error).cause).toMatchObject({ message: 'cannot reach the license server' });
  });

  it('setup() that hangs is AGENT_ERR_PLUGIN_TIMEOUT and its signal is aborted so it can stop', async () => {
    await expect(load('setup-hangs', { timeoutMs: 50 })).rejects.toMatchObject({
      code: 'AGENT_ERR_PLUGIN_TIMEOUT',
      data: { plugin: 'fixture-setup-hangs', timeoutMs: 50 },
    });
    expect(globalThis.__hangAborted).toBe(true);
  });
});

describe('loadGeneration', () => {
  const optionsFor = (name: string) => ({ options: {}, key: `plugins.${name}` });

  it('collects providers and tools (scoped by plugin) and closes plugins in reverse load order', async () => {
    const gen = await loadGeneration([fixture('ok')], { id: 1, log: silentLogger, optionsFor });
    expect([...gen.providers.keys()]).toEqual(['fixture-ok-llm']);
    expect([...gen.tools.keys()]).toEqual(['fixture-ok:shout']);
    await gen.close();
    await gen.close();
    expect(gen.signal.aborted).toBe(true);
    expect(gen.signal.reason).toMatchObject({ code: 'AGENT_ERR_PLUGIN_CLOSED', data: { generation: 1 } });
    expect(globalThis.__fixtureLog?.filter((l) => l.startsWith('close'))).toEqual([
      'close second-registered',
      'close first-registered',
    ]);
  });

  it('a provider id registered twice is AGENT_ERR_PLUGIN_CONFLICT, and what loaded is closed', async () => {
    await expect(
      loadGeneration([fixture('ok'), fixture('provider-clash')], { id: 2, log: silentLogger, optionsFor }),
    ).rejects.toMatchObject({
      code: 'AGENT_ERR_PLUGIN_CONFLICT',
      data: { name: 'fixture-ok-llm', plugins: ['fixture-ok', 'fixture-provider-clash'] },
    });
    expect(globalThis.__fixtureLog).toContain('close first-registered');
  });

  it('a failing plugin closes the plugins loaded before it', async () => {
    await expect(
      loadGeneration([fixture('ok'), fixture('setup-throws')], { id: 3, log: silentLogger, optionsFor }),
    ).rejects.toMatchObject({ code: 'AGENT_ERR_PLUGIN_SETUP_FAILED' });
    expect(globalThis.__fixtureLog).toContain('close first-registered');
  });
});
