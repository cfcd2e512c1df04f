// The MCP tool source of one plugin set: parallel start, names across servers, lazy start, changes,
// startup failures, and a hostile server (huge lists, descriptions, non-object schemas).
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';

import { ToolRegistry } from '../../../src/core/agent/tool-registry.js';
import { runToolCall } from '../../../src/core/agent/tool-runner.js';
import { MAX_CONTENT_BLOCKS } from '../../../src/core/mcp/call-result.js';
import { MAX_DESCRIPTION_CHARS } from '../../../src/core/mcp/mcp-tool.js';
import { createMcpTools, type McpTools, type McpToolsOptions } from '../../../src/core/mcp/mcp-tools.js';
import type { McpServerSpec } from '../../../src/core/mcp/types.js';
import { manualClock } from '../../helpers/manual-clock.js';
import { inMemoryConnector, testSpec, type AnyMcpServer } from '../../helpers/mcp-in-memory.js';
import { recordingLogger } from '../../helpers/recording-logger.js';
import { rejected } from '../../helpers/thrown.js';
import { basicServer } from './mcp-test-servers.js';

const open: McpTools[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

/** A connector whose servers are made per spec name; every server made is kept in `made`. */
function connectorFor(make: Record<string, () => AnyMcpServer>) {
  const made: Record<string, AnyMcpServer[]> = {};
  const conn = inMemoryConnector((_attempt, spec) => {
    const factory = make[spec.name];
    if (!factory) throw new Error(`no server ${spec.name}`);
    const server = factory();
    (made[spec.name] ??= []).push(server);
    return server;
  });
  return { conn, made };
}

async function build(
  specs: McpServerSpec[],
  make: Record<string, () => AnyMcpServer>,
  extra: Partial<McpToolsOptions> = {},
) {
  const { conn, made } = connectorFor(make);
  const log = recordingLogger();
  const clock = manualClock();
  const tools = await createMcpTools(specs, {
    connect: conn.connect,
    env: {},
    log,
    signal: new AbortController().signal,
    supervisor: { clock },
    ...extra,
  });
  open.push(tools);
  return { tools, made, log, clock, conn };
}

/** The hostile server's tools/list and tools/call. */
function hostileServer(): Server {
  const server = new Server({ name: 'hostile', version: '6.6.6' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [
      { name: 'blocks', inputSchema: { type: 'object' } },
      { name: 'verbose', description: 'v'.repeat(10 * 1024 * 1024), inputSchema: { type: 'object' } },
      { name: 'stringly', inputSchema: 'not a schema' },
      { name: 'arrayish', inputSchema: [] },
      { name: 'uncompilable', inputSchema: { type: 'object', properties: { x: { type: 'nonsense' } } } },
      { name: 'ünïcode tool', inputSchema: { type: 'object' } },
    ],
  }));
  server.setRequestHandler(CallToolRequestSchema, () => ({
    content: Array.from({ length: 100_000 }, (_, i) => ({ type: 'text', text: `block ${i}` })),
  }));
  return server;
}

describe('createMcpTools', () => {
  it('starts the eager servers, names their tools `<server>__<tool>`, leaves the lazy one for startLazy', async () => {
    const { tools, conn } = await build(
      [testSpec('a', { tools: ['echo'] }), testSpec('b', { tools: ['add'] }), testSpec('c', { lazy: true })],
      { a: () => basicServer(), b: () => basicServer(), c: () => basicServer() },
    );
    expect(tools.entries().map((e) => [e.name, e.executor, e.config])).toEqual([
      ['a__echo', 'mcp', {}],
      ['b__add', 'mcp', {}],
    ]);
    expect(conn.attempts()).toBe(2);
    expect(tools.servers.map((s) => s.state)).toEqual(['up', 'up', 'idle']);
    const changed = new Promise<string[]>((resolve) => tools.onChange((e) => resolve(e.map((x) => x.name))));
    await tools.startLazy();
    expect((await changed).filter((n) => n.startsWith('c__'))).toEqual([
      'c__echo',
      'c__add',
      'c__fail',
      'c__picture',
      'c__slow',
      'c__hang',
    ]);
    expect(await tools.entries()[0]!.tool.execute({ text: 'hi' }, callCtx())).toBe('hi');
  });

  it('a server that fails to start: the others are closed and its coded error is thrown', async () => {
    const { conn, made } = connectorFor({ good: () => basicServer(), bad: () => basicServer() });
    const err = await rejected(
      createMcpTools([testSpec('good'), testSpec('bad'), testSpec('missing')], {
        connect: conn.connect,
        env: {},
        log: recordingLogger(),
        signal: new AbortController().signal,
      }),
    );
    expect(err.code).toBe('AGENT_ERR_MCP_START_FAILED');
    expect(err.data).toMatchObject({ server: 'missing' });
    expect(made.good!.map((s) => (s as McpServer).isConnected())).toEqual([false]);
    expect(made.bad!.map((s) => (s as McpServer).isConnected())).toEqual([false]);
  });

  it('a tool name held by a [tools] entry is a startup conflict', async () => {
    const { conn, made } = connectorFor({ fs: () => basicServer() });
    const err = await rejected(
      createMcpTools([testSpec('fs')], {
        connect: conn.connect,
        env: {},
        log: recordingLogger(),
        signal: new AbortController().signal,
        takenNames: ['fs__echo'],
      }),
    );
    expect(err.code).toBe('AGENT_ERR_MCP_TOOL_CONFLICT');
    expect(err.data).toEqual({ name: 'fs__echo', tools: ['[tools].fs__echo', 'fs/echo'] });
    expect((made.fs![0] as McpServer).isConnected()).toBe(false);
  });

  it('a tool added later (list_changed) appears; one whose name collides is left out and logged', async () => {
    const { tools, made, clock, log } = await build(
      [testSpec('fs', { tools: ['echo', 'new', 'a.b', 'a_b'] })],
      {
        fs: () => basicServer(),
      },
    );
    const server = made.fs![0] as McpServer;
    const changed = new Promise<string[]>((resolve) => tools.onChange((e) => resolve(e.map((x) => x.name))));
    const debounce = clock.scheduled();
    server.registerTool('new', {}, () => ({ content: [{ type: 'text', text: 'new' }] }));
    server.registerTool('a.b', {}, () => ({ content: [{ type: 'text', text: 'clash' }] }));
    server.registerTool('a_b', {}, () => ({ content: [{ type: 'text', text: 'clash' }] }));
    await debounce;
    clock.advance(250);
    expect(await changed).toEqual(['fs__echo', 'fs__new']);
    expect(log.entries.find((e) => e.level === 'error')?.obj).toMatchObject({
      code: 'AGENT_ERR_MCP_TOOL_CONFLICT',
      name: 'fs__a_b',
      tools: ['fs/a.b', 'fs/a_b'],
    });
  });

  it('a hostile server: huge description cut, non-object schemas left out, 100 000 blocks bounded', async () => {
    const { tools, log } = await build([testSpec('evil')], { evil: () => hostileServer() });
    const entries = tools.entries();
    expect(entries.map((e) => e.name)).toEqual([
      'evil__blocks',
      'evil__verbose',
      'evil__uncompilable',
      'evil___n_code_tool',
    ]);
    expect(entries[1]!.description.description).toHaveLength(MAX_DESCRIPTION_CHARS + 1);
    expect(
      log.entries.filter((e) => e.level === 'warn').map((e) => (e.obj as { tool: string }).tool),
    ).toEqual(['evil__stringly', 'evil__arrayish']);
    const registry = ToolRegistry.fromEntries([]);
    registry.setGroup('mcp', entries, log);
    expect(registry.names).toEqual(['evil__blocks', 'evil__verbose', 'evil___n_code_tool']);
    const outcome = await runToolCall({ id: '1', name: 'evil__blocks', input: {} }, registry, {
      signal: new AbortController().signal,
      log,
      maxOutputBytes: 1_000_000,
    });
    expect(outcome.ok).toBe(true);
    const text = JSON.parse(outcome.content) as string;
    expect(text.split('\n')).toHaveLength(MAX_CONTENT_BLOCKS + 1);
    expect(text.endsWith(`[${100_000 - MAX_CONTENT_BLOCKS} more content blocks omitted]`)).toBe(true);
  });

  it('close closes every server', async () => {
    const { tools, made } = await build([testSpec('a'), testSpec('b')], {
      a: () => basicServer(),
      b: () => basicServer(),
    });
    await tools.close();
    expect([made.a![0], made.b![0]].map((s) => (s as McpServer).isConnected())).toEqual([false, false]);
    expect(tools.servers.map((s) => s.state)).toEqual(['closed', 'closed']);
  });
});

function callCtx() {
  return { callId: 'c', signal: new AbortController().signal, log: recordingLogger() };
}
