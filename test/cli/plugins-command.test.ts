// `agent2389 plugins` and `agent2389 plugin validate`, in this process, against fixture plugins.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { describeManifest, problemLines } from '../../src/cli/plugin.js';
import { formatTable, listPlugins } from '../../src/cli/plugins.js';
import type { DiscoveredPlugin } from '../../src/core/host/discover.js';
import type { PluginManifest } from '../../src/core/host/manifest.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/plugins/${name}`, import.meta.url));

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'agent2389-plugins-cmd-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** A discovered plugin with just the fields listPlugins reads. */
function plugin(name: string, fields: Partial<PluginManifest> = {}): DiscoveredPlugin {
  const manifest: PluginManifest = {
    manifestVersion: 1,
    name,
    version: '1.0.0',
    runtime: '>=0.1.0',
    ...fields,
  };
  return { manifest, dir: `/plugins/${name}`, file: `/plugins/${name}/plugin.json`, source: 'dir' };
}

describe('listPlugins', () => {
  it('marks plugins that depend, directly or through others, on a missing plugin; the rest stay ok', () => {
    const list = listPlugins([
      plugin('base'),
      plugin('needs-ghost', { dependsOn: ['ghost'] }),
      plugin('needs-needs-ghost', { dependsOn: ['needs-ghost'] }),
      plugin('needs-base', { dependsOn: ['base'] }),
    ]);
    expect(Object.fromEntries(list.map((p) => [p.name, p.state]))).toEqual({
      base: 'ok',
      'needs-ghost': 'dependency missing: ghost',
      // Its own dependency is there but cannot load, so neither can it (and it is no cycle).
      'needs-needs-ghost': 'dependency cannot load: needs-ghost',
      'needs-base': 'ok',
    });
  });

  it('joins every reason of one plugin: runtime range and missing dependencies', () => {
    const [p] = listPlugins([plugin('old', { runtime: '>=99', dependsOn: ['a', 'b'] })]);
    expect(p!.state).toBe('runtime mismatch (needs >=99); dependency missing: a, b');
  });

  it('names the cycle for each plugin in it', () => {
    const list = listPlugins([
      plugin('x', { dependsOn: ['y'] }),
      plugin('y', { dependsOn: ['x'] }),
      plugin('w'),
    ]);
    const state = new Map(list.map((p) => [p.name, p.state]));
    expect(state.get('x')).toMatch(/^dependency cycle: (x -> y -> x|y -> x -> y)$/);
    expect(state.get('y')).toBe(state.get('x'));
    expect(state.get('w')).toBe('ok');
  });

  it('lists tools with their executor and provider ids; the table shows - for none', () => {
    const list = listPlugins([
      plugin('tooly', {
        tools: [
          {
            name: 'a',
            description: 'a',
            parameters: { type: 'object' },
            executor: { type: 'script', file: 'a.js' },
          } as never,
        ],
        providers: [{ id: 'p1' }],
      }),
      plugin('empty'),
    ]);
    expect(list[0]).toMatchObject({ tools: [{ name: 'a', executor: 'script' }], providers: ['p1'] });
    const lines = formatTable(list).split('\n');
    expect(lines[0]).toMatch(/^NAME +VERSION +SOURCE +TOOLS +PROVIDERS +STATE$/);
    expect(lines[1]!.split(/ {2,}/)).toEqual(['tooly', '1.0.0', 'dir', 'a:script', 'p1', 'ok']);
    expect(lines[2]!.split(/ {2,}/)).toEqual(['empty', '1.0.0', 'dir', '-', '-', 'ok']);
    // Columns line up: the state column starts at the same place on every line.
    const stateColumn = lines[0]!.indexOf('STATE');
    expect(lines.slice(1).map((l) => l.lastIndexOf('ok'))).toEqual([stateColumn, stateColumn]);
  });
});

describe('describeManifest and problemLines', () => {
  it('summarises what a manifest declares, (none) for nothing', () => {
    expect(describeManifest(plugin('bare').manifest)).toBe(
      'plugin bare 1.0.0, tools: (none), providers: (none)',
    );
  });

  it('prints one <file>: <pointer>: <message> line per problem, (manifest) for the whole document', () => {
    expect(
      problemLines('/p/plugin.json', [
        { pointer: '', message: 'must be an object' },
        { pointer: '/tools/0/name', message: 'must match pattern' },
      ]),
    ).toEqual([
      '/p/plugin.json: (manifest): must be an object',
      '/p/plugin.json: /tools/0/name: must match pattern',
    ]);
  });
});

describe('agent2389 plugins (in process)', () => {
  it('reads [plugins] dirs from the config, warns about unknown keys, and lists the plugins as JSON', async () => {
    const config = join(tmp, 'agent.toml');
    await writeFile(
      config,
      `[agent]\nid = "lister"\nfavourite_colour = "blue"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\n` +
        `[plugins]\ndirs = [${JSON.stringify(fixture('good-module'))}]\nnpm = false\n`,
    );
    const r = await runCliInProcess(['plugins', config, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: .*agent\.toml: agent\.favourite_colour /);
    const { plugins: list, mcp_servers: servers } = JSON.parse(r.stdout) as {
      plugins: Array<{ name: string; source: string; state: string }>;
      mcp_servers: unknown[];
    };
    expect(list.at(-1)).toMatchObject({ name: 'good-module', source: 'dir', state: 'ok' });
    expect(servers).toEqual([]);
    expect(list.filter((p) => p.source === 'first-party').length).toBeGreaterThan(0);
  });

  it('exits 1 with the coded error when a [plugins] dir holds an invalid manifest', async () => {
    const config = join(tmp, 'bad.toml');
    await writeFile(
      config,
      `[agent]\nid = "lister"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\n` +
        `[plugins]\ndirs = [${JSON.stringify(fixture('bad-manifest'))}]\nnpm = false\n`,
    );
    const r = await runCliInProcess(['plugins', config]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^agent2389: \[AGENT_ERR_MANIFEST_INVALID\] /);
  });
});

describe('agent2389 plugins: [mcp] servers (in process)', () => {
  const head =
    `[agent]\nid = "lister"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\n` +
    `[plugins]\ndirs = [${JSON.stringify(fixture('mcp-servers'))}]\nnpm = false\n`;

  it("lists the config's and the plugins' servers after the plugins, starting none without --mcp", async () => {
    const marker = join(tmp, 'server-ran');
    const config = join(tmp, 'mcp.toml');
    await writeFile(
      config,
      `${head}[mcp.local]\ncommand = "/bin/sh"\nargs = ["-c", ${JSON.stringify(`touch ${marker}`)}]\n` +
        `[mcp.ping]\nplugin = "mcp-servers"\nserver = "pinger"\nlazy = true\n[mcp.remote]\nurl = "https://mcp.example.com/mcp"\n`,
    );
    const table = await runCliInProcess(['plugins', config]);
    expect(table.code).toBe(0);
    const [plugins, servers] = table.stdout.trimEnd().split('\n\n');
    expect(plugins!.split('\n').at(-1)).toMatch(/^mcp-servers +1\.0\.0 +dir /);
    expect(servers!.split('\n').map((l) => l.split(/ {2,}/))).toEqual([
      ['MCP SERVER', 'TRANSPORT', 'FROM', 'SANDBOX'],
      ['local', `stdio: /bin/sh -c "touch ${marker}"`, 'config', 'none'],
      ['ping', `stdio: ${fixture('mcp-servers')}/bin/server.sh`, 'mcp-servers', 'none'],
      ['remote', 'http: https://mcp.example.com/mcp', 'config', 'address policy'],
    ]);
    // The plugin's pinger asks for limits above the [sandbox] ceilings: lowered, with a warning.
    expect(table.stderr).toMatch(/^warning: .*mcp\.toml: requested limits above .*\(server=ping, /);

    const json = await runCliInProcess(['plugins', config, '--json']);
    expect(json.code).toBe(0);
    const { mcp_servers: listed } = JSON.parse(json.stdout) as { mcp_servers: unknown[] };
    expect(listed).toEqual([
      {
        name: 'local',
        transport: 'stdio',
        command: ['/bin/sh', '-c', `touch ${marker}`],
        from: 'config',
        sandbox: 'none',
        lazy: false,
      },
      {
        name: 'ping',
        transport: 'stdio',
        command: [`${fixture('mcp-servers')}/bin/server.sh`],
        from: 'mcp-servers',
        sandbox: 'none',
        lazy: true,
      },
      {
        name: 'remote',
        transport: 'http',
        url: 'https://mcp.example.com/mcp',
        from: 'config',
        sandbox: 'address policy',
        lazy: false,
      },
    ]);
    expect(existsSync(marker)).toBe(false);
  });

  it('exits 1 with the coded error for a server the config cannot build (missing cwd, unknown plugin server)', async () => {
    const config = join(tmp, 'bad-mcp.toml');
    await writeFile(config, `${head}[mcp.local]\ncommand = "node"\ncwd = "./no-such-dir"\n`);
    const missing = await runCliInProcess(['plugins', config]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^agent2389: \[AGENT_ERR_CONFIG_INVALID\] .*mcp\.local\.cwd/s);

    await writeFile(config, `${head}[mcp.pong]\nplugin = "mcp-servers"\n`);
    const unknown = await runCliInProcess(['plugins', config]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^agent2389: \[AGENT_ERR_CONFIG_INVALID\] .*mcp\.pong\.plugin/s);
  });
});

describe('agent2389 plugin validate (in process)', () => {
  it('accepts a plugin folder or its plugin.json and summarises it', async () => {
    for (const path of [fixture('good-module'), join(fixture('good-module'), 'plugin.json')]) {
      const r = await runCliInProcess(['plugin', 'validate', path]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(
        `${join(fixture('good-module'), 'plugin.json')} is valid: plugin good-module 0.1.0, tools: shout (module), providers: good-echo\n`,
      );
    }
  });

  it('prints the problems of an invalid manifest and exits 1', async () => {
    const r = await runCliInProcess(['plugin', 'validate', fixture('bad-manifest')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines)
      expect(line.startsWith(`${join(fixture('bad-manifest'), 'plugin.json')}: `)).toBe(true);
  });

  it('reports a host version outside the range and a missing folder with their codes', async () => {
    const mismatch = await runCliInProcess(['plugin', 'validate', fixture('runtime-mismatch')]);
    expect(mismatch.code).toBe(1);
    // Listed with the manifest's other problems (its fixture names a command that is not there).
    expect(mismatch.stderr).toMatch(/plugin\.json: \/runtime: .*\[AGENT_ERR_PLUGIN_RUNTIME_MISMATCH\]\n/);
    const missing = await runCliInProcess(['plugin', 'validate', join(tmp, 'no-such-plugin')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^agent2389: \[AGENT_ERR_[A-Z_]+\] /);
  });
});
