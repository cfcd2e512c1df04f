// The stdio transport over a real child: malformed lines skipped (logged with a coded reason), an oversized
// line ends the session, a bounded stderr tail, and close() that kills the group (even a SIGTERM-ignoring one).
import { tmpdir } from 'node:os';

import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';

import { McpStdioTransport } from '../../../src/core/mcp/stdio-transport.js';
import type { LaunchPlan } from '../../../src/core/sandbox/launch-plan.js';
import { groupAlive } from '../../../src/core/sandbox/process-group.js';
import { recordingLogger } from '../../helpers/recording-logger.js';

/** A plan that runs `script` in node (as the test's own user: this tests the transport, not the jail). */
function planOf(script: string): LaunchPlan {
  return {
    file: process.execPath,
    args: ['-e', script],
    env: { PATH: '/usr/bin:/bin' },
    cwd: tmpdir(),
    sandbox: [],
  };
}

const started: McpStdioTransport[] = [];
function transport(script: string, over: { maxLineBytes?: number; killGraceMs?: number } = {}) {
  const log = recordingLogger();
  const t = new McpStdioTransport({ server: 'srv', plan: planOf(script), log, ...over });
  started.push(t);
  const messages: JSONRPCMessage[] = [];
  t.onmessage = (m) => messages.push(m);
  const closed = new Promise<void>((resolve) => (t.onclose = resolve));
  return { t, log, messages, closed };
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((t) => t.close()));
});

/** Keeps the child alive until killed. */
const STAY = 'setInterval(() => {}, 1000);';

describe('McpStdioTransport', () => {
  it('skips a malformed line with a coded warning and keeps reading', async () => {
    const lines = [
      'not json at all',
      '{"jsonrpc":"2.0","method":"first"}',
      '{"valid":"json, but no JSON-RPC"}',
      '{"jsonrpc":"2.0","method":"second"}',
    ];
    const { t, log, messages } = transport(
      `process.stdout.write(${JSON.stringify(lines.join('\n') + '\n')}); ${STAY}`,
    );
    const seen = new Promise<void>((resolve) => {
      t.onmessage = (m) => {
        messages.push(m);
        if (messages.length === 2) resolve();
      };
    });
    await t.start();
    await seen;
    expect(messages).toEqual([
      { jsonrpc: '2.0', method: 'first' },
      { jsonrpc: '2.0', method: 'second' },
    ]);
    const warnings = log.entries.filter((e) => e.level === 'warn');
    expect(warnings.map((w) => w.obj)).toEqual([
      expect.objectContaining({ server: 'srv', reason: 'mcp_malformed_message' }),
      expect.objectContaining({ server: 'srv', reason: 'mcp_malformed_message' }),
    ]);
    expect(t.end).toBeUndefined();
  });

  it('ends the session and kills the group when a line exceeds the cap', async () => {
    const { t, messages, closed } = transport(`process.stdout.write('x'.repeat(4096)); ${STAY}`, {
      maxLineBytes: 1024,
    });
    await t.start();
    const pgid = t.pgid!;
    await closed;
    expect(messages).toEqual([]);
    expect(t.end).toMatchObject({ expected: false, reason: expect.stringContaining('1024') as string });
    expect(await groupAlive(pgid)).toBe(false);
  });

  it('keeps a bounded stderr tail and reports an unexpected exit', async () => {
    const { t, closed } = transport(`process.stderr.write('a'.repeat(5000) + 'END'); process.exitCode = 7;`);
    await t.start();
    await closed;
    expect(t.stderrTail).toHaveLength(2048);
    expect(t.stderrTail.endsWith('END')).toBe(true);
    expect(t.end).toMatchObject({ expected: false, reason: expect.stringContaining('7') as string });
  });

  it('close() SIGKILLs a server that ignores SIGTERM, and its grandchild, then resolves', async () => {
    const script =
      `process.on('SIGTERM', () => {}); require('child_process').spawn(process.execPath, ['-e', '${STAY}'], { stdio: 'ignore' });` +
      `process.stdout.write('{"jsonrpc":"2.0","method":"ready"}\\n'); ${STAY}`;
    const { t, messages } = transport(script, { killGraceMs: 100 });
    const ready = new Promise<void>((resolve) => {
      t.onmessage = (m) => {
        messages.push(m);
        resolve();
      };
    });
    await t.start();
    await ready;
    const pgid = t.pgid!;
    await t.close();
    expect(await groupAlive(pgid)).toBe(false);
    expect(t.end).toEqual({ expected: true, reason: 'closed' });
  });

  it('send() writes one JSON line; after the end it rejects', async () => {
    const echo = `process.stdin.on('data', (d) => process.stdout.write(d)); ${STAY}`;
    const { t, messages } = transport(echo);
    const back = new Promise<void>((resolve) => {
      t.onmessage = (m) => {
        messages.push(m);
        resolve();
      };
    });
    await t.start();
    await t.send({ jsonrpc: '2.0', method: 'ping', id: 1 });
    await back;
    expect(messages).toEqual([{ jsonrpc: '2.0', method: 'ping', id: 1 }]);
    await t.close();
    await expect(t.send({ jsonrpc: '2.0', method: 'ping', id: 2 })).rejects.toThrow();
  });

  it('start() rejects when the command cannot be spawned', async () => {
    const t = new McpStdioTransport({
      server: 'srv',
      plan: { ...planOf(''), file: '/nonexistent/server' },
      log: recordingLogger(),
    });
    await expect(t.start()).rejects.toMatchObject({ code: 'ENOENT' });
    await t.gone;
    expect(t.end).toMatchObject({ expected: false });
  });
});
