// [mcp.<name>] tables: every key parsed, paths relative to the config file, each problem at its key and line.
import { describe, expect, it } from 'vitest';

import { parseConfigText } from '../../../src/core/config/load.js';
import { findUnknownKeys } from '../../../src/core/config/unknown-keys.js';
import type { ConfigProblem } from '../../../src/core/errors.js';
import { thrown } from '../../helpers/thrown.js';

const head = `[agent]\nid = "a1"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\n`;
const HEAD_LINES = 6;
const FILE = '/etc/agent/agent.toml';
const load = (mcp: string) => parseConfigText(head + mcp, FILE, { env: {} });

/** The problems of an invalid config (fails the test if it loads). */
function problemsOf(mcp: string): ConfigProblem[] {
  const err = thrown(() => load(mcp));
  expect(err.code).toBe('AGENT_ERR_CONFIG_INVALID');
  return (err.data as { problems: ConfigProblem[] }).problems;
}
const pathsOf = (mcp: string): string[] => problemsOf(mcp).map((p) => p.path);

describe('[mcp] tables', () => {
  it('defaults to no servers, and [mcp] is a known table with no unknown-key warnings inside', () => {
    expect(load('').config.mcp).toEqual({});
    const { warnings } = load('[mcp.fs]\ncommand = "x"\n');
    expect(warnings).toEqual([]);
    expect(findUnknownKeys({ mcp: { fs: { command: 'x', sanbox: 'bwrap' } } })).toEqual([]);
  });

  it('hoists a top-level setting that TOML placed into the last [mcp] table, with a warning', () => {
    const { config, warnings } = load('[mcp.fs]\ncommand = "c"\ntask_timeout = 120\n');
    expect(config.task_timeout).toBe(120);
    expect(config.mcp.fs).toEqual({ command: 'c' });
    expect(warnings.map((w) => w.path)).toEqual(['mcp.fs.task_timeout']);
  });

  it('reads every key of a stdio table, resolving paths against the config file folder', () => {
    const { config } = load(
      [
        '[mcp.fs]',
        'command = "./bin/server"',
        'args = ["-y", "/data"]',
        'cwd = "servers/fs"',
        'env = ["LANG", "GITHUB_TOKEN", "LANG"]',
        'timeout_seconds = 20',
        'max_total_timeout_seconds = 120',
        'startup_timeout_seconds = 5',
        'lazy = true',
        'tools = ["read_file"]',
        'exclude_tools = ["write_file"]',
        'sandbox = "bwrap"',
        'network = true',
        'read_only_paths = ["docs", "/srv/abs"]',
        'writable_paths = ["../out"]',
        'memory_mb = 512',
        'max_processes = 32',
        'max_file_size_bytes = 1024',
        'cpu_seconds = 3600',
        '[mcp.npx-server]',
        'command = "npx"',
      ].join('\n'),
    );
    expect(config.mcp.fs).toEqual({
      command: '/etc/agent/bin/server',
      args: ['-y', '/data'],
      cwd: '/etc/agent/servers/fs',
      env: [
        { name: 'LANG', from: 'LANG' },
        { name: 'GITHUB_TOKEN', from: 'GITHUB_TOKEN' },
      ],
      timeout_seconds: 20,
      max_total_timeout_seconds: 120,
      startup_timeout_seconds: 5,
      lazy: true,
      tools: ['read_file'],
      exclude_tools: ['write_file'],
      sandbox: 'bwrap',
      network: true,
      read_only_paths: ['/etc/agent/docs', '/srv/abs'],
      writable_paths: ['/etc/out'],
      memory_mb: 512,
      max_processes: 32,
      max_file_size_bytes: 1024,
      cpu_seconds: 3600,
    });
    // A bare command is looked up on PATH: not a path.
    expect(config.mcp['npx-server']).toEqual({ command: 'npx' });
  });

  it('reads env as a table: true passes the same variable, { env = "FROM" } renames it', () => {
    const { config } = load(
      '[mcp.gh]\ncommand = "gh-mcp"\nenv = { LANG = true, GH_TOKEN = { env = "GITHUB_TOKEN" } }\n',
    );
    expect(config.mcp.gh!.env).toEqual([
      { name: 'LANG', from: 'LANG' },
      { name: 'GH_TOKEN', from: 'GITHUB_TOKEN' },
    ]);
  });

  it('reads an http table and a plugin table', () => {
    const { config } = load(
      [
        '[mcp.remote]',
        'url = "https://mcp.example.com/mcp"',
        'headers = { Authorization = { env = "REMOTE_MCP_TOKEN" }, "X-Team" = { env = "TEAM" } }',
        'allow_private_networks = false',
        'allowed_private_cidrs = ["10.1.0.0/16", "fd00::/8"]',
        'timeout_seconds = 30',
        '[mcp.files]',
        'plugin = "fs-tools"',
        'server = "fs"',
        'env = ["HOME"]',
        'sandbox = "bwrap"',
        'memory_mb = 64',
      ].join('\n'),
    );
    expect(config.mcp.remote).toEqual({
      url: 'https://mcp.example.com/mcp',
      headers: [
        { name: 'Authorization', env: 'REMOTE_MCP_TOKEN' },
        { name: 'X-Team', env: 'TEAM' },
      ],
      allow_private_networks: false,
      allowed_private_cidrs: ['10.1.0.0/16', 'fd00::/8'],
      timeout_seconds: 30,
    });
    expect(config.mcp.files).toEqual({
      plugin: 'fs-tools',
      server: 'fs',
      env: [{ name: 'HOME', from: 'HOME' }],
      sandbox: 'bwrap',
      memory_mb: 64,
    });
  });

  it('requires exactly one of command, url and plugin, at the table and its line', () => {
    const none = problemsOf('[mcp.x]\nlazy = true\n');
    expect(none).toEqual([{ path: 'mcp.x', message: expect.any(String) as string, line: HEAD_LINES + 1 }]);
    expect(pathsOf('[mcp.x]\ncommand = "a"\nurl = "https://h/mcp"\n')).toEqual(['mcp.x']);
    expect(pathsOf('[mcp.x]\nplugin = "p"\nurl = "https://h/mcp"\n')).toEqual(['mcp.x']);
  });

  it('refuses keys that do not apply to the transport, naming each', () => {
    expect(
      pathsOf('[mcp.x]\nurl = "https://h/mcp"\nsandbox = "bwrap"\nenv = ["A"]\nmemory_mb = 1\n'),
    ).toEqual(['mcp.x.env', 'mcp.x.sandbox', 'mcp.x.memory_mb']);
    expect(pathsOf('[mcp.x]\ncommand = "c"\nheaders = { A = { env = "B" } }\nserver = "s"\n')).toEqual([
      'mcp.x.headers',
      'mcp.x.server',
    ]);
    expect(
      pathsOf('[mcp.x]\ncommand = "c"\nallow_private_networks = true\nallowed_private_cidrs = []\n'),
    ).toEqual(['mcp.x.allow_private_networks', 'mcp.x.allowed_private_cidrs']);
    expect(pathsOf('[mcp.x]\nplugin = "p"\nargs = []\ncwd = "."\n')).toEqual(['mcp.x.args', 'mcp.x.cwd']);
  });

  it('refuses unknown keys with a "did you mean", together with the other problems', () => {
    const problems = problemsOf('[mcp.x]\ncommand = "c"\nsanbox = "bwrap"\nlazy = "yes"\n');
    expect(problems.map((p) => [p.path, p.line])).toEqual([
      ['mcp.x.lazy', HEAD_LINES + 4],
      ['mcp.x.sanbox', HEAD_LINES + 3],
    ]);
    expect(problems[1]!.message).toContain('did you mean sandbox?');
  });

  it('refuses secrets written inline (header values, env values, url credentials) without repeating them', () => {
    const secret = 'ghp_s3cr3tvalue';
    const cases = [
      [`[mcp.x]\nurl = "https://h/mcp"\nheaders = { Authorization = "Bearer ${secret}" }\n`, 'mcp.x.headers'],
      [`[mcp.x]\ncommand = "c"\nenv = { GH_TOKEN = "${secret}" }\n`, 'mcp.x.env'],
      [`[mcp.x]\nurl = "https://me:${secret}@h/mcp"\n`, 'mcp.x'],
    ] as const;
    for (const [toml, path] of cases) {
      const problems = problemsOf(toml);
      expect(problems.map((p) => p.path)).toEqual([path]);
      expect(JSON.stringify(problems)).not.toContain(secret);
    }
  });

  it('checks names inside env, headers and cidrs at their own path', () => {
    expect(pathsOf('[mcp.x]\ncommand = "c"\nenv = ["LANG", "NOT A NAME"]\n')).toEqual(['mcp.x.env.1']);
    expect(pathsOf('[mcp.x]\ncommand = "c"\nenv = { A = { env = "b c" } }\n')).toEqual(['mcp.x.env.A.env']);
    expect(pathsOf('[mcp.x]\ncommand = "c"\nenv = { "b c" = true }\n')).toEqual(['mcp.x.env']);
    expect(pathsOf('[mcp.x]\ncommand = "c"\nenv = "LANG"\n')).toEqual(['mcp.x.env']);
    expect(pathsOf('[mcp.x]\nurl = "https://h/mcp"\nheaders = { "Bad Name" = { env = "A" } }\n')).toEqual([
      'mcp.x.headers',
    ]);
    expect(pathsOf('[mcp.x]\nurl = "https://h/mcp"\nheaders = { A = { env = "1x" } }\n')).toEqual([
      'mcp.x.headers.A.env',
    ]);
    expect(
      pathsOf('[mcp.x]\nurl = "https://h/mcp"\nallowed_private_cidrs = ["10.0.0.0/8", "10.0.0.0/99"]\n'),
    ).toEqual(['mcp.x.allowed_private_cidrs.1']);
  });

  it('checks values: url scheme, sandbox, numbers, max_total ≥ timeout, plugin name', () => {
    expect(pathsOf('[mcp.x]\nurl = "ftp://h/mcp"\n')).toEqual(['mcp.x.url']);
    expect(pathsOf('[mcp.x]\ncommand = "c"\nsandbox = "docker"\n')).toEqual(['mcp.x.sandbox']);
    expect(pathsOf('[mcp.x]\ncommand = ""\n')).toEqual(['mcp.x.command']);
    expect(
      pathsOf('[mcp.x]\ncommand = "c"\ntimeout_seconds = 0\nmemory_mb = 1.5\ncpu_seconds = -1\n'),
    ).toEqual(['mcp.x.timeout_seconds', 'mcp.x.memory_mb', 'mcp.x.cpu_seconds']);
    expect(pathsOf('[mcp.x]\ncommand = "c"\ntimeout_seconds = 90\nmax_total_timeout_seconds = 60\n')).toEqual(
      ['mcp.x.max_total_timeout_seconds'],
    );
    expect(pathsOf('[mcp.x]\nplugin = "Not_Kebab"\n')).toEqual(['mcp.x.plugin']);
    expect(pathsOf('[mcp]\nx = "npx server"\n')).toEqual(['mcp.x']);
  });

  it('checks server names: no "__", no trailing "_", at most 32 characters', () => {
    const ok = ['fs', 'a_b', 'A-1', 'x'.repeat(32)];
    for (const name of ok) expect(load(`[mcp.${name}]\ncommand = "c"\n`).config.mcp[name]).toBeDefined();
    for (const name of ['a__b', 'a_', '_a', '-a', 'x'.repeat(33), '"a.b"', '"a b"']) {
      const problems = problemsOf(`[mcp.${name}]\ncommand = "c"\n`);
      expect(problems).toEqual([
        {
          path: `mcp.${name.replace(/"/g, '')}`,
          message: expect.any(String) as string,
          line: HEAD_LINES + 1,
        },
      ]);
    }
  });
});
