// [mcp.<name>] tables → McpServerSpec: defaults, paths (relative, must exist), [sandbox] ceilings, plugin-shipped servers.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseConfigText } from '../../../src/core/config/load.js';
import type { AgentConfig } from '../../../src/core/config/schema.js';
import type { ConfigProblem, ManifestProblem } from '../../../src/core/errors.js';
import { discoverPlugins, type DiscoveredPlugin } from '../../../src/core/host/discover.js';
import { readManifest } from '../../../src/core/host/manifest.js';
import { planPlugins } from '../../../src/core/host/plan.js';
import { mcpServerSpecs, type McpSpecOptions } from '../../../src/core/mcp/server-spec.js';
import type { McpStdioSpec } from '../../../src/core/mcp/types.js';
import { FIRST_PARTY_PLUGINS_DIR } from '../../../src/plugin-sources.js';
import { thrown } from '../../helpers/thrown.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/plugins/mcp-servers', import.meta.url));
const head = `[agent]\nid = "a1"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\n`;
const HEAD_LINES = 6;
const MiB16 = 16 * 1024 * 1024;

let dir: string;
let fixture: DiscoveredPlugin;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-spec-'));
  for (const d of ['srv', 'docs', 'out']) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'srv', 'server.sh'), '#!/bin/sh\n', { mode: 0o755 });
  fixture = { ...(await readManifest(FIXTURE)), source: 'dir' };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A config loaded from `<dir>/agent.toml` (so its relative paths are relative to `dir`). */
const config = (toml: string): AgentConfig =>
  parseConfigText(head + toml, join(dir, 'agent.toml'), { env: {} }).config;

/** Specs with the fixture plugin discovered; the warnings logged are collected. */
function specs(toml: string, opts: McpSpecOptions = {}) {
  const warnings: unknown[][] = [];
  const log = { warn: (...args: unknown[]) => void warnings.push(args) };
  const result = mcpServerSpecs(config(toml), { plugins: [fixture], log, ...opts });
  return { specs: result, warnings };
}

function configProblems(fn: () => unknown): ConfigProblem[] {
  const err = thrown(fn);
  expect(err.code).toBe('AGENT_ERR_CONFIG_INVALID');
  return (err.data as { problems: ConfigProblem[] }).problems;
}

describe('mcpServerSpecs', () => {
  it('gives a bare command table the defaults: [sandbox] limits, no cpu limit, 60 s / 600 s / 30 s', () => {
    const { specs: all, warnings } = specs('[mcp.fs]\ncommand = "npx"\n');
    expect(all).toEqual([
      {
        name: 'fs',
        transport: {
          kind: 'stdio',
          command: 'npx',
          args: [],
          env: [],
          sandbox: 'none',
          network: false,
          readOnlyPaths: [],
          writablePaths: [],
          limits: { memoryMb: 1024, maxProcesses: 64, maxFileSizeBytes: MiB16 },
          isolateSameUser: true,
        },
        timeoutMs: 60_000,
        maxTotalTimeoutMs: 600_000,
        startupTimeoutMs: 30_000,
        lazy: false,
        excludeTools: [],
      },
    ]);
    expect(warnings).toEqual([]);
    expect(mcpServerSpecs(config(''))).toEqual([]);
  });

  it('maps every key, with paths relative to the config file and runAs from [sandbox] user', () => {
    const { specs: all } = specs(
      [
        '[sandbox]',
        'user = "1500:1500"',
        'isolate_same_user_tools = false',
        'memory_mb = 4096',
        '[mcp.fs]',
        'command = "./srv/server.sh"',
        'args = ["--root", "/data"]',
        'cwd = "srv"',
        'env = { LANG = true, GH_TOKEN = { env = "GITHUB_TOKEN" } }',
        'timeout_seconds = 2.5',
        'max_total_timeout_seconds = 10',
        'startup_timeout_seconds = 4',
        'lazy = true',
        'tools = ["read_file"]',
        'exclude_tools = ["write_file"]',
        'sandbox = "bwrap"',
        'network = true',
        'read_only_paths = ["docs"]',
        `writable_paths = ["out", "${dir}/srv"]`,
        'max_processes = 8',
        'max_file_size_bytes = 4096',
        'cpu_seconds = 3600',
      ].join('\n'),
    );
    expect(all[0]).toEqual({
      name: 'fs',
      transport: {
        kind: 'stdio',
        command: join(dir, 'srv', 'server.sh'),
        args: ['--root', '/data'],
        cwd: join(dir, 'srv'),
        env: [
          { name: 'LANG', from: 'LANG' },
          { name: 'GH_TOKEN', from: 'GITHUB_TOKEN' },
        ],
        sandbox: 'bwrap',
        network: true,
        readOnlyPaths: [join(dir, 'docs')],
        writablePaths: [join(dir, 'out'), join(dir, 'srv')],
        // memory_mb defaults to the operator's raised [sandbox] memory_mb; cpu_seconds is not capped by its per-call ceiling.
        limits: { memoryMb: 4096, maxProcesses: 8, maxFileSizeBytes: 4096, cpuSeconds: 3600 },
        runAs: { uid: 1500, gid: 1500 },
        isolateSameUser: false,
      },
      timeoutMs: 2500,
      maxTotalTimeoutMs: 10_000,
      startupTimeoutMs: 4000,
      lazy: true,
      tools: ['read_file'],
      excludeTools: ['write_file'],
    });
  });

  it('maps an http table', () => {
    const toml =
      '[mcp.remote]\nurl = "http://127.0.0.1:3001/mcp"\nheaders = { Authorization = { env = "TOKEN" } }\n' +
      'allow_private_networks = true\nallowed_private_cidrs = ["10.1.0.0/16"]\ntools = []\n';
    expect(specs(toml).specs).toEqual([
      {
        name: 'remote',
        transport: {
          kind: 'http',
          url: 'http://127.0.0.1:3001/mcp',
          headers: [{ name: 'Authorization', env: 'TOKEN' }],
          allowPrivateNetworks: true,
          allowedPrivateCidrs: ['10.1.0.0/16'],
        },
        timeoutMs: 60_000,
        maxTotalTimeoutMs: 600_000,
        startupTimeoutMs: 30_000,
        lazy: false,
        tools: [],
        excludeTools: [],
      },
    ]);
    expect(specs('[mcp.r]\nurl = "https://h/mcp"\n').specs[0]!.transport).toEqual({
      kind: 'http',
      url: 'https://h/mcp',
      headers: [],
      allowPrivateNetworks: false,
      allowedPrivateCidrs: [],
    });
  });

  it('raises the default total timeout to a per-call timeout above it', () => {
    const [spec] = specs('[mcp.slow]\ncommand = "c"\ntimeout_seconds = 900\n').specs;
    expect(spec).toMatchObject({ timeoutMs: 900_000, maxTotalTimeoutMs: 900_000 });
  });

  it('lowers limits above the [sandbox] ceilings to them, with a warning naming the server and keys', () => {
    const toml =
      '[sandbox]\nmemory_mb = 512\nmax_processes = 16\n[mcp.big]\ncommand = "c"\nmemory_mb = 2048\nmax_processes = 100\nmax_file_size_bytes = 1\n';
    const { specs: all, warnings } = specs(toml);
    expect((all[0]!.transport as McpStdioSpec).limits).toEqual({
      memoryMb: 512,
      maxProcesses: 16,
      maxFileSizeBytes: 1,
    });
    expect(warnings).toEqual([
      [{ server: 'big', capped: ['memory_mb', 'max_processes'] }, expect.any(String)],
    ]);
    expect(specs('[mcp.small]\ncommand = "c"\nmemory_mb = 100\n').warnings).toEqual([]);
  });

  it('requires the paths to exist: one error naming every bad key and its line', () => {
    writeFileSync(join(dir, 'a-file'), '');
    const problems = configProblems(() =>
      specs(
        '[mcp.x]\ncommand = "./srv/missing"\ncwd = "a-file"\nsandbox = "bwrap"\n' +
          'read_only_paths = ["docs", "nope"]\nwritable_paths = ["gone"]\n' +
          '[mcp.y]\ncommand = "./srv"\ncwd = "missing-dir"\n',
      ),
    );
    expect(problems.map((p) => [p.path, p.line])).toEqual([
      ['mcp.x.command', HEAD_LINES + 2],
      ['mcp.x.cwd', HEAD_LINES + 3],
      ['mcp.x.read_only_paths.1', HEAD_LINES + 5],
      ['mcp.x.writable_paths.0', HEAD_LINES + 6],
      ['mcp.y.command', HEAD_LINES + 8],
      ['mcp.y.cwd', HEAD_LINES + 9],
    ]);
  });

  it('refuses paths and network without bwrap (they would mean nothing)', () => {
    const problems = configProblems(() =>
      specs(
        '[mcp.x]\ncommand = "c"\nread_only_paths = ["docs"]\nwritable_paths = ["out"]\nnetwork = false\n',
      ),
    );
    expect(problems.map((p) => p.path)).toEqual([
      'mcp.x.read_only_paths',
      'mcp.x.writable_paths',
      'mcp.x.network',
    ]);
  });
});

describe('plugin-shipped MCP servers', () => {
  it('builds the spec from the manifest entry: paths in the plugin folder, its limits and timeout', () => {
    const { specs: all, warnings } = specs('[mcp.ping]\nplugin = "mcp-servers"\n');
    expect(all).toEqual([
      {
        name: 'ping',
        plugin: 'mcp-servers',
        transport: {
          kind: 'stdio',
          command: 'node',
          args: ['server.js'],
          cwd: FIXTURE,
          env: [{ name: 'LANG', from: 'LANG' }],
          sandbox: 'bwrap',
          network: false,
          readOnlyPaths: [join(FIXTURE, 'data')],
          writablePaths: [],
          limits: { memoryMb: 256, maxProcesses: 64, maxFileSizeBytes: MiB16 },
          isolateSameUser: true,
          pluginDir: FIXTURE,
        },
        timeoutMs: 20_000,
        maxTotalTimeoutMs: 600_000,
        startupTimeoutMs: 30_000,
        lazy: false,
        excludeTools: [],
      },
    ]);
    expect(warnings).toEqual([]);
  });

  it("lets the operator's keys win, while the manifest's limits stay under the [sandbox] ceilings", () => {
    const toml =
      '[mcp.files]\nplugin = "mcp-servers"\nserver = "pinger"\nenv = ["HOME"]\nsandbox = "bwrap"\n' +
      'read_only_paths = ["docs"]\nmemory_mb = 128\ntimeout_seconds = 5\nlazy = true\nexclude_tools = ["x"]\n';
    const { specs: all, warnings } = specs(toml);
    expect(all[0]).toMatchObject({
      name: 'files',
      plugin: 'mcp-servers',
      timeoutMs: 5000,
      lazy: true,
      excludeTools: ['x'],
      transport: {
        command: join(FIXTURE, 'bin', 'server.sh'),
        args: [],
        cwd: join(FIXTURE, 'bin'),
        env: [{ name: 'HOME', from: 'HOME' }],
        sandbox: 'bwrap',
        readOnlyPaths: [join(dir, 'docs')],
        writablePaths: [join(FIXTURE, 'data')],
        limits: { memoryMb: 128, maxProcesses: 64, maxFileSizeBytes: 1024 },
        pluginDir: FIXTURE,
      },
    });
    expect(warnings).toEqual([[{ server: 'files', capped: ['max_processes'] }, expect.any(String)]]);
  });

  it('names an unknown plugin (AGENT_ERR_PLUGIN_NOT_FOUND) or server (the key that named it)', () => {
    const err = thrown(() => specs('[mcp.x]\nplugin = "no-such"\n'));
    expect(err.code).toBe('AGENT_ERR_PLUGIN_NOT_FOUND');
    expect(err.data).toEqual({ plugin: 'no-such', key: 'mcp.x.plugin', available: ['mcp-servers'] });
    expect(configProblems(() => specs('[mcp.x]\nplugin = "mcp-servers"\n')).map((p) => p.path)).toEqual([
      'mcp.x.plugin',
    ]);
    const problems = configProblems(() => specs('[mcp.x]\nplugin = "mcp-servers"\nserver = "nope"\n'));
    expect(problems).toEqual([
      { path: 'mcp.x.server', message: expect.any(String) as string, line: HEAD_LINES + 3 },
    ]);
    expect(thrown(() => mcpServerSpecs(config('[mcp.ping]\nplugin = "mcp-servers"\n'))).code).toBe(
      'AGENT_ERR_PLUGIN_NOT_FOUND',
    );
  });

  it("reports a manifest entry's missing paths against the manifest", async () => {
    const pluginDir = join(dir, 'broken');
    mkdirSync(pluginDir);
    writeFileSync(
      join(pluginDir, 'plugin.json'),
      JSON.stringify({
        manifestVersion: 1,
        name: 'broken',
        version: '1.0.0',
        runtime: '>=0.1.0',
        mcpServers: { s: { command: 'bin/missing', cwd: 'nowhere', read_only_paths: ['.', 'gone'] } },
      }),
    );
    const broken: DiscoveredPlugin = { ...(await readManifest(pluginDir)), source: 'dir' };
    const err = thrown(() => specs('[mcp.s]\nplugin = "broken"\n', { plugins: [broken] }));
    expect(err.code).toBe('AGENT_ERR_MANIFEST_INVALID');
    const data = err.data as { file: string; plugin: string; problems: ManifestProblem[] };
    expect(data.file).toBe(join(pluginDir, 'plugin.json'));
    expect(data.plugin).toBe('broken');
    expect(data.problems.map((p) => p.pointer)).toEqual([
      '/mcpServers/s/command',
      '/mcpServers/s/cwd',
      '/mcpServers/s/read_only_paths/1',
    ]);
  });

  it('makes the plan load a plugin named only by an [mcp] table', async () => {
    const discovered = await discoverPlugins({
      firstPartyDir: FIRST_PARTY_PLUGINS_DIR,
      dirs: [FIXTURE],
      nodeModulesDirs: [],
    });
    const none = { injectedProviders: [], injectedTools: [] };
    const names = (toml: string): string[] =>
      planPlugins(config(toml), discovered, none).plugins.map((p) => p.manifest.name);
    expect(names('')).toEqual(['provider-scripted']);
    expect(names('[mcp.ping]\nplugin = "mcp-servers"\n')).toEqual(['provider-scripted', 'mcp-servers']);
    expect(thrown(() => names('[mcp.ping]\nplugin = "nope"\n')).code).toBe('AGENT_ERR_PLUGIN_NOT_FOUND');
    expect(thrown(() => names('[mcp.pong]\nplugin = "mcp-servers"\n')).code).toBe('AGENT_ERR_CONFIG_INVALID');
  });
});
