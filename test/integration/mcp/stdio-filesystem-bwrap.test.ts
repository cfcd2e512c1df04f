// server-filesystem told it may use "/" — confined by bwrap to its writable folder anyway: it cannot read or
// write outside, even world-readable/-writable files, and works inside. The same calls without bwrap succeed
// outside (the control that shows the confinement, not file modes, refuses them).
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { CallToolResult, TextContent } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

import { connectMcp } from '../../../src/core/mcp/connection.js';
import type { McpConnection, McpServerSpec } from '../../../src/core/mcp/types.js';
import { recordingLogger } from '../../helpers/recording-logger.js';
import { needs } from '../../helpers/require-tool.js';

const NODE_MODULES = fileURLToPath(new URL('../../../node_modules', import.meta.url));
const FILESYSTEM = join(NODE_MODULES, '@modelcontextprotocol/server-filesystem/dist/index.js');

let inside: string;
let outside: string;
const dirs: string[] = [];
async function openDir(prefix: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  await chmod(d, 0o777); // nobody may read and write it: only the sandbox stands in the way
  dirs.push(d);
  return d;
}
beforeAll(async () => {
  inside = await openDir('mcp-fs-inside-');
  outside = await openDir('mcp-fs-outside-');
  await writeFile(join(outside, 'secret.txt'), 'outside secret', { mode: 0o644 });
});
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const open: McpConnection[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

async function connect(sandbox: 'bwrap' | 'none'): Promise<McpConnection> {
  const spec: McpServerSpec = {
    name: 'fs',
    transport: {
      kind: 'stdio',
      command: process.execPath,
      args: [FILESYSTEM, '/'],
      env: [],
      sandbox,
      network: false,
      readOnlyPaths: [NODE_MODULES],
      writablePaths: [inside],
      limits: { memoryMb: 1024, maxProcesses: 256, maxFileSizeBytes: 16 * 1024 * 1024 },
    },
    timeoutMs: 30_000,
    maxTotalTimeoutMs: 60_000,
    startupTimeoutMs: 30_000,
    lazy: false,
    excludeTools: [],
  };
  const c = await connectMcp(spec, { env: {}, log: recordingLogger(), signal: new AbortController().signal });
  open.push(c);
  return c;
}

const call = { signal: new AbortController().signal, timeoutMs: 30_000, maxTotalTimeoutMs: 60_000 };
const textOf = (r: CallToolResult): string => r.content.map((c) => (c as TextContent).text ?? '').join('');

const bwrapped = needs('bwrap', 'prlimit', 'root');

bwrapped.it(
  'under bwrap it reads and writes only inside its writable folder, whatever its args say',
  async () => {
    const c = await connect('bwrap');
    const read = await c.callTool('read_text_file', { path: join(outside, 'secret.txt') }, call);
    expect(read.isError).toBe(true);
    expect(textOf(read)).not.toContain('outside secret');

    const wrote = await c.callTool('write_file', { path: join(outside, 'planted.txt'), content: 'x' }, call);
    expect(wrote.isError).toBe(true);
    await expect(readFile(join(outside, 'planted.txt'))).rejects.toMatchObject({ code: 'ENOENT' });

    const ok = await c.callTool('write_file', { path: join(inside, 'note.txt'), content: 'inside' }, call);
    expect(ok.isError).not.toBe(true);
    expect(await readFile(join(inside, 'note.txt'), 'utf8')).toBe('inside');
    const back = await c.callTool('read_text_file', { path: join(inside, 'note.txt') }, call);
    expect(textOf(back)).toBe('inside');

    const etc = await c.callTool('read_text_file', { path: '/etc/shadow' }, call);
    expect(etc.isError).toBe(true);
  },
);

needs('prlimit', 'root').it('control: without bwrap the same server reads and writes outside', async () => {
  const c = await connect('none');
  const read = await c.callTool('read_text_file', { path: join(outside, 'secret.txt') }, call);
  expect(textOf(read)).toBe('outside secret');
  const wrote = await c.callTool('write_file', { path: join(outside, 'control.txt'), content: 'y' }, call);
  expect(wrote.isError).not.toBe(true);
  expect(await readFile(join(outside, 'control.txt'), 'utf8')).toBe('y');
});
