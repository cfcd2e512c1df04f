// plugin.json validation: every problem with its pointer, code-level checks, reading and parse errors.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { AgentError, type ManifestProblem } from '../../../src/core/errors.js';
import {
  jsonErrorPosition,
  PLUGIN_SCHEMA_FILE,
  readManifest,
  validateManifest,
  type PluginManifest,
} from '../../../src/core/host/manifest.js';
import { thrown } from '../../helpers/thrown.js';

const PLUGINS = fileURLToPath(new URL('../../fixtures/plugins/', import.meta.url));
const TOOL = {
  name: 't',
  description: 'A tool',
  parameters: { type: 'object' },
  executor: { type: 'script', source: 't.js' },
};
const BASE = { manifestVersion: 1, name: 'p', version: '1.0.0', runtime: '^0.1.0', tools: [TOOL] };

async function rejected(promise: Promise<unknown>): Promise<AgentError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (AgentError.is(err)) return err;
  throw new Error(`expected an AgentError, got ${String(err)}`);
}

/** The problems of an invalid manifest (fails the test if it is valid). */
function problemsOf(raw: unknown): ManifestProblem[] {
  const err = thrown(() => validateManifest(raw, '/x/plugin.json'));
  expect(err.code).toBe('AGENT_ERR_MANIFEST_INVALID');
  return (err.data as { problems: ManifestProblem[] }).problems;
}
const pointersOf = (raw: unknown): string[] => problemsOf(raw).map((p) => p.pointer);
const withTool = (tool: Record<string, unknown>): unknown => ({ ...BASE, tools: [{ ...TOOL, ...tool }] });
const withExecutor = (executor: Record<string, unknown>): unknown => withTool({ executor });

describe('readManifest', () => {
  it('reads and validates the good fixtures', async () => {
    const tools = await readManifest(join(PLUGINS, 'good-tools'));
    expect(tools.manifest.name).toBe('good-tools');
    expect(tools.dir).toBe(join(PLUGINS, 'good-tools'));
    expect(tools.file).toBe(join(PLUGINS, 'good-tools', 'plugin.json'));
    expect(tools.manifest.tools?.map((t) => t.executor.type)).toEqual(['script', 'subprocess']);
    const mod = await readManifest(join(PLUGINS, 'good-module'));
    expect(mod.manifest).toMatchObject({ entry: 'index.js', providers: [{ id: 'good-echo' }] });
  });

  it('reports every violation of bad-manifest with its pointer', async () => {
    const err = await rejected(readManifest(join(PLUGINS, 'bad-manifest')));
    expect(err.code).toBe('AGENT_ERR_MANIFEST_INVALID');
    const data = err.data as { file: string; plugin: string; problems: ManifestProblem[] };
    expect(data.file).toBe(join(PLUGINS, 'bad-manifest', 'plugin.json'));
    expect(data.plugin).toBe('Bad_Manifest');
    expect(data.problems.map((p) => p.pointer).sort()).toEqual(
      [
        '/homepage',
        '/manifestVersion',
        '/name',
        '/version',
        '/runtime',
        '/tools/0/executor/timeoutMs',
        '/tools/0/executor/network',
        '/tools/1/executor/memoryLimitMb',
        '/tools/1/parameters',
        '/tools/1/executor/source',
        '/tools/1/name',
        '/entry',
      ].sort(),
    );
    const at = (pointer: string): string => data.problems.find((p) => p.pointer === pointer)!.message;
    expect(at('/homepage')).toContain('"homepage"');
    expect(at('/tools/0/executor/timeoutMs')).toContain('"fast"');
    expect(at('/tools/1/executor/memoryLimitMb')).toContain('8');
  });

  it('ERR_MANIFEST_PARSE for invalid JSON, naming the file', async () => {
    const err = await rejected(readManifest(join(PLUGINS, 'bad-json')));
    expect(err.code).toBe('AGENT_ERR_MANIFEST_PARSE');
    expect(err.data).toMatchObject({ file: join(PLUGINS, 'bad-json', 'plugin.json') });
    expect(err.cause).toBeInstanceOf(SyntaxError);
  });

  it('ERR_MANIFEST_PARSE says the line and column of the JSON error', async () => {
    // The fixture's trailing comma before `}` on line 5: the error is at the `}` (line 5, column 1).
    const err = await rejected(readManifest(join(PLUGINS, 'bad-json')));
    expect(err.data).toMatchObject({ line: 5, column: 1 });
    expect(err.message).toContain('plugin.json:5:1');
  });

  it('jsonErrorPosition reads both message forms, and the end of the text', () => {
    const text = '{\n  "a": 1,\n  x\n}';
    expect(jsonErrorPosition(text, 'Unexpected token x in JSON at position 14')).toEqual({
      line: 3,
      column: 3,
    });
    expect(jsonErrorPosition(text, 'Bad thing (line 3 column 3)')).toEqual({ line: 3, column: 3 });
    expect(jsonErrorPosition('{\n', 'Unexpected end of JSON input')).toEqual({ line: 2, column: 1 });
    expect(jsonErrorPosition(text, 'no position')).toEqual({});
  });

  it('ERR_MANIFEST_NOT_FOUND when the folder has no plugin.json', async () => {
    const err = await rejected(readManifest(join(PLUGINS, 'cycle')));
    expect(err.code).toBe('AGENT_ERR_MANIFEST_NOT_FOUND');
    expect(err.data).toEqual({ dir: join(PLUGINS, 'cycle') });
  });
});

describe('validateManifest', () => {
  it('generated messages use the right article: "an array", "an object", "an integer"', () => {
    const messages = problemsOf({ ...BASE, tools: {}, dependsOn: 'x', manifestVersion: 'one' }).map(
      (p) => p.message,
    );
    expect(messages.join('\n')).toMatch(/must be an array/);
    expect(messages.join('\n')).not.toMatch(/\ba (array|object|integer)\b/);
  });

  it('returns a valid manifest unchanged', () => {
    const manifest: PluginManifest = validateManifest(BASE, 'plugin.json');
    expect(manifest).toBe(BASE);
  });

  it('loads the schema file shipped in tool-sdk/schema', () => {
    expect(PLUGIN_SCHEMA_FILE.replaceAll('\\', '/')).toMatch(/tool-sdk\/schema\/plugin\.schema\.json$/);
  });

  it('rejects documents that are not objects at the root pointer', () => {
    expect(pointersOf(null)).toEqual(['']);
    expect(pointersOf([BASE])).toEqual(['']);
  });

  it('points at each missing required field, and sets no plugin name when there is none', () => {
    const err = thrown(() => validateManifest({ tools: [TOOL] }, 'f.json'));
    expect(err.data).toMatchObject({ file: 'f.json', plugin: undefined });
    expect(pointersOf({ tools: [TOOL] }).sort()).toEqual([
      '/manifestVersion',
      '/name',
      '/runtime',
      '/version',
    ]);
  });

  it.each([
    ['name not kebab-case', { ...BASE, name: 'Text_Tools' }, '/name'],
    ['name over 64 chars', { ...BASE, name: 'a'.repeat(65) }, '/name'],
    ['version not semver', { ...BASE, version: '1.0' }, '/version'],
    ['runtime not a range', { ...BASE, runtime: 'latest-ish' }, '/runtime'],
    ['repeated dependsOn', { ...BASE, dependsOn: ['a', 'b', 'a'] }, '/dependsOn/2'],
    ['unknown top-level property', { ...BASE, main: 'x.js' }, '/main'],
    ['optionsSchema that does not compile', { ...BASE, optionsSchema: { type: 'nope' } }, '/optionsSchema'],
    ['absolute entry', { ...BASE, entry: '/etc/passwd' }, '/entry'],
    ['entry escaping the folder', { ...BASE, entry: 'lib/../../x.js' }, '/entry'],
    ['providers without entry', { ...BASE, providers: [{ id: 'p1' }] }, '/entry'],
    ['bad provider id', { ...BASE, entry: 'i.js', providers: [{ id: 'Bad Id' }] }, '/providers/0/id'],
    [
      'unknown provider field',
      { ...BASE, entry: 'i.js', providers: [{ id: 'p', model: 'x' }] },
      '/providers/0/model',
    ],
    ['no tools and no providers', { ...BASE, tools: [] }, ''],
  ])('%s', (_what, raw, pointer) => {
    expect(pointersOf(raw)).toEqual([pointer]);
  });

  it.each([
    ['bad tool name', { name: 'has space' }, '/tools/0/name'],
    ['missing description', { description: undefined }, '/tools/0/description'],
    [
      'parameters that do not compile',
      { parameters: { type: 'object', required: 'x' } },
      '/tools/0/parameters',
    ],
    [
      'parameters that are not an object schema',
      { parameters: { type: 'string' } },
      '/tools/0/parameters/type',
    ],
    ['module tool without entry', { executor: { type: 'module' } }, '/entry'],
  ])('tool: %s', (_what, tool, pointer) => {
    expect(pointersOf(withTool(tool))).toEqual([pointer]);
  });

  it.each([
    ['unknown executor type', { type: 'docker' }, '/tools/0/executor/type'],
    ['missing executor type', { command: 'x' }, '/tools/0/executor/type'],
    ['subprocess without command', { type: 'subprocess' }, '/tools/0/executor/command'],
    [
      'fractional timeout',
      { type: 'subprocess', command: 'x', timeoutMs: 1.5 },
      '/tools/0/executor/timeoutMs',
    ],
    [
      'zero output cap',
      { type: 'subprocess', command: 'x', maxOutputBytes: 0 },
      '/tools/0/executor/maxOutputBytes',
    ],
    ['unknown sandbox', { type: 'subprocess', command: 'x', sandbox: 'docker' }, '/tools/0/executor/sandbox'],
    ['bad env name', { type: 'subprocess', command: 'x', env: ['PATH', 'A-B'] }, '/tools/0/executor/env/1'],
    [
      'script field on subprocess',
      { type: 'subprocess', command: 'x', source: 'a.js' },
      '/tools/0/executor/source',
    ],
    ['absolute script source', { type: 'script', source: '/tmp/a.js' }, '/tools/0/executor/source'],
    ['module with a memory limit', { type: 'module', memoryLimitMb: 64 }, '/tools/0/executor/memoryLimitMb'],
    ['module with timeoutMs 0', { type: 'module', timeoutMs: 0 }, '/tools/0/executor/timeoutMs'],
  ])('executor: %s', (_what, executor, pointer) => {
    const raw =
      'type' in executor && executor.type === 'module'
        ? { ...(withExecutor(executor) as object), entry: 'i.js' }
        : withExecutor(executor);
    expect(pointersOf(raw)).toEqual([pointer]);
  });

  it('accepts every subprocess and script limit at its lowest allowed value', () => {
    const subprocess = {
      type: 'subprocess',
      command: '/usr/bin/env',
      args: [],
      timeoutMs: 1,
      forceKillAfterMs: 0,
    };
    const limits = { maxOutputBytes: 1, cpuSeconds: 1, memoryMb: 1, maxProcesses: 1, maxFileSizeBytes: 1 };
    expect(() =>
      validateManifest(withExecutor({ ...subprocess, ...limits, sandbox: 'bwrap' }), 'f'),
    ).not.toThrow();
    const script = { type: 'script', source: './s.js', timeoutMs: 1, memoryLimitMb: 8, maxOutputBytes: 1 };
    expect(() => validateManifest(withExecutor(script), 'f')).not.toThrow();
  });

  it('says what was expected and what was found', () => {
    const [problem] = problemsOf(withExecutor({ type: 'subprocess', command: 'x', timeoutMs: 'fast' }));
    expect(problem).toEqual({
      pointer: '/tools/0/executor/timeoutMs',
      message: 'must be an integer ≥ 1, found "fast"',
    });
  });

  it('points at the second occurrence of a duplicate tool name or provider id', () => {
    const tools = [TOOL, { ...TOOL, description: 'again' }, TOOL];
    expect(pointersOf({ ...BASE, tools })).toEqual(['/tools/1/name', '/tools/2/name']);
    const providers = [{ id: 'a' }, { id: 'b' }, { id: 'a' }];
    expect(pointersOf({ ...BASE, entry: 'i.js', providers })).toEqual(['/providers/2/id']);
  });

  it('compiles draft-07 and 2020-12 parameter schemas, and reuses $ids across tools', () => {
    const draft07 = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: 'https://example.com/p.json',
      type: 'object',
    };
    const draft2020 = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'https://example.com/p.json',
      type: 'object',
    };
    const tools = [
      { ...TOOL, name: 'a', parameters: draft07 },
      { ...TOOL, name: 'b', parameters: draft2020 },
      { ...TOOL, name: 'c', parameters: { ...draft2020 } },
    ];
    expect(() => validateManifest({ ...BASE, tools }, 'f')).not.toThrow();
    expect(() => validateManifest(structuredClone({ ...BASE, tools }), 'f')).not.toThrow();
  });
});

describe('mcpServers', () => {
  const SERVER = { command: 'node', args: ['server.js'] };
  const withServers = (mcpServers: unknown): unknown => ({ ...BASE, tools: undefined, mcpServers });

  it('accepts a plugin that ships only MCP servers, with every key', () => {
    const full = {
      ...SERVER,
      cwd: 'srv',
      env: ['LANG'],
      description: 'd',
      timeout_seconds: 2.5,
      sandbox: 'bwrap',
      network: false,
      read_only_paths: ['data'],
      writable_paths: ['out/x'],
      memory_mb: 64,
      max_processes: 4,
      max_file_size_bytes: 1024,
    };
    const m = validateManifest(withServers({ fs: full, 'a-b_c': { command: './bin/s' } }), 'f');
    expect(m.mcpServers?.fs).toEqual(full);
    expect(() => validateManifest(withServers({ s: { command: '/usr/bin/node' } }), 'f')).not.toThrow();
  });

  it('still needs a tool, a provider or an MCP server', () => {
    expect(pointersOf(withServers({}))).toEqual(['']);
  });

  it('points at bad server names, unknown keys, bad values and paths leaving the plugin folder', () => {
    expect(
      pointersOf(
        withServers({
          a__b: SERVER,
          ok: { ...SERVER, port: 1, sandbox: 'docker', timeout_seconds: 0, env: ['not a name'] },
          nocmd: { args: [] },
          paths: {
            command: '../up/s',
            cwd: '/abs',
            read_only_paths: ['.', '../x'],
            writable_paths: ['/tmp'],
          },
        }),
      ).sort(),
    ).toEqual(
      [
        '/mcpServers/a__b',
        '/mcpServers/ok/port',
        '/mcpServers/ok/sandbox',
        '/mcpServers/ok/timeout_seconds',
        '/mcpServers/ok/env/0',
        '/mcpServers/nocmd/command',
        '/mcpServers/paths/command',
        '/mcpServers/paths/cwd',
        '/mcpServers/paths/read_only_paths/1',
        '/mcpServers/paths/writable_paths/0',
      ].sort(),
    );
  });
});
