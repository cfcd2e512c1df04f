import { describe, expect, it } from 'vitest';

import type { ToolRegistry } from '../../../src/core/agent/tool-registry.js';
import {
  capOutput,
  runToolCall,
  type HostToolCallContext,
  type ToolOutcome,
  type ToolProgress,
} from '../../../src/core/agent/tool-runner.js';
import { parseConfigText } from '../../../src/core/config/load.js';
import { ERR_TOOL_FAILED } from '../../../src/core/errors.js';
import { currentTimeToolFactory } from '../../../src/plugins/tools-core/current-time.js';
import { echoToolFactory } from '../../../src/plugins/tools-core/echo.js';
import { ToolError, type ToolCallV1, type ToolFactoryV1, type ToolV1 } from '@agent2389/tool-sdk';
import { silentLogger as silent } from '../../../src/core/observability/silent-logger.js';
import { registryFor } from '../../helpers/tool-registry.js';

const MINIMAL = `[agent]\nid = "a1"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\n`;

function inlineTool(name: string, execute: ToolV1['execute'], parameters = {}): ToolFactoryV1 {
  return {
    name,
    create: () => ({
      specificationVersion: 'v1',
      describe: () => ({ name: 'described-name', description: `${name} tool`, parameters }),
      execute,
    }),
  };
}

const FACTORIES: ToolFactoryV1[] = [
  echoToolFactory,
  currentTimeToolFactory,
  inlineTool('thrower', () => {
    throw new TypeError('kaput');
  }),
  inlineTool('coded', () => Promise.reject(new ERR_TOOL_FAILED({ tool: 'coded', reason: 'own code' }))),
  inlineTool('big', (input) => 'x'.repeat((input as { n: number }).n), {
    type: 'object',
    properties: { n: { type: 'integer' } },
    required: ['n'],
  }),
  inlineTool('nothing', () => undefined),
  inlineTool('defaults', (input) => input, {
    type: 'object',
    properties: { mode: { type: 'string', default: 'fast' }, n: { type: 'integer' } },
  }),
  inlineTool('tool-coded', () => {
    throw new ToolError('FILE_OUTSIDE_ROOTS', 'path "../x" is outside the allowed roots', { path: '../x' });
  }),
  inlineTool('unserializable', () => ({ n: 1n })),
  inlineTool('progressing', (_input, ctx) => {
    const report = (ctx as HostToolCallContext).reportProgress;
    report?.({ progress: 1, total: 2 });
    report?.({ progress: 2, total: 2, message: 'done' });
    return report ? 'reported' : 'no channel';
  }),
];

function registry(tools: string, factories = FACTORIES): ToolRegistry {
  const { config } = parseConfigText(`${MINIMAL}[tools]\n${tools}`, 'agent.toml', { env: {} });
  return registryFor(config, factories);
}

const ALL = [
  'echo',
  'current_time',
  'thrower',
  'coded',
  'big',
  'nothing',
  'unserializable',
  'tool-coded',
  'defaults',
  'progressing',
]
  .map((n) => `${n} = "builtin"`)
  .join('\n');

function run(call: Partial<ToolCallV1> & { name: string }, maxOutputBytes = 10_000): Promise<ToolOutcome> {
  const signal = new AbortController().signal;
  return runToolCall({ id: 'c1', input: {}, ...call }, registry(ALL), {
    signal,
    log: silent,
    maxOutputBytes,
  });
}

describe('NFR-005: runToolCall', () => {
  it('hands a call’s progress reports to onProgress, in order', async () => {
    const seen: ToolProgress[] = [];
    const out = await runToolCall({ id: 'c1', name: 'progressing', input: {} }, registry(ALL), {
      signal: new AbortController().signal,
      log: silent,
      maxOutputBytes: 10_000,
      onProgress: (p) => seen.push(p),
    });
    expect(out).toMatchObject({ ok: true, content: '"reported"' });
    expect(seen).toEqual([
      { progress: 1, total: 2 },
      { progress: 2, total: 2, message: 'done' },
    ]);
  });

  it('without onProgress a tool finds no progress channel', async () => {
    expect(await run({ name: 'progressing' })).toMatchObject({ ok: true, content: '"no channel"' });
  });

  it('runs an allowed tool with valid parameters and returns its JSON', async () => {
    const out = await run({ name: 'echo', input: { message: 'hi' } });
    expect(out).toMatchObject({ ok: true, content: '{"message":"hi"}', truncated: false });
    expect(out.error).toBeUndefined();
  });

  it('NFR-005: an unknown tool is an AGENT_ERR_TOOL_NOT_ALLOWED error result', async () => {
    const out = await run({ name: 'rm_rf' });
    expect(out.ok).toBe(false);
    expect(out.error?.code).toBe('AGENT_ERR_TOOL_NOT_ALLOWED');
    expect(out.error?.data).toEqual({ tool: 'rm_rf' });
    expect(out.content).toMatch(/^Error \[AGENT_ERR_TOOL_NOT_ALLOWED\]/);
  });

  it.each([
    ['a wrong type', { message: 5 }, '/message must be string'],
    ['a missing property', {}, "(parameters) must have required property 'message'"],
    ['an extra property', { message: 'm', x: 1 }, '(parameters) must NOT have additional properties'],
  ])('NFR-005: %s is AGENT_ERR_TOOL_INVALID_PARAMS with the ajv errors', async (_name, input, error) => {
    const out = await run({ name: 'echo', input });
    expect(out.ok).toBe(false);
    expect(out.error?.code).toBe('AGENT_ERR_TOOL_INVALID_PARAMS');
    expect(out.error?.data).toEqual({ tool: 'echo', errors: [error] });
  });

  it('NFR-005: reports every ajv error (allErrors)', async () => {
    const out = await run({ name: 'echo', input: { x: 1 } });
    expect((out.error?.data as { errors: string[] }).errors).toHaveLength(2);
  });

  it('NFR-005: an argument parse failure (inputError) is AGENT_ERR_TOOL_INVALID_PARAMS, the tool does not run', async () => {
    const out = await run({
      name: 'echo',
      input: { message: 'ok' },
      inputError: 'Unexpected token } in JSON',
    });
    expect(out.error?.code).toBe('AGENT_ERR_TOOL_INVALID_PARAMS');
    expect(out.error?.data).toEqual({ tool: 'echo', errors: ['Unexpected token } in JSON'] });
  });

  it('FR-009: a throwing tool becomes an AGENT_ERR_TOOL_FAILED result with cause, never a throw', async () => {
    const out = await run({ name: 'thrower' });
    expect(out.ok).toBe(false);
    expect(out.error?.code).toBe('AGENT_ERR_TOOL_FAILED');
    expect(out.error?.data).toEqual({ tool: 'thrower', reason: 'kaput' });
    expect(out.error?.cause).toBeInstanceOf(TypeError);
  });

  it('FR-009: a tool rejecting with an AgentError keeps its code', async () => {
    const out = await run({ name: 'coded' });
    expect(out.error?.code).toBe('AGENT_ERR_TOOL_FAILED');
    expect(out.error?.data).toEqual({ tool: 'coded', reason: 'own code' });
  });

  it('fills in defaults declared in the parameters schema before the tool runs', async () => {
    expect((await run({ name: 'defaults', input: { n: 1 } })).content).toBe('{"n":1,"mode":"fast"}');
    expect((await run({ name: 'defaults', input: { mode: 'slow' } })).content).toBe('{"mode":"slow"}');
  });

  it('FR-009: a ToolError keeps its own code and data under AGENT_ERR_TOOL_FAILED', async () => {
    const out = await run({ name: 'tool-coded' });
    expect(out.error?.code).toBe('AGENT_ERR_TOOL_FAILED');
    expect(out.error?.data).toEqual({
      tool: 'tool-coded',
      reason: 'path "../x" is outside the allowed roots',
      toolCode: 'FILE_OUTSIDE_ROOTS',
      toolData: { path: '../x' },
    });
    expect(out.content).toContain('[FILE_OUTSIDE_ROOTS]');
  });

  it('FR-009: an unserializable result is an error result', async () => {
    const out = await run({ name: 'unserializable' });
    expect(out.error?.code).toBe('AGENT_ERR_TOOL_FAILED');
  });

  it('an undefined result is sent as null; a missing input is validated as {}', async () => {
    expect((await run({ name: 'nothing', input: undefined })).content).toBe('null');
    const out = await run({ name: 'echo', input: undefined });
    expect(out.error?.data).toEqual({
      tool: 'echo',
      errors: ["(parameters) must have required property 'message'"],
    });
  });

  it('caps output at maxOutputBytes with a marker', async () => {
    const out = await run({ name: 'big', input: { n: 1_000 } }, 100);
    expect(out.ok).toBe(true);
    expect(out.truncated).toBe(true);
    const [kept, marker] = out.content.split('\n');
    expect(kept).toBe(`"${'x'.repeat(99)}`);
    expect(marker).toBe('…[truncated: 902 of 1002 bytes omitted]');
  });

  it('does not truncate output exactly at the limit', async () => {
    expect(await run({ name: 'big', input: { n: 98 } }, 100)).toMatchObject({ truncated: false });
  });
});

describe('capOutput', () => {
  it('never splits a multi-byte character', () => {
    const { text, truncated } = capOutput('é'.repeat(100), 51);
    expect(truncated).toBe(true);
    expect(text.split('\n')[0]).toBe('é'.repeat(25));
    expect(text).not.toContain('\uFFFD');
  });
});

describe('ToolRegistry', () => {
  it('registers the configured builtins under their config names, with compiled schemas', () => {
    const reg = registry('echo = "builtin"\nbig = { impl = "builtin", config = { k = 1 } }');
    expect(reg.names).toEqual(['echo', 'big']);
    expect(reg.descriptions.map((d) => d.name)).toEqual(['echo', 'big']);
    expect(reg.get('big')?.config).toEqual({ k: 1 });
    expect(reg.get('big')?.validate({ n: 'x' })).toBe(false);
    expect([...reg].length).toBe(2);
    expect(reg.get('current_time')).toBeUndefined();
  });

  it('an empty [tools] gives an empty registry', () => {
    expect(registry('').names).toEqual([]);
  });
});
