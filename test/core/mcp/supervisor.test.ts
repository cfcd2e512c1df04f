// One MCP server's lifecycle over the real protocol (in memory): start, filters, list_changed, crash and
// restart with backoff, lazy start, close. Time is a manual clock: no sleeps.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';

import { AgentError } from '../../../src/core/errors.js';
import { McpSupervisor } from '../../../src/core/mcp/supervisor.js';
import type { McpServerSpec } from '../../../src/core/mcp/types.js';
import { manualClock, type ManualClock } from '../../helpers/manual-clock.js';
import {
  inMemoryConnector,
  testSpec,
  type AnyMcpServer,
  type InMemoryConnector,
  type InMemoryOptions,
} from '../../helpers/mcp-in-memory.js';
import { recordingLogger } from '../../helpers/recording-logger.js';
import { rejected, toolError } from '../../helpers/thrown.js';
import { basicServer, controls, deferred, nextTools, reached } from './mcp-test-servers.js';

const open: McpSupervisor[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

function setup(
  spec: Partial<McpServerSpec> = {},
  make: (attempt: number) => AnyMcpServer | Promise<AnyMcpServer> = () => basicServer(),
  connOpts: InMemoryOptions = {},
): {
  sup: McpSupervisor;
  clock: ManualClock;
  conn: InMemoryConnector;
  log: ReturnType<typeof recordingLogger>;
} {
  const clock = manualClock();
  const log = recordingLogger();
  const conn = inMemoryConnector(make, connOpts);
  const sup = new McpSupervisor(testSpec('basic', spec), {
    connect: conn.connect,
    ctx: { env: {}, log, signal: new AbortController().signal },
    clock,
  });
  open.push(sup);
  return { sup, clock, conn, log };
}

const call = (sup: McpSupervisor, tool: string, args: Record<string, unknown> = {}) =>
  sup.call(tool, args, { signal: new AbortController().signal });

describe('McpSupervisor', () => {
  it('starts, lists the tools and calls one', async () => {
    const { sup } = setup();
    expect(sup.state).toBe('idle');
    await sup.start();
    expect(sup.state).toBe('up');
    expect(sup.tools.map((t) => t.name)).toEqual(['echo', 'add', 'fail', 'picture', 'slow', 'hang']);
    expect(sup.tools[0]?.inputSchema).toMatchObject({
      type: 'object',
      properties: { text: { type: 'string' } },
    });
    const result = await call(sup, 'echo', { text: 'hi' });
    expect(result.content).toEqual([{ type: 'text', text: 'hi' }]);
  });

  it('applies `tools` then `exclude_tools`; a filtered-out tool cannot be called; missing names are warned', async () => {
    const { sup, log } = setup({ tools: ['echo', 'add', 'nope'], excludeTools: ['add'] });
    await sup.start();
    expect(sup.tools.map((t) => t.name)).toEqual(['echo']);
    expect((await toolError(call(sup, 'add', { a: 1, b: 2 }))).code).toBe('MCP_TOOL_UNAVAILABLE');
    expect(log.entries.find((e) => e.level === 'warn')?.obj).toEqual({
      mcp_server: 'basic',
      missing: ['nope'],
    });
  });

  it('list_changed: debounced into one refresh that picks up tools registered after connect', async () => {
    const servers: McpServer[] = [];
    const { sup, clock } = setup({}, () => {
      const s = basicServer();
      servers.push(s);
      return s;
    });
    await sup.start();
    const changed: string[][] = [];
    sup.onToolsChanged((tools) => changed.push(tools.map((t) => t.name)));
    const debounce = clock.scheduled();
    servers[0]!.registerTool('late1', {}, () => ({ content: [{ type: 'text', text: 'late' }] }));
    expect(await debounce).toBe(250);
    const again = clock.scheduled();
    servers[0]!.registerTool('late2', {}, () => ({ content: [{ type: 'text', text: 'late' }] }));
    await again;
    expect(clock.pending()).toEqual([250]); // the first debounce timer was replaced, not added to
    const refreshed = nextTools(sup);
    clock.advance(250);
    expect(await refreshed).toEqual(['echo', 'add', 'fail', 'picture', 'slow', 'hang', 'late1', 'late2']);
    expect(changed).toHaveLength(1);
    expect((await call(sup, 'late2')).content).toEqual([{ type: 'text', text: 'late' }]);
  });

  it('a crash: down (calls fail at once with the stderr tail), restart after 1 s, tools refreshed, works again', async () => {
    const { sup, clock, conn } = setup();
    await sup.start();
    const states: string[] = [];
    sup.onStateChange((s) => states.push(s));
    const restartScheduled = clock.scheduled();
    await conn.crash();
    expect(sup.state).toBe('down');
    expect(await restartScheduled).toBe(1000);
    const err = await rejected(call(sup, 'echo', { text: 'x' }));
    expect(err.code).toBe('AGENT_ERR_MCP_SERVER_DOWN');
    expect(err.data).toMatchObject({ server: 'basic', tool: 'echo' });
    expect((err.data as { reason: string }).reason).toContain('last words');
    const tools = nextTools(sup); // the new session's list is reported again
    clock.fireNext();
    await reached(sup, 'up');
    expect(sup.restarts).toBe(1);
    expect(conn.attempts()).toBe(2);
    expect(states).toEqual(['down', 'starting', 'up']);
    expect((await call(sup, 'echo', { text: 'again' })).content).toEqual([{ type: 'text', text: 'again' }]);
    // The tool set did not change, so no change is reported.
    let reported = false;
    void tools.then(() => (reported = true));
    await Promise.resolve();
    expect(reported).toBe(false);
  });

  it('backoff doubles (1 s, 2 s, 4 s … max 30 s) while restarts fail or crash soon', async () => {
    let failFrom = Infinity;
    const { sup, clock, conn } = setup({}, (attempt: number) => {
      if (attempt >= failFrom) throw new Error(`spawn failed #${attempt}`);
      return basicServer();
    });
    await sup.start();
    let next = clock.scheduled();
    await conn.crash();
    expect(await next).toBe(1000);
    next = clock.scheduled();
    clock.fireNext();
    await reached(sup, 'up');
    await conn.crash(); // up only a moment: no reset of the backoff
    expect(await next).toBe(2000);
    failFrom = 3;
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      next = clock.scheduled();
      clock.fireNext();
      delays.push(await next);
    }
    expect(delays).toEqual([4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect(sup.state).toBe('down');
    const err = await rejected(call(sup, 'echo', { text: 'x' }));
    expect(err.code).toBe('AGENT_ERR_MCP_SERVER_DOWN');
    expect((err.data as { reason: string }).reason).toContain('spawn failed #8');
    expect(sup.restarts).toBe(7);
  });

  it('a session that stayed up past stableMs restarts from the first step again', async () => {
    const { sup, clock, conn } = setup();
    await sup.start();
    let next = clock.scheduled();
    await conn.crash();
    await next;
    next = clock.scheduled();
    clock.fireNext();
    await reached(sup, 'up');
    clock.advance(60_000);
    await conn.crash();
    expect(await next).toBe(1000);
  });

  it.each([
    ['SDK errors', false],
    ['coded errors (as connection.ts)', true],
  ])(
    'killed mid-call (%s): ERR_MCP_SERVER_DOWN, and the restarted server answers',
    async (_what, codedErrors) => {
      const c = controls();
      const { sup, clock, conn } = setup({}, () => basicServer(c), { codedErrors });
      await sup.start();
      const pending = rejected(call(sup, 'hang'));
      await c.entered.promise;
      const restart = clock.scheduled();
      await conn.crash();
      const err = await pending;
      expect(err.code).toBe('AGENT_ERR_MCP_SERVER_DOWN');
      expect(err.data).toMatchObject({ server: 'basic', tool: 'hang' });
      await restart;
      clock.fireNext();
      await reached(sup, 'up');
      expect((await call(sup, 'echo', { text: 'ok' })).content).toEqual([{ type: 'text', text: 'ok' }]);
    },
  );

  it('list_changed during the first listing is not lost: a refresh follows the start', async () => {
    let listings = 0;
    const { sup, clock } = setup({}, () => {
      const server = new Server(
        { name: 'early', version: '1' },
        { capabilities: { tools: { listChanged: true } } },
      );
      server.setRequestHandler(ListToolsRequestSchema, async () => {
        listings += 1;
        if (listings === 1) await server.sendToolListChanged();
        const names = listings === 1 ? ['a'] : ['a', 'b'];
        return { tools: names.map((name) => ({ name, inputSchema: { type: 'object' as const } })) };
      });
      return server;
    });
    const debounce = clock.scheduled();
    await sup.start();
    expect(sup.tools.map((t) => t.name)).toEqual(['a']);
    expect(await debounce).toBe(250);
    const refreshed = nextTools(sup);
    clock.fireNext();
    expect(await refreshed).toEqual(['a', 'b']);
  });

  it('lazy: nothing starts until the first call; concurrent first calls share one start', async () => {
    const { sup, conn } = setup({ lazy: true });
    expect(sup.state).toBe('idle');
    expect(conn.attempts()).toBe(0);
    const [a, b] = await Promise.all([call(sup, 'echo', { text: 'a' }), call(sup, 'echo', { text: 'b' })]);
    expect([a.content, b.content]).toEqual([[{ type: 'text', text: 'a' }], [{ type: 'text', text: 'b' }]]);
    expect(conn.attempts()).toBe(1);
  });

  it('lazy start that fails: the call gets the start error, then the server retries with backoff', async () => {
    let ok = false;
    const { sup, clock } = setup({ lazy: true }, () => {
      if (!ok) throw new Error('no binary');
      return basicServer();
    });
    const retry = clock.scheduled();
    const err = await rejected(call(sup, 'echo', { text: 'a' }));
    expect(err.code).toBe('AGENT_ERR_MCP_START_FAILED');
    expect(sup.state).toBe('down');
    expect(await retry).toBe(1000);
    ok = true;
    clock.fireNext();
    await reached(sup, 'up');
    expect(sup.tools.length).toBeGreaterThan(0);
  });

  it('an eager start that fails rejects and schedules no restart', async () => {
    const { sup, clock } = setup({}, () => {
      throw new Error('no binary');
    });
    const err = await rejected(sup.start());
    expect(err.data).toMatchObject({ server: 'basic' });
    expect(clock.pending()).toEqual([]);
  });

  it('close waits for in-flight calls, refuses new ones, then ends the session', async () => {
    const c = controls();
    const { sup, conn } = setup({}, () => basicServer(c));
    await sup.start();
    const inFlight = call(sup, 'hang');
    await c.entered.promise;
    let closed = false;
    const closing = sup.close().then(() => (closed = true));
    expect((await rejected(call(sup, 'echo', { text: 'x' }))).code).toBe('AGENT_ERR_MCP_SERVER_DOWN');
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    c.release.resolve();
    expect((await inFlight).content).toEqual([{ type: 'text', text: 'released' }]);
    await closing;
    expect(sup.state).toBe('closed');
    expect((conn.servers[0] as McpServer).isConnected()).toBe(false);
  });

  it('close aborts in-flight calls after the grace', async () => {
    const c = controls();
    const { sup, clock } = setup({}, () => basicServer(c));
    await sup.start();
    const inFlight = rejected(call(sup, 'hang'));
    await c.entered.promise;
    const grace = clock.scheduled();
    const closing = sup.close();
    expect(await grace).toBe(10_000);
    clock.fireNext();
    const err = await inFlight;
    expect(err.code).toBe('AGENT_ERR_MCP_SERVER_DOWN');
    await closing;
  });

  it('close while starting: the start gives up and the half-open session is closed', async () => {
    const gate = deferred();
    let made: McpServer | undefined;
    const { sup } = setup({}, async () => {
      await gate.promise;
      return (made = basicServer());
    });
    const starting = rejected(sup.start());
    const closing = sup.close();
    gate.resolve();
    const err = await starting;
    expect(AgentError.is(err, 'AGENT_ERR_MCP_START_FAILED')).toBe(true);
    await closing;
    expect(made === undefined || !made.isConnected()).toBe(true);
  });

  it('close while down cancels the pending restart', async () => {
    const { sup, clock, conn } = setup();
    await sup.start();
    const next = clock.scheduled();
    await conn.crash();
    await next;
    await sup.close();
    expect(clock.pending()).toEqual([]);
    expect(conn.attempts()).toBe(1);
  });
});
