// server-filesystem configured in agent.toml to allow itself "/", confined by sandbox = "bwrap" to one
// writable folder, called through a real agent on mosquitto: it writes and reads inside; a world-readable
// secret elsewhere and a write outside fail as tool errors (the sandbox, not file modes, refuses them).
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect, onTestFinished, vi } from 'vitest';

import { startAgentProcess } from '../../helpers/agent-process.js';
import {
  ANSWER_WAIT_MS,
  ask,
  callTool,
  FILESYSTEM,
  lastStatus,
  loggedTaskError,
  NODE_MODULES,
  processesWith,
  uniqueScript,
} from '../../helpers/mcp-agent.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { connectProbe } from '../../helpers/mqtt-probe.js';
import { needs } from '../../helpers/require-tool.js';

const AGENT = 'mcp-fs-bwrap';
const SECRET = 'the secret outside the sandbox';

/** A temp folder uid nobody may read and write: only the sandbox stands in the way. */
async function openDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o777);
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

needs('mosquitto', 'bwrap', 'root').it(
  'the filesystem server under bwrap reads and writes only inside its writable folder, whatever its args say',
  async () => {
    const broker = await startMosquitto();
    onTestFinished(() => broker.stop());
    const inside = await openDir('agent2389-mcp-fs-in-');
    const outside = await openDir('agent2389-mcp-fs-out-');
    await writeFile(join(outside, 'secret.txt'), SECRET, { mode: 0o644 });
    const server = await uniqueScript(FILESYSTEM, 'filesystem-bwrap');
    const agent = await startAgentProcess(
      [
        `[agent]\nid = "${AGENT}"`,
        `[mqtt]\nbroker_url = "${broker.url}"`,
        '[llm]\nprovider = "scripted"',
        '[mcp.fs]',
        `command = "${process.execPath}"`,
        `args = ["${server}", "/"]`,
        'sandbox = "bwrap"',
        `writable_paths = ["${inside}"]`,
        // The server's code and dependencies (the symlink's folder holds only the link).
        `read_only_paths = ["${NODE_MODULES}", "${server.slice(0, server.lastIndexOf('/'))}"]`,
        'timeout_seconds = 30',
        '',
      ].join('\n'),
    );
    const probe = await connectProbe(broker.url);
    await probe.subscribe(`/control/agents/${AGENT}/status`);
    await probe.subscribe('/conversations/#');
    await vi.waitFor(
      () =>
        expect(lastStatus(probe, AGENT)?.tools).toEqual(
          expect.arrayContaining(['fs__write_file', 'fs__read_text_file']),
        ),
      { timeout: ANSWER_WAIT_MS, interval: 20 },
    );

    // Inside its writable folder: it writes (the file is really there) and reads back.
    const note = join(inside, 'note.txt');
    await callTool(probe, AGENT, 'fs__write_file', { path: note, content: 'written inside' });
    expect(await readFile(note, 'utf8')).toBe('written inside');
    expect(await callTool(probe, AGENT, 'fs__read_text_file', { path: note })).toContain('written inside');

    // Outside: the secret cannot be read, nothing can be planted; both are tool errors the LLM sees.
    const read = await ask(probe, AGENT, 'fs__read_text_file', { path: join(outside, 'secret.txt') });
    expect(read).toMatchObject({ error: { code: 'tool_execution_failed' } });
    expect(JSON.stringify(read)).not.toContain(SECRET);
    const planted = join(outside, 'planted.txt');
    const wrote = await ask(probe, AGENT, 'fs__write_file', { path: planted, content: 'x' });
    expect(wrote).toMatchObject({ error: { code: 'tool_execution_failed' } });
    await expect(readFile(planted)).rejects.toMatchObject({ code: 'ENOENT' });
    // The server's own error (isError): in its view of the sandbox the paths do not exist or are read-only.
    for (const task of [read, wrote]) {
      const err = await loggedTaskError(agent, task.task_id);
      expect(err).toMatchObject({ code: 'AGENT_ERR_TOOL_FAILED', data: { toolCode: 'MCP_TOOL_ERROR' } });
      expect(String(err?.data?.reason)).toMatch(/ENOENT|EACCES|EPERM|EROFS/);
    }

    agent.signal('SIGTERM');
    await agent.exited;
    expect(await processesWith(server)).toEqual([]);
  },
  120_000,
);
