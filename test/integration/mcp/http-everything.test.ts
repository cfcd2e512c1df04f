// The Streamable HTTP transport against server-everything in HTTP mode on loopback: refused by the address
// policy by default (loopback is private), allowed with allow_private_networks or a CIDR; SSE progress streams.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { TextContent } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { connectMcp } from '../../../src/core/mcp/connection.js';
import type { McpConnection, McpHttpSpec, McpProgress, McpServerSpec } from '../../../src/core/mcp/types.js';
import { groupAlive, killGroupUntilGone } from '../../../src/core/sandbox/process-group.js';
import { freePort } from '../../helpers/free-port.js';
import { recordingLogger } from '../../helpers/recording-logger.js';
import { rejected } from '../../helpers/thrown.js';

const EVERYTHING = fileURLToPath(
  new URL('../../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url),
);

let server: ChildProcess;
let port: number;
beforeAll(async () => {
  port = await freePort();
  server = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], {
    env: { PATH: process.env.PATH, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    server.stderr!.setEncoding('utf8');
    server.stderr!.on('data', (s: string) => {
      stderr += s;
      if (stderr.includes('listening')) resolve();
    });
    server.on('exit', (code) => reject(new Error(`server-everything exited (${code}): ${stderr}`)));
  });
});
afterAll(async () => {
  await killGroupUntilGone(server.pid!);
  expect(await groupAlive(server.pid!)).toBe(false);
});

const open: McpConnection[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

function spec(transport: Partial<McpHttpSpec> = {}): McpServerSpec {
  return {
    name: 'remote',
    transport: {
      kind: 'http',
      url: `http://127.0.0.1:${port}/mcp`,
      headers: [{ name: 'X-Token', env: 'REMOTE_TOKEN' }],
      allowPrivateNetworks: false,
      allowedPrivateCidrs: [],
      ...transport,
    },
    timeoutMs: 30_000,
    maxTotalTimeoutMs: 60_000,
    startupTimeoutMs: 30_000,
    lazy: false,
    excludeTools: [],
  };
}

const ctx = { env: { REMOTE_TOKEN: 't0k3n' }, log: recordingLogger(), signal: new AbortController().signal };
async function connect(s: McpServerSpec): Promise<McpConnection> {
  const c = await connectMcp(s, ctx);
  open.push(c);
  return c;
}
const call = { signal: new AbortController().signal, timeoutMs: 30_000, maxTotalTimeoutMs: 60_000 };

describe('MCP over Streamable HTTP: server-everything on loopback', () => {
  it('is refused by default: a loopback literal, and a name that resolves to loopback', async () => {
    for (const url of [`http://127.0.0.1:${port}/mcp`, `http://localhost:${port}/mcp`]) {
      const err = await rejected(connectMcp(spec({ url }), ctx));
      expect(err).toMatchObject({ code: 'AGENT_ERR_MCP_START_FAILED', data: { server: 'remote' } });
      expect(err.cause).toMatchObject({ code: 'HTTP_PRIVATE_ADDRESS' });
    }
  });

  it('a header whose variable is not set fails the start', async () => {
    const err = await rejected(connectMcp(spec({ allowPrivateNetworks: true }), { ...ctx, env: {} }));
    expect(err).toMatchObject({ code: 'AGENT_ERR_MCP_START_FAILED', data: { server: 'remote' } });
  });

  it('works with allow_private_networks: tools, calls, progress over SSE', async () => {
    const c = await connect(spec({ allowPrivateNetworks: true }));
    const names = (await c.listTools(call.signal)).map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'get-sum']));
    const r = await c.callTool('echo', { message: 'over http' }, call);
    expect((r.content[0] as TextContent).text).toContain('over http');
    const seen: McpProgress[] = [];
    await c.callTool(
      'trigger-long-running-operation',
      { duration: 1, steps: 4 },
      {
        ...call,
        onProgress: (p) => seen.push(p),
      },
    );
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((p) => p.total === 4)).toBe(true);
  });

  it('works with the loopback range in allowed_private_cidrs', async () => {
    const c = await connect(
      spec({ url: `http://localhost:${port}/mcp`, allowedPrivateCidrs: ['127.0.0.0/8', '::1/128'] }),
    );
    const r = await c.callTool('get-sum', { a: 20, b: 22 }, call);
    expect((r.content[0] as TextContent).text).toContain('42');
  });
});
