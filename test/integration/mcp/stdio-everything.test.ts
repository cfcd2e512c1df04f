// The MCP client layer against the real server-everything over stdio (sandbox "none": as root it drops to
// nobody under prlimit/setpriv): tools, progress, deadlines, cancellation, the env allow-list, close.
import { fileURLToPath } from 'node:url';

import type { TextContent } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, expect, it } from 'vitest';

import { connectMcp } from '../../../src/core/mcp/connection.js';
import type { McpConnection, McpProgress, McpServerSpec } from '../../../src/core/mcp/types.js';
import { groupAlive, liveGroups } from '../../../src/core/sandbox/process-group.js';
import { recordingLogger } from '../../helpers/recording-logger.js';
import { needs } from '../../helpers/require-tool.js';

const EVERYTHING = fileURLToPath(
  new URL('../../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url),
);

const SECRET = 'sk-test-agent-key-must-not-leak';

function spec(over: Partial<McpServerSpec> = {}): McpServerSpec {
  return {
    name: 'everything',
    transport: {
      kind: 'stdio',
      command: process.execPath,
      args: [EVERYTHING, 'stdio'],
      env: [{ name: 'GREETING', from: 'AGENT_GREETING' }],
      sandbox: 'none',
      network: false,
      readOnlyPaths: [],
      writablePaths: [],
      limits: { memoryMb: 1024, maxProcesses: 256, maxFileSizeBytes: 16 * 1024 * 1024 },
    },
    timeoutMs: 30_000,
    maxTotalTimeoutMs: 60_000,
    startupTimeoutMs: 30_000,
    lazy: false,
    excludeTools: [],
    ...over,
  };
}

const open: McpConnection[] = [];
const ctx = {
  env: { OPENAI_API_KEY: SECRET, AGENT_GREETING: 'hello', PATH: process.env.PATH },
  log: recordingLogger(),
  signal: new AbortController().signal,
};

async function connect(over?: Partial<McpServerSpec>): Promise<McpConnection> {
  const c = await connectMcp(spec(over), ctx);
  open.push(c);
  return c;
}

/** Connect and find the server's process group: the one group registered by the connect (one test at a time). */
async function connectWithGroup(): Promise<{ c: McpConnection; pgid: number }> {
  const before = new Set(liveGroups());
  const c = await connect();
  const added = liveGroups().filter((g) => !before.has(g));
  expect(added).toHaveLength(1);
  return { c, pgid: added[0]! };
}

const textOf = (r: { content: unknown[] }): string =>
  r.content.map((c) => (c as TextContent).text ?? '').join('');

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

const call = (timeoutMs = 30_000, maxTotalTimeoutMs = 60_000, signal = new AbortController().signal) => ({
  signal,
  timeoutMs,
  maxTotalTimeoutMs,
});

needs('prlimit').describe('MCP over stdio: server-everything', () => {
  it('lists its tools with their schemas and calls get-sum', async () => {
    const c = await connect();
    const tools = await c.listTools(new AbortController().signal);
    const names = tools.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(['echo', 'get-sum', 'get-env', 'trigger-long-running-operation']),
    );
    const sum = tools.find((t) => t.name === 'get-sum')!;
    expect(sum.inputSchema).toMatchObject({ type: 'object', properties: { a: {}, b: {} } });
    const r = await c.callTool('get-sum', { a: 2, b: 40 }, call());
    expect(textOf(r)).toContain('42');
  });

  it('reports progress; progress keeps a call alive past its timeout but not past the total', async () => {
    const c = await connect();
    const seen: McpProgress[] = [];
    const args = { duration: 1, steps: 4 };
    const ok = await c.callTool('trigger-long-running-operation', args, {
      ...call(),
      onProgress: (p) => seen.push(p),
    });
    expect(ok.isError).not.toBe(true);
    // The SDK handles notifications a microtask after responses: a last progress that arrives in the same
    // read as the result is dropped. So: at least one, in order, each with the total.
    const steps = seen.map((p) => p.progress);
    expect(steps.length).toBeGreaterThan(0);
    expect(steps).toEqual([1, 2, 3, 4].slice(0, steps.length));
    expect(seen.every((p) => p.total === 4)).toBe(true);
    // A 3 s operation with progress every 250 ms outlives a 1.5 s per-call timeout (each progress resets it,
    // with a 6x margin for a loaded machine), but never a 100 ms total.
    const slow = { duration: 3, steps: 12 };
    const kept = await c.callTool('trigger-long-running-operation', slow, call(1_500, 60_000));
    expect(kept.isError).not.toBe(true);
    await expect(c.callTool('trigger-long-running-operation', args, call(1_500, 100))).rejects.toMatchObject({
      code: 'AGENT_ERR_TOOL_TIMEOUT',
      data: { tool: 'trigger-long-running-operation', timeoutMs: 100 },
    });
    // The session survives the timed-out call.
    expect(textOf(await c.callTool('get-sum', { a: 1, b: 1 }, call()))).toContain('2');
  });

  it('an aborted call rejects with the caller’s reason and the server answers the next call', async () => {
    const c = await connect();
    const ac = new AbortController();
    const started = c.callTool(
      'trigger-long-running-operation',
      { duration: 5, steps: 5 },
      {
        ...call(30_000, 60_000, ac.signal),
        onProgress: () => ac.abort(new Error('task cancelled')),
      },
    );
    await expect(started).rejects.toThrow('task cancelled');
    expect(textOf(await c.callTool('echo', { message: 'still here' }, call()))).toContain('still here');
  });

  it('passes only allow-listed variables: the agent’s API key never reaches the server', async () => {
    const c = await connect();
    const env = textOf(await c.callTool('get-env', {}, call()));
    expect(env).toContain('GREETING');
    expect(env).toContain('hello');
    expect(env).not.toContain(SECRET);
    expect(env).not.toContain('OPENAI_API_KEY');
    expect(env).not.toContain('AGENT_GREETING');
  });

  it('close() kills the whole process group and reports an expected end once', async () => {
    const { c, pgid } = await connectWithGroup();
    const ends: unknown[] = [];
    c.onClose((info) => ends.push(info));
    expect(await groupAlive(pgid)).toBe(true);
    await c.close();
    open.splice(open.indexOf(c), 1);
    expect(await groupAlive(pgid)).toBe(false);
    expect(ends).toEqual([{ expected: true, reason: 'closed', stderrTail: expect.any(String) as string }]);
  });

  it('kill -9 of the server ends the session unexpectedly and fails the call in flight', async () => {
    const { c, pgid } = await connectWithGroup();
    const ended = new Promise((resolve) => c.onClose(resolve));
    const inFlight = c.callTool(
      'trigger-long-running-operation',
      { duration: 30, steps: 30 },
      {
        ...call(),
        onProgress: () => process.kill(-pgid, 'SIGKILL'),
      },
    );
    await expect(inFlight).rejects.toMatchObject({ code: 'AGENT_ERR_TOOL_FAILED' });
    expect(await ended).toMatchObject({
      expected: false,
      reason: expect.stringContaining('SIGKILL') as string,
    });
    expect(await groupAlive(pgid)).toBe(false);
  });

  it('reports tools/list_changed (even one sent during initialize) and the new tool is listed', async () => {
    const c = await connect();
    await new Promise<void>((resolve) => c.onToolsChanged(resolve));
    const names = (await c.listTools(new AbortController().signal)).map((t) => t.name);
    expect(names).toContain('simulate-research-query');
  });

  it('a server that never answers initialize fails the start within startup_timeout and is killed', async () => {
    const before = new Set(liveGroups());
    const silent = {
      ...spec().transport,
      args: ['-e', 'setInterval(() => {}, 1000)'],
    } as McpServerSpec['transport'];
    const err = await connect({ transport: silent, startupTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'AGENT_ERR_MCP_START_FAILED', data: { server: 'everything' } });
    const left = liveGroups().filter((g) => !before.has(g));
    expect(left).toEqual([]);
  });

  it('an abort of the agent’s signal fails the start', async () => {
    const ac = new AbortController();
    ac.abort();
    const err = await connectMcp(spec(), { ...ctx, signal: ac.signal }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'AGENT_ERR_MCP_START_FAILED', data: { server: 'everything' } });
  });

  it('a server that exits at startup is AGENT_ERR_MCP_START_FAILED with its stderr tail', async () => {
    const err = await connect({
      transport: {
        ...spec().transport,
        args: ['-e', 'process.stderr.write("boom: no config"); process.exit(3)'],
      } as McpServerSpec['transport'],
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'AGENT_ERR_MCP_START_FAILED',
      data: {
        server: 'everything',
        reason: expect.stringContaining('code 3') as string,
        stderr_tail: 'boom: no config',
      },
    });
  });
});
