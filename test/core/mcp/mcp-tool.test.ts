// One MCP tool as a ToolV1, against a real in-memory server: describe, call, isError, images, progress,
// timeout; and through the ToolRegistry + tool-runner (parameters validated before the call).
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';

import { ToolRegistry } from '../../../src/core/agent/tool-registry.js';
import { runToolCall } from '../../../src/core/agent/tool-runner.js';
import {
  createMcpTool,
  inputSchemaProblem,
  MAX_DESCRIPTION_CHARS,
  mcpToolDescription,
  type McpProgressListener,
} from '../../../src/core/mcp/mcp-tool.js';
import { McpSupervisor } from '../../../src/core/mcp/supervisor.js';
import type { McpProgress, McpServerSpec } from '../../../src/core/mcp/types.js';
import { silentLogger } from '../../../src/core/observability/silent-logger.js';
import type { ToolV1 } from '../../../tool-sdk/src/index.js';
import { manualClock } from '../../helpers/manual-clock.js';
import {
  inMemoryConnector,
  testSpec,
  type AnyMcpServer,
  type InMemoryOptions,
} from '../../helpers/mcp-in-memory.js';
import { rejected, toolError } from '../../helpers/thrown.js';
import { basicServer, controls } from './mcp-test-servers.js';

const open: McpSupervisor[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function started(
  spec: Partial<McpServerSpec> = {},
  c = controls(),
  connOpts: InMemoryOptions = {},
  make: () => AnyMcpServer = () => basicServer(c),
): Promise<McpSupervisor> {
  const sup = new McpSupervisor(testSpec('srv', spec), {
    connect: inMemoryConnector(make, connOpts).connect,
    ctx: { env: {}, log: silentLogger, signal: new AbortController().signal },
    clock: manualClock(),
  });
  open.push(sup);
  await sup.start();
  return sup;
}

function toolOf(sup: McpSupervisor, name: string, onProgress?: McpProgressListener): ToolV1 {
  const info = sup.tools.find((t) => t.name === name)!;
  return createMcpTool({ agentName: `srv__${name}`, info }, sup, {
    timeoutMs: 60_000,
    ...(onProgress ? { onProgress } : {}),
  });
}

const ctx = (callId = 'c1') => ({ callId, signal: new AbortController().signal, log: silentLogger });

describe('createMcpTool', () => {
  it('describes itself with the agent name, the server description and the inputSchema', async () => {
    const sup = await started();
    const d = toolOf(sup, 'echo').describe();
    expect(d.name).toBe('srv__echo');
    expect(d.description).toBe('Echo the text');
    expect(d.parameters).toMatchObject({ type: 'object', required: ['text'] });
    expect(toolOf(sup, 'add').describe().description).toBe('MCP tool add of server srv');
  });

  it('calls the tool; images are summarised', async () => {
    const sup = await started();
    expect(await toolOf(sup, 'echo').execute({ text: 'hello' }, ctx())).toBe('hello');
    expect(await toolOf(sup, 'picture').execute({}, ctx())).toBe(
      'a picture:\n[image: image/png, 1234 bytes]',
    );
  });

  it('an isError result is a ToolError MCP_TOOL_ERROR with the text', async () => {
    const sup = await started();
    const err = await toolError(Promise.resolve(toolOf(sup, 'fail').execute({}, ctx())));
    expect([err.code, err.message]).toEqual(['MCP_TOOL_ERROR', 'it went wrong']);
  });

  it('progress notifications reach onProgress with the agent tool name and the call id', async () => {
    const sup = await started();
    const seen: [string, string, McpProgress][] = [];
    const tool = toolOf(sup, 'slow', (name, callId, p) => seen.push([name, callId, p]));
    expect(await tool.execute({}, ctx('call-7'))).toBe('done');
    expect(seen).toEqual([
      ['srv__slow', 'call-7', { progress: 1, total: 2, message: 'step 1' }],
      ['srv__slow', 'call-7', { progress: 2, total: 2, message: 'step 2' }],
    ]);
  });

  it.each([false, true])(
    'a call past its timeout is AGENT_ERR_TOOL_TIMEOUT naming the agent tool (coded by the connection: %s)',
    async (codedErrors) => {
      const sup = await started({ timeoutMs: 1, maxTotalTimeoutMs: 1 }, controls(), { codedErrors });
      const err = await rejected(Promise.resolve(toolOf(sup, 'hang').execute({}, ctx())));
      expect(err.code).toBe('AGENT_ERR_TOOL_TIMEOUT');
      expect(err.data).toEqual({ tool: 'srv__hang', timeoutMs: 1 });
    },
  );

  it('a protocol error coded by the connection names the agent tool', async () => {
    const thrower = () => {
      const server = new Server({ name: 'thrower', version: '1' }, { capabilities: { tools: {} } });
      server.setRequestHandler(ListToolsRequestSchema, () => ({
        tools: [{ name: 'boom', inputSchema: { type: 'object' as const } }],
      }));
      server.setRequestHandler(CallToolRequestSchema, () => {
        throw new Error('kaboom');
      });
      return server;
    };
    const sup = await started({}, controls(), { codedErrors: true }, thrower);
    const err = await rejected(Promise.resolve(toolOf(sup, 'boom').execute({}, ctx())));
    expect(err.code).toBe('AGENT_ERR_TOOL_FAILED');
    expect((err.data as { tool: string }).tool).toBe('srv__boom');
    expect((err.data as { reason: string }).reason).toContain('kaboom');
  });

  it('the task signal aborts the call with its reason', async () => {
    const c = controls();
    const sup = await started({}, c);
    const controller = new AbortController();
    const call = Promise.resolve(
      toolOf(sup, 'hang').execute({}, { callId: 'c', signal: controller.signal, log: silentLogger }),
    );
    await c.entered.promise;
    const reason = new Error('task timed out');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
  });

  it('input that is not an object is refused before the server sees it', async () => {
    const sup = await started();
    const err = await rejected(Promise.resolve(toolOf(sup, 'echo').execute('text', ctx())));
    expect(err.code).toBe('AGENT_ERR_TOOL_INVALID_PARAMS');
  });
});

describe('mcpToolDescription / inputSchemaProblem', () => {
  it('cuts a long description and keeps the name', () => {
    const info = { name: 't', description: 'd'.repeat(10 * 1024 * 1024), inputSchema: { type: 'object' } };
    const d = mcpToolDescription('srv', { agentName: 'srv__t', info });
    expect(d.description).toHaveLength(MAX_DESCRIPTION_CHARS + 1);
    expect(d.name).toBe('srv__t');
  });

  it('only object schemas can be parameters', () => {
    expect(inputSchemaProblem({ type: 'object' })).toBeUndefined();
    for (const bad of [null, [], 'x', 5, true, { type: 'string' }, {}])
      expect(inputSchemaProblem(bad)).toBeTypeOf('string');
  });
});

describe('an MCP tool in the ToolRegistry', () => {
  it('parameters are validated by the registry before the call; results go through the output cap', async () => {
    const sup = await started();
    const registry = ToolRegistry.fromEntries([]);
    const entry = (name: string) => {
      const tool = toolOf(sup, name);
      return {
        name: `srv__${name}`,
        tool,
        description: tool.describe(),
        config: {},
        executor: 'mcp' as const,
      };
    };
    registry.setGroup('mcp', [entry('add'), entry('echo')], silentLogger);
    const opts = { signal: new AbortController().signal, log: silentLogger, maxOutputBytes: 1000 };
    const bad = await runToolCall({ id: '1', name: 'srv__add', input: { a: 'one', b: 2 } }, registry, opts);
    expect([bad.ok, bad.error?.code]).toEqual([false, 'AGENT_ERR_TOOL_INVALID_PARAMS']);
    const good = await runToolCall({ id: '2', name: 'srv__add', input: { a: 1, b: 2 } }, registry, opts);
    expect([good.ok, good.content, good.executor]).toEqual([true, '"3"', 'mcp']);
    const big = await runToolCall(
      { id: '3', name: 'srv__echo', input: { text: 'x'.repeat(5000) } },
      registry,
      opts,
    );
    expect([big.ok, big.truncated]).toEqual([true, true]);
    const failed = await runToolCall({ id: '4', name: 'srv__fail', input: {} }, registry, opts);
    expect(failed.ok).toBe(false); // not in the group: not allowed
    registry.setGroup('mcp', [entry('fail')], silentLogger);
    const isError = await runToolCall({ id: '5', name: 'srv__fail', input: {} }, registry, opts);
    expect([isError.error?.code, isError.error?.data]).toEqual([
      'AGENT_ERR_TOOL_FAILED',
      { tool: 'srv__fail', reason: 'it went wrong', toolCode: 'MCP_TOOL_ERROR', toolData: {} },
    ]);
  });
});
