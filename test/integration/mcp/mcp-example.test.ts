// examples/mcp.toml as shipped (on a free port, its notes folder in a temp dir): the filesystem server
// under bubblewrap reads and writes in its folder, and cannot see a file next to it on the host.
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect, onTestFinished } from 'vitest';

import { injectTool, startAgentProcess } from '../../helpers/agent-process.js';
import { freePort } from '../../helpers/free-port.js';
import { needs } from '../../helpers/require-tool.js';

const example = fileURLToPath(new URL('../../../examples/mcp.toml', import.meta.url));
const nodeModules = fileURLToPath(new URL('../../../node_modules', import.meta.url));

needs('bwrap').it(
  'examples/mcp.toml: fs__ tools work in the notes folder; a host file outside it is invisible',
  async () => {
    const notes = await mkdtemp(join(tmpdir(), 'agent2389-notes-'));
    await chmod(notes, 0o777); // the server runs as nobody when the agent is root
    await writeFile(join(notes, 'hello.txt'), 'hello from the host\n');
    const outside = await mkdtemp(join(tmpdir(), 'agent2389-outside-'));
    await chmod(outside, 0o755);
    await writeFile(join(outside, 'secret.txt'), 'not for the server\n', { mode: 0o644 });
    const port = await freePort();
    const url = `mqtt://127.0.0.1:${port}`;
    // The agent runs from a temp copy of the config: point its relative paths back at the repository.
    const toml = (await readFile(example, 'utf8'))
      .replace('port = 1883', `port = ${port}`)
      .replaceAll('"../node_modules', `"${nodeModules}`)
      .replaceAll('/tmp/agent2389-notes', notes);
    const agent = await startAgentProcess(toml, { LANG: 'C.UTF-8' });
    onTestFinished(() => agent.signal('SIGTERM'));

    const read = await injectTool(url, 'mcp-notes', 'fs__read_text_file', { path: join(notes, 'hello.txt') });
    expect(read.code).toBe(0);
    expect(read.stdout).toContain('hello from the host');

    const wrote = await injectTool(url, 'mcp-notes', 'fs__write_file', {
      path: join(notes, 'new.txt'),
      content: 'written by the server',
    });
    expect(wrote.code).toBe(0);
    expect(await readFile(join(notes, 'new.txt'), 'utf8')).toBe('written by the server');

    // Outside its allowed folder the server refuses by itself; the sandbox is what the e2e bwrap test proves.
    const secret = await injectTool(url, 'mcp-notes', 'fs__read_text_file', {
      path: join(outside, 'secret.txt'),
    });
    expect(secret.stdout + secret.stderr).not.toContain('not for the server');
  },
  120_000,
);
