// The built-in tools inside a real agent process (embedded broker), driven by the real CLI.
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { injectTool, startAgentProcess, type AgentProcess } from '../helpers/agent-process.js';
import { freePort } from '../helpers/free-port.js';

let url: string;
let dataDir: string;
let agent: AgentProcess;
let server: Server;
let serverUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(`hello from ${req.url ?? ''}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const port = await freePort();
  url = `mqtt://127.0.0.1:${port}`;
  dataDir = join(await mkdtemp(join(tmpdir(), 'agent2389-builtin-')), 'data');
  agent = await startAgentProcess(
    `data_dir = "${dataDir}"\n[agent]\nid = "builtins"\n[mqtt]\nbroker_url = "embedded"\n` +
      `[mqtt.embedded]\nport = ${port}\n[llm]\nprovider = "scripted"\n` +
      `[tools.http_request]\nimpl = "builtin"\nconfig = { allowed_private_cidrs = ["127.0.0.1/32"], timeout_seconds = 5 }\n` +
      `[tools.file_write]\nimpl = "builtin"\n[tools.file_read]\nimpl = "builtin"\n` +
      `[tools.web_search]\nimpl = "builtin"\n`,
  );
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const call = (tool: string, params: unknown) => injectTool(url, 'builtins', tool, params, 15);

describe('built-in tools in a running agent', () => {
  it('http_request reaches an allowed address and returns status, headers and body', async () => {
    const r = await call('http_request', { url: `${serverUrl}/ping` });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      status: 200,
      body: 'hello from /ping',
      truncated: false,
      headers: { 'content-type': 'text/plain' },
    });
  });

  it('http_request refuses the metadata address with its tool code; nothing is sent', async () => {
    const r = await call('http_request', { url: 'http://169.254.169.254/latest/meta-data/' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tool_execution_failed.*HTTP_PRIVATE_ADDRESS/);
  });

  it('file_write then file_read round-trips inside the data dir, atomically on disk', async () => {
    const w = await call('file_write', { path: 'notes/a.txt', content: 'kept', create_dirs: true });
    expect(w.code).toBe(0);
    expect(await readFile(join(dataDir, 'notes', 'a.txt'), 'utf8')).toBe('kept');
    const r = await call('file_read', { path: 'notes/a.txt' });
    expect(JSON.parse(r.stdout)).toMatchObject({ content: 'kept' });
  });

  it('file_read refuses traversal out of the data dir with FILE_OUTSIDE_ROOTS', async () => {
    const r = await call('file_read', { path: '../../../../etc/passwd' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FILE_OUTSIDE_ROOTS/);
    expect(r.stderr).not.toContain('root:');
  });

  it('web_search without an API key starts with a warning and fails calls with SEARCH_NOT_CONFIGURED', async () => {
    expect(agent.output()).toMatch(/SERPER_API_KEY/);
    const r = await call('web_search', { query: 'mqtt' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/SEARCH_NOT_CONFIGURED/);
  });
});

describe('bad built-in tool config', () => {
  it('stops startup with AGENT_ERR_TOOL_CONFIG_INVALID naming the key (exit 1)', async () => {
    const port = await freePort();
    const bad = await startAgentProcess(
      `[agent]\nid = "bad-builtins"\n[mqtt]\nbroker_url = "embedded"\n[mqtt.embedded]\nport = ${port}\n` +
        `[tools.file_read]\nimpl = "builtin"\nconfig = { max_file_size = 0 }\n`,
      {},
      false,
    );
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toMatch(/AGENT_ERR_TOOL_CONFIG_INVALID.*tools\.file_read\.config.*max_file_size/);
  });

  it('stops startup with AGENT_ERR_TOOL_INIT_FAILED when an allowed path does not exist', async () => {
    const port = await freePort();
    const bad = await startAgentProcess(
      `[agent]\nid = "bad-root"\n[mqtt]\nbroker_url = "embedded"\n[mqtt.embedded]\nport = ${port}\n` +
        `[tools.file_read]\nimpl = "builtin"\nconfig = { allowed_paths = ["/nonexistent/agent2389-root"] }\n`,
      {},
      false,
    );
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toMatch(/AGENT_ERR_TOOL_INIT_FAILED.*file_read.*allowed_paths/);
  });
});
