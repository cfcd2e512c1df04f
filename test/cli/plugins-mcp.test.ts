// `agent2389 plugins`: the [mcp] servers' listing and table, and --mcp's start-list-close over the real
// protocol (in-memory servers standing in for connectMcp; the built CLI runs real ones in test/integration).
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describe, expect, it } from 'vitest';

import { formatMcpTable, listMcpServers, probeMcpServers } from '../../src/cli/plugins-mcp.js';
import type { McpServerSpec, McpStdioSpec } from '../../src/core/mcp/types.js';
import { inMemoryConnector, testSpec } from '../helpers/mcp-in-memory.js';
import { basicServer } from '../core/mcp/mcp-test-servers.js';

const stdio = (over: Partial<McpStdioSpec> = {}): McpStdioSpec => ({
  kind: 'stdio',
  command: 'node',
  args: ['server.js', '--root', '/srv/my docs'],
  env: [],
  sandbox: 'bwrap',
  network: false,
  readOnlyPaths: [],
  writablePaths: [],
  limits: { memoryMb: 512, maxProcesses: 64, maxFileSizeBytes: 1024 },
  ...over,
});

const specs: McpServerSpec[] = [
  testSpec('fs', { transport: stdio() }),
  testSpec('ping', {
    plugin: 'mcp-servers',
    lazy: true,
    transport: stdio({ command: '/p/bin/server.sh', args: [], sandbox: 'none' }),
  }),
  testSpec('remote'), // http
];

describe('listMcpServers', () => {
  it('names transport, origin and sandbox of each server, in config order', () => {
    expect(listMcpServers(specs)).toEqual([
      {
        name: 'fs',
        transport: 'stdio',
        command: ['node', 'server.js', '--root', '/srv/my docs'],
        from: 'config',
        sandbox: 'bwrap',
        lazy: false,
      },
      {
        name: 'ping',
        transport: 'stdio',
        command: ['/p/bin/server.sh'],
        from: 'mcp-servers',
        sandbox: 'none',
        lazy: true,
      },
      {
        name: 'remote',
        transport: 'http',
        url: 'http://in-memory.invalid/mcp',
        from: 'config',
        sandbox: 'address policy',
        lazy: false,
      },
    ]);
  });
});

describe('formatMcpTable', () => {
  it('lists the servers without TOOLS and STATE when none was started; quotes arguments with blanks', () => {
    const lines = formatMcpTable(listMcpServers(specs)).split('\n');
    expect(lines[0]).toMatch(/^MCP SERVER +TRANSPORT +FROM +SANDBOX$/);
    expect(lines.slice(1).map((l) => l.split(/ {2,}/))).toEqual([
      ['fs', 'stdio: node server.js --root "/srv/my docs"', 'config', 'bwrap'],
      ['ping', 'stdio: /p/bin/server.sh', 'mcp-servers', 'none'],
      ['remote', 'http: http://in-memory.invalid/mcp', 'config', 'address policy'],
    ]);
  });

  it('adds STATE, then TOOLS (- for none), once started', () => {
    const [fs, ping] = listMcpServers(specs);
    const lines = formatMcpTable([
      { ...fs!, tools: ['fs__a', 'fs__b'], state: 'ok' },
      { ...ping!, tools: [], state: 'AGENT_ERR_MCP_START_FAILED: the server exited with code 3' },
    ]).split('\n');
    expect(lines[0]).toMatch(/^MCP SERVER +TRANSPORT +FROM +SANDBOX +STATE +TOOLS$/);
    expect(lines[1]!.split(/ {2,}/).slice(4)).toEqual(['ok', 'fs__a, fs__b']);
    expect(lines[2]!.split(/ {2,}/).slice(4)).toEqual([
      'AGENT_ERR_MCP_START_FAILED: the server exited with code 3',
      '-',
    ]);
  });
});

describe('probeMcpServers', () => {
  it('starts each server (lazy too), names its tools after the filters as the agent does, and closes it', async () => {
    const made: McpServer[] = [];
    const conn = inMemoryConnector(() => {
      const s = basicServer();
      made.push(s);
      return s;
    });
    const warnings: string[] = [];
    const rows = await probeMcpServers(
      [
        testSpec('basic', { tools: ['echo', 'add', 'missing'], excludeTools: ['add'] }),
        testSpec('lazy', { lazy: true, excludeTools: ['hang', 'slow'] }),
      ],
      {
        env: {},
        takenNames: [],
        signal: new AbortController().signal,
        warn: (l) => warnings.push(l),
        connect: conn.connect,
      },
    );
    expect(rows.map((r) => [r.name, r.state, r.tools])).toEqual([
      ['basic', 'ok', ['basic__echo']],
      ['lazy', 'ok', ['lazy__echo', 'lazy__add', 'lazy__fail', 'lazy__picture']],
    ]);
    expect(warnings).toEqual([
      'warning: mcp.basic: MCP server does not list these `tools` (missing=["missing"])',
    ]);
    // Both servers' sessions were closed (a closed SDK server has no transport).
    expect(made.map((s) => s.isConnected())).toEqual([false, false]);
  });

  it('shows a server that fails with its code and reason, a name taken by [tools] as a conflict; the others still listed', async () => {
    const conn = inMemoryConnector((_attempt, spec) => {
      if (spec.name === 'broken') throw new Error('no such \u001b[2Jcommand\nat all');
      return basicServer();
    });
    const rows = await probeMcpServers([testSpec('broken'), testSpec('basic'), testSpec('taken')], {
      env: {},
      takenNames: ['taken__echo'],
      signal: new AbortController().signal,
      warn: () => {},
      connect: conn.connect,
    });
    expect(rows[0]).toMatchObject({
      name: 'broken',
      tools: [],
      // one line, the escape sequence defused
      state: 'AGENT_ERR_MCP_START_FAILED: no such ?[2Jcommand at all',
      error: { code: 'AGENT_ERR_MCP_START_FAILED' },
    });
    expect(rows[1]).toMatchObject({ name: 'basic', state: 'ok' });
    expect(rows[2]).toMatchObject({
      name: 'taken',
      tools: [],
      error: { code: 'AGENT_ERR_MCP_TOOL_CONFLICT' },
    });
    expect(rows[2]!.state).toMatch(/^AGENT_ERR_MCP_TOOL_CONFLICT: .*taken__echo/);
  });
});
