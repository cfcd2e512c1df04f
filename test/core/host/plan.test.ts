import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { parseConfigText } from '../../../src/core/config/load.js';
import { discoverPlugins, type DiscoveredPlugin } from '../../../src/core/host/discover.js';
import { planPlugins } from '../../../src/core/host/plan.js';
import { FIRST_PARTY_PLUGINS_DIR } from '../../../src/plugin-sources.js';
import { thrown } from '../../helpers/thrown.js';

const fixtures = fileURLToPath(new URL('../../fixtures/plugins/', import.meta.url));
const none = { injectedProviders: [], injectedTools: [] };
/** No plugins discovered; the provider comes from code. */
const bare = { injectedProviders: ['scripted'], injectedTools: [] };

async function discovered(...dirs: string[]): Promise<DiscoveredPlugin[]> {
  return discoverPlugins({
    firstPartyDir: FIRST_PARTY_PLUGINS_DIR,
    dirs: dirs.map((d) => fixtures + d),
    nodeModulesDirs: [],
  });
}

const config = (llm: string, tools: string) =>
  parseConfigText(
    `[agent]\nid = "p"\n[mqtt]\nbroker_url = "embedded"\n[llm]\n${llm}\n[tools]\n${tools}\n`,
    'a.toml',
    { env: {} },
  ).config;

describe('planPlugins', () => {
  it('resolves builtin tools and the provider to first-party plugins, loading only those', async () => {
    const plan = planPlugins(
      config('provider = "scripted"', 'echo = "builtin"'),
      await discovered('good-module'),
      none,
    );
    expect(plan.plugins.map((p) => p.manifest.name)).toEqual(['provider-scripted', 'tools-core']);
    expect(plan.tools).toMatchObject([{ name: 'echo', plugin: 'tools-core' }]);
    expect(plan.provider).toMatchObject({ id: 'scripted' });
  });

  it('resolves impl = "plugin:<name>" to that plugin, with its config as the plugin options', async () => {
    const tools = '[tools.shout]\nimpl = "plugin:good-module"\nconfig = { greeting = "yo" }';
    const plan = planPlugins(config('provider = "scripted"', tools), await discovered('good-module'), none);
    expect(plan.plugins.map((p) => p.manifest.name)).toEqual(['provider-scripted', 'good-module']);
    expect(plan.optionsFor('good-module')).toEqual({
      options: { greeting: 'yo' },
      key: 'tools.shout.config',
    });
  });

  it('validates each tool config against its configSchema (defaults applied), else the optionsSchema', async () => {
    const tools =
      '[tools.counter]\nimpl = "plugin:tool-config"\nconfig = { start = 5 }\n' +
      '[tools.plain]\nimpl = "plugin:tool-config"\nconfig = {}';
    const plan = planPlugins(config('provider = "scripted"', tools), await discovered('tool-config'), none);
    expect(plan.tools.map((t) => [t.name, t.config])).toEqual([
      ['counter', { start: 5, step: 1 }],
      ['plain', { prefix: '>' }],
    ]);
    // The counter's own config is not the plugin's options; the plain tool's is.
    expect(plan.optionsFor('tool-config')).toEqual({ options: { prefix: '>' }, key: 'tools.plain.config' });
  });

  it('a config table breaking the configSchema is AGENT_ERR_TOOL_CONFIG_INVALID naming key and problems', async () => {
    const list = await discovered('tool-config');
    const tools = '[tools.counter]\nimpl = "plugin:tool-config"\nconfig = { start = -1, stepp = 2 }';
    const err = thrown(() => planPlugins(config('provider = "scripted"', tools), list, none));
    expect(err.code).toBe('AGENT_ERR_TOOL_CONFIG_INVALID');
    expect(err.data).toEqual({
      tool: 'counter',
      plugin: 'tool-config',
      key: 'tools.counter.config',
      errors: ['(config) must NOT have additional properties (stepp)', '/start must be >= 0'],
    });
    const plain = '[tools.plain]\nimpl = "plugin:tool-config"\nconfig = { prefix = 1 }';
    const err2 = thrown(() => planPlugins(config('provider = "scripted"', plain), list, none));
    expect(err2).toMatchObject({
      code: 'AGENT_ERR_TOOL_CONFIG_INVALID',
      data: { key: 'tools.plain.config' },
    });
  });

  it('a provider from a discovered plugin can be chosen by its id', async () => {
    const plan = planPlugins(config('provider = "good-echo"', ''), await discovered('good-module'), none);
    expect(plan.plugins.map((p) => p.manifest.name)).toEqual(['good-module']);
  });

  it('an unknown provider lists every declared provider id', async () => {
    const err = thrown(() =>
      planPlugins(config('provider = "nope"', ''), [], { injectedProviders: ['mine'], injectedTools: [] }),
    );
    expect(err).toMatchObject({ code: 'AGENT_ERR_PROVIDER_UNKNOWN', data: { available: ['mine'] } });
    const list = await discovered('good-module');
    const err2 = thrown(() => planPlugins(config('provider = "nope"', ''), list, none));
    expect(err2.data).toEqual({
      provider: 'nope',
      available: ['anthropic', 'good-echo', 'openai', 'scripted'],
    });
  });

  it('[routing.llm] provider (strategy llm) loads its plugin; an unknown one names routing.llm.provider', async () => {
    const routing = (provider: string): string =>
      `[routing]\nstrategy = "llm"\n[routing.llm]\nprovider = "${provider}"`;
    const list = await discovered('good-module');
    const plan = planPlugins(config('provider = "scripted"', routing('good-echo')), list, none);
    expect(plan.plugins.map((p) => p.manifest.name)).toContain('good-module');
    const err = thrown(() => planPlugins(config('provider = "scripted"', routing('nope')), list, none));
    expect(err).toMatchObject({
      code: 'AGENT_ERR_PROVIDER_UNKNOWN',
      data: { provider: 'nope', key: 'routing.llm.provider' },
    });
    expect(err.message).toMatch(/^routing\.llm\.provider "nope"/);
  });

  it('an unknown plugin is AGENT_ERR_PLUGIN_NOT_FOUND listing the discovered ones', async () => {
    const list = await discovered('good-module');
    expect(() =>
      planPlugins(config('provider = "scripted"', '[tools.x]\nimpl = "plugin:ghost"'), list, none),
    ).toThrow(
      expect.objectContaining({
        code: 'AGENT_ERR_PLUGIN_NOT_FOUND',
        data: expect.objectContaining({ plugin: 'ghost', key: 'tools.x.impl' }) as unknown,
      }) as Error,
    );
  });

  it('a tool the plugin does not declare is AGENT_ERR_TOOL_UNKNOWN listing its tools', async () => {
    const list = await discovered('good-module');
    expect(() =>
      planPlugins(
        config('provider = "scripted"', '[tools.whisper]\nimpl = "plugin:good-module"'),
        list,
        none,
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'AGENT_ERR_TOOL_UNKNOWN',
        data: { tool: 'whisper', available: ['shout'] },
      }) as Error,
    );
  });

  it('plans manifest subprocess and script tools with paths in the plugin folder; the table can lower limits', async () => {
    const list = await discovered('good-tools');
    const [goodTools] = list.filter((p) => p.manifest.name === 'good-tools');
    const tools =
      '[tools.word_count]\nimpl = "plugin:good-tools"\ntimeout_ms = 100\n' +
      '[tools.upper]\nimpl = "plugin:good-tools"\ntimeout_seconds = 60\nenv = ["TZ"]\nsandbox = "bwrap"';
    const plan = planPlugins(config('provider = "scripted"', tools), list, none);
    expect(plan.tools).toEqual([
      expect.objectContaining({
        kind: 'script',
        name: 'word_count',
        plugin: 'good-tools',
        source: `${goodTools!.dir}/word-count.js`,
        hostFunctions: [],
        requested: { timeoutMs: 100, memoryLimitMb: 32, maxOutputBytes: 4096 },
      }),
      expect.objectContaining({
        kind: 'subprocess',
        name: 'upper',
        toolDir: goodTools!.dir,
        command: `${goodTools!.dir}/bin/upper.sh`,
        args: ['--strict'],
        envAllow: ['PATH', 'LANG', 'TZ'],
        sandbox: 'bwrap',
        network: false,
        // 60 s from the table does not raise the manifest's 2 s.
        requested: expect.objectContaining({
          timeoutMs: 2000,
          maxOutputBytes: 65536,
          memoryMb: 128,
        }) as unknown,
      }),
    ]);
    // Subprocess/script-only plugins have no entry module, so nothing is imported for them.
    expect(plan.plugins.map((p) => p.manifest.name)).toContain('good-tools');
  });

  it("plans the inline external form, with the Rust version's config.max_execution_time as the timeout", () => {
    const tools =
      '[tools.custom_tool]\nimpl = "external"\ncommand = "/usr/local/bin/my-tool"\n' +
      'config = { working_dir = "/tmp", max_execution_time = 60 }';
    const plan = planPlugins(config('provider = "scripted"', tools), [], bare);
    expect(plan.tools).toEqual([
      {
        kind: 'subprocess',
        name: 'custom_tool',
        config: { working_dir: '/tmp', max_execution_time: 60 },
        command: '/usr/local/bin/my-tool',
        args: [],
        envAllow: [],
        sandbox: 'none',
        network: false,
        readOnlyPaths: [],
        workDirBase: '/tmp',
        requested: { timeoutMs: 60_000, maxOutputBytes: undefined },
      },
    ]);
  });

  it('read_only_paths are planned with sandbox = "bwrap", and refused without it', () => {
    const bwrapTool =
      '[tools.t]\nimpl = "external"\ncommand = "/usr/local/bin/t"\nsandbox = "bwrap"\nread_only_paths = ["/srv/data"]';
    const [planned] = planPlugins(config('provider = "scripted"', bwrapTool), [], bare).tools;
    expect(planned).toMatchObject({ kind: 'subprocess', readOnlyPaths: ['/srv/data'] });
    const plainTool =
      '[tools.t]\nimpl = "external"\ncommand = "/usr/local/bin/t"\nread_only_paths = ["/srv/data"]';
    const err = thrown(() => planPlugins(config('provider = "scripted"', plainTool), [], bare));
    expect(err).toMatchObject({
      code: 'AGENT_ERR_CONFIG_INVALID',
      data: { file: 'a.toml', problems: [{ path: 'tools.t.read_only_paths', line: 11 }] },
    });
  });

  it('inline external without command, or script without source or description, is AGENT_ERR_CONFIG_INVALID at the table', () => {
    const cases: Array<[string, string]> = [
      ['x = { impl = "external" }', 'tools.x.command'],
      ['x = { impl = "script", description = "d" }', 'tools.x.source'],
      ['x = { impl = "script", source = "x.js" }', 'tools.x.description'],
    ];
    for (const [tools, key] of cases) {
      const err = thrown(() => planPlugins(config('provider = "scripted"', tools), [], bare));
      expect(err).toMatchObject({
        code: 'AGENT_ERR_CONFIG_INVALID',
        data: { file: 'a.toml', problems: [{ path: key, line: 8 }] },
      });
    }
  });

  it('plans the inline script form with its source relative to the config file', () => {
    const tools =
      'calc = { impl = "script", source = "tools/calc.js", description = "Calculate", timeout_ms = 50 }';
    const plan = planPlugins(config('provider = "scripted"', tools), [], bare);
    expect(plan.tools[0]).toMatchObject({
      kind: 'script',
      source: resolve('tools/calc.js'), // the config file is ./a.toml
      parameters: { type: 'object' },
      hostFunctions: ['log'],
      requested: { timeoutMs: 50 },
    });
  });

  it('a used plugin pulls in its dependsOn closure; a missing one is AGENT_ERR_PLUGIN_DEPENDENCY_MISSING', async () => {
    const [good] = (await discovered('good-module')).filter((p) => p.manifest.name === 'good-module');
    const withDep = (deps: string[]): DiscoveredPlugin => ({
      ...good!,
      manifest: { ...good!.manifest, dependsOn: deps },
    });
    const tools = '[tools.shout]\nimpl = "plugin:good-module"';
    const list = await discovered();
    const plan = planPlugins(
      config('provider = "scripted"', tools),
      [...list, withDep(['tools-core'])],
      none,
    );
    expect(plan.plugins.map((p) => p.manifest.name)).toEqual([
      'provider-scripted',
      'tools-core',
      'good-module',
    ]);
    expect(() =>
      planPlugins(config('provider = "scripted"', tools), [...list, withDep(['not-installed'])], none),
    ).toThrow(
      expect.objectContaining({
        code: 'AGENT_ERR_PLUGIN_DEPENDENCY_MISSING',
        data: { plugin: 'good-module', missing: ['not-installed'] },
      }) as Error,
    );
  });

  it('an unknown impl is AGENT_ERR_CONFIG_INVALID naming the key and its line', async () => {
    const list = await discovered();
    const err = thrown(() => planPlugins(config('provider = "scripted"', '\necho = "wasm"'), list, none));
    expect(err).toMatchObject({
      code: 'AGENT_ERR_CONFIG_INVALID',
      data: { file: 'a.toml', problems: [{ path: 'tools.echo.impl', line: 9 }] },
    });
  });

  it('a config built in code (no file) still names the key, without a line', async () => {
    const list = await discovered();
    const loaded = config('provider = "scripted"', 'echo = "wasm"');
    const inCode = JSON.parse(JSON.stringify(loaded)) as typeof loaded; // plain data: no source
    const err = thrown(() => planPlugins(inCode, list, none));
    expect(err).toMatchObject({
      code: 'AGENT_ERR_CONFIG_INVALID',
      data: { problems: [{ path: 'tools.echo.impl' }] },
    });
    expect((err.data as { problems: { line?: number }[] }).problems[0]!.line).toBeUndefined();
  });

  it('an unknown builtin is AGENT_ERR_TOOL_UNKNOWN listing the available tools', async () => {
    const list = await discovered();
    const err = thrown(() =>
      planPlugins(config('provider = "scripted"', 'web_browse = "builtin"'), list, none),
    );
    expect(err.code).toBe('AGENT_ERR_TOOL_UNKNOWN');
    expect(err.data).toEqual({
      tool: 'web_browse',
      available: [
        'current_time',
        'echo',
        'file_list',
        'file_read',
        'file_write',
        'http_request',
        'web_search',
      ],
    });
  });
});
