// `agent2389 plugin validate` and `agent2389 plugins` through the built CLI, against fixture plugins.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from '../helpers/agent-process.js';
import { EVERYTHING, processesWith, uniqueScript } from '../helpers/mcp-agent.js';
import { needs } from '../helpers/require-tool.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/plugins/${name}`, import.meta.url));
const rel = (name: string): string => `test/fixtures/plugins/${name}`;

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'agent2389-plugins-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A config whose `[plugins] dirs` are the given fixtures (absolute paths); npm discovery off unless asked. */
async function configWith(file: string, dirs: string[], npm = false): Promise<string> {
  const path = join(tmp, file);
  const list = dirs.map((d) => JSON.stringify(fixture(d))).join(', ');
  await writeFile(
    path,
    `[agent]\nid = "lister"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\n` +
      `[plugins]\ndirs = [${list}]\nnpm = ${npm}\n`,
  );
  return path;
}

/** The rows of the table (header dropped), each split into its columns. */
function tableRows(stdout: string): string[][] {
  const [header, ...rows] = stdout.trimEnd().split('\n');
  expect(header).toMatch(/^NAME\s+VERSION\s+SOURCE\s+TOOLS\s+PROVIDERS\s+STATE$/);
  return rows.map((r) => r.split(/\s{2,}/));
}

describe('agent2389 plugin validate <dir>', () => {
  it('accepts a module plugin and summarises what it declares', async () => {
    const r = await runCli(['plugin', 'validate', rel('good-module')]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      `${rel('good-module')}/plugin.json is valid: plugin good-module 0.1.0, tools: shout (module), providers: good-echo\n`,
    );
  });

  it('accepts script and subprocess tools with their limits', async () => {
    const r = await runCli(['plugin', 'validate', rel('good-tools')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'is valid: plugin good-tools 1.2.3, tools: word_count (script), upper (subprocess), providers: (none)',
    );
  });

  it.each([
    // The built folders: a source folder's entry (index.js) exists only once built.
    ['dist/src/plugins/tools-core', 'plugin tools-core 0.1.0, tools: echo (module), current_time (module)'],
    [
      'dist/src/plugins/tools-builtin',
      'plugin tools-builtin 0.1.0, tools: http_request (module), file_read (module), file_write (module), ' +
        'file_list (module), web_search (module)',
    ],
    [
      'dist/src/plugins/provider-scripted',
      'plugin provider-scripted 0.1.0, tools: (none), providers: scripted',
    ],
  ])('accepts the first-party folder %s', async (dir, summary) => {
    const r = await runCli(['plugin', 'validate', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${dir}/plugin.json is valid: ${summary}`);
  });

  it('prints every manifest problem as <file>: <pointer>: <message> and exits 1', async () => {
    const r = await runCli(['plugin', 'validate', rel('bad-manifest')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const file = `${rel('bad-manifest')}/plugin.json`;
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(8);
    for (const line of lines) expect(line.startsWith(`${file}: /`)).toBe(true);
    const pointers = lines.map((l) => l.slice(file.length + 2).split(': ')[0]);
    expect(pointers).toEqual(
      expect.arrayContaining([
        '/manifestVersion',
        '/name',
        '/version',
        '/runtime',
        '/homepage',
        '/tools/0/executor/timeoutMs',
        '/tools/1/executor/source',
        '/tools/1/name',
        '/entry',
      ]),
    );
    expect(r.stderr).toContain(`${file}: /manifestVersion: must be 1, found 2\n`);
  });

  it('reports a plugin.json that is not JSON with its code', async () => {
    const r = await runCli(['plugin', 'validate', rel('bad-json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^agent2389: \[AGENT_ERR_MANIFEST_PARSE\] .*bad-json\/plugin\.json:5:1 is not valid JSON/,
    );
  });

  it('reports a host version outside the runtime range with its code, among the other problems', async () => {
    const r = await runCli(['plugin', 'validate', rel('runtime-mismatch')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /plugin\.json: \/runtime: plugin "runtime-mismatch" requires agent2389 >=99, but this is \d+\.\d+\.\d+ \[AGENT_ERR_PLUGIN_RUNTIME_MISMATCH\]\n/,
    );
  });

  it('reports a folder without plugin.json with its code', async () => {
    const r = await runCli(['plugin', 'validate', rel('does-not-exist')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^agent2389: \[AGENT_ERR_MANIFEST_NOT_FOUND\] no plugin\.json in /);
  });

  it('is a usage error without a folder, and has help with an example', async () => {
    expect((await runCli(['plugin', 'validate'])).code).toBe(64);
    const help = await runCli(['plugin', 'validate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('agent2389 plugin validate ./my-plugin');
  });
});

describe('agent2389 plugins [config]', () => {
  it('lists first-party plugins and the [plugins] dirs of the config as a table', async () => {
    const config = await configWith('one-dir.toml', ['good-module']);
    const r = await runCli(['plugins', config]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(tableRows(r.stdout)).toEqual([
      ['provider-anthropic', '0.1.0', 'first-party', '-', 'anthropic', 'ok'],
      ['provider-openai', '0.1.0', 'first-party', '-', 'openai', 'ok'],
      ['provider-scripted', '0.1.0', 'first-party', '-', 'scripted', 'ok'],
      [
        'tools-builtin',
        '0.1.0',
        'first-party',
        'http_request:module, file_read:module, file_write:module, file_list:module, web_search:module',
        '-',
        'ok',
      ],
      ['tools-core', '0.1.0', 'first-party', 'echo:module, current_time:module', '-', 'ok'],
      ['good-module', '0.1.0', 'dir', 'shout:module', 'good-echo', 'ok'],
    ]);
  });

  it('--json prints the plugins and the MCP servers (config from AGENT_CONFIG)', async () => {
    const config = await configWith('json.toml', ['good-module']);
    const r = await runCli(['plugins', '--json'], { AGENT_CONFIG: config });
    expect(r.code).toBe(0);
    const { plugins: list, mcp_servers: servers } = JSON.parse(r.stdout) as {
      plugins: Array<Record<string, unknown>>;
      mcp_servers: unknown[];
    };
    expect(servers).toEqual([]);
    expect(list.map((p) => p.name)).toEqual([
      'provider-anthropic',
      'provider-openai',
      'provider-scripted',
      'tools-builtin',
      'tools-core',
      'good-module',
    ]);
    expect(list[5]).toEqual({
      name: 'good-module',
      version: '0.1.0',
      source: 'dir',
      dir: fixture('good-module'),
      runtime: '>=0.1.0',
      tools: [{ name: 'shout', executor: 'module' }],
      providers: ['good-echo'],
      state: 'ok',
    });
  });

  it('shows why a plugin cannot load: runtime range, missing dependency, cycle', async () => {
    const config = await configWith('states.toml', ['runtime-mismatch', 'missing-dep', 'cycle']);
    const r = await runCli(['plugins', config]);
    expect(r.code).toBe(0);
    const state = new Map(tableRows(r.stdout).map((row) => [row[0], row[5]]));
    expect(state.get('runtime-mismatch')).toBe('runtime mismatch (needs >=99)');
    expect(state.get('missing-dep')).toBe('dependency missing: not-installed');
    expect(state.get('cycle-a')).toMatch(/^dependency cycle: cycle-a -> cycle-b -> cycle-a$/);
    expect(state.get('tools-core')).toBe('ok');
  });

  it('without a config lists the first-party plugins', async () => {
    const r = await runCli(['plugins']);
    expect(r.code).toBe(0);
    const rows = tableRows(r.stdout);
    expect(rows.slice(0, 5).map((row) => [row[0], row[2]])).toEqual([
      ['provider-anthropic', 'first-party'],
      ['provider-openai', 'first-party'],
      ['provider-scripted', 'first-party'],
      ['tools-builtin', 'first-party'],
      ['tools-core', 'first-party'],
    ]);
  });

  it.each([
    ['bad-manifest', 'AGENT_ERR_MANIFEST_INVALID'],
    ['duplicate', 'AGENT_ERR_PLUGIN_DUPLICATE'],
  ])('reports a discovery error in %s with its code and exits 1', async (dir, code) => {
    const r = await runCli(['plugins', await configWith(`${dir}.toml`, [dir])]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^agent2389: \\[${code}\\] `));
  });

  it('has help with an example', async () => {
    const help = await runCli(['plugins', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('agent2389 plugins agent.toml');
  });
});

needs('prlimit').describe('agent2389 plugins --mcp (server-everything over stdio)', () => {
  /** A config with server-everything (by a symlink of its own, to find its processes) and `extra` tables. */
  async function mcpConfig(file: string, script: string, extra = ''): Promise<string> {
    const path = join(tmp, file);
    await writeFile(
      path,
      `[agent]\nid = "lister"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\n` +
        `[plugins]\nnpm = false\n[mcp.everything]\ncommand = ${JSON.stringify(process.execPath)}\n` +
        `args = [${JSON.stringify(script)}, "stdio"]\nexclude_tools = ["get-env"]\n${extra}`,
    );
    return path;
  }

  it('starts the server under its sandbox, prints its tools by their agent names, and leaves no process', async () => {
    const script = await uniqueScript(EVERYTHING, 'plugins-mcp');
    const r = await runCli(['plugins', await mcpConfig('mcp.toml', script), '--mcp'], {}, 60_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [header, row] = r.stdout.trimEnd().split('\n\n')[1]!.split('\n');
    expect(header).toMatch(/^MCP SERVER +TRANSPORT +FROM +SANDBOX +STATE +TOOLS$/);
    const [name, transport, from, sandbox, state, tools] = row!.split(/ {2,}/);
    expect([name, transport, from, sandbox, state]).toEqual([
      'everything',
      `stdio: ${process.execPath} ${script} stdio`,
      'config',
      'none',
      'ok',
    ]);
    const names = tools!.split(', ');
    expect(names).toEqual(expect.arrayContaining(['everything__get-sum', 'everything__echo']));
    expect(names).not.toContain('everything__get-env'); // exclude_tools, as the agent applies it
    expect(await processesWith(script)).toEqual([]);
  }, 90_000); // runCli's own 60 s limit kills a CLI that hangs first

  it('a server that does not start: its code and reason, the others still listed, exit 1, no process left', async () => {
    const script = await uniqueScript(EVERYTHING, 'plugins-mcp-fail');
    const broken = `[mcp.broken]\ncommand = "/bin/sh"\nargs = ["-c", "echo no luck >&2; exit 3"]\n`;
    const r = await runCli(
      ['plugins', await mcpConfig('mcp-fail.toml', script, broken), '--mcp', '--json'],
      {},
      60_000,
    );
    expect(r.code).toBe(1);
    const { mcp_servers: servers } = JSON.parse(r.stdout) as {
      mcp_servers: Array<{ name: string; state: string; tools: string[]; error?: { code: string } }>;
    };
    expect(servers[0]).toMatchObject({ name: 'everything', state: 'ok' });
    expect(servers[0]!.tools).toContain('everything__get-sum');
    expect(servers[1]).toMatchObject({
      name: 'broken',
      tools: [],
      error: { code: 'AGENT_ERR_MCP_START_FAILED' },
    });
    expect(servers[1]!.state).toMatch(/^AGENT_ERR_MCP_START_FAILED: /);
    expect(r.stderr).toMatch(/^agent2389: mcp\.broken: \[AGENT_ERR_MCP_START_FAILED\] .*no luck/m);
    expect(await processesWith(script)).toEqual([]);
  }, 90_000); // runCli's own 60 s limit kills a CLI that hangs first
});
