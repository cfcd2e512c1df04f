// manifestFileProblems: every file plugin.json names is checked on disk (real temp folders), each at its pointer.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { manifestFileProblems } from '../../../src/core/host/manifest-files.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'manifest-files-'));
  await chmod(dir, 0o755);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const params = { type: 'object' };
const manifest = {
  manifestVersion: 1,
  name: 'files',
  version: '1.0.0',
  runtime: '*',
  entry: 'index.js',
  tools: [
    { name: 'a', description: 'a', parameters: params, executor: { type: 'script', source: 'a.js' } },
    { name: 'b', description: 'b', parameters: params, executor: { type: 'subprocess', command: './bin/b' } },
    { name: 'c', description: 'c', parameters: params, executor: { type: 'subprocess', command: './bin/c' } },
    {
      name: 'd',
      description: 'd',
      parameters: params,
      executor: { type: 'subprocess', command: 'no-such-cmd-x9' },
    },
  ],
  mcpServers: { srv: { command: './bin/srv', cwd: 'work' } },
};

describe('manifestFileProblems', () => {
  it('reports every missing file, and a command its user cannot execute, at its JSON pointer', async () => {
    await mkdir(join(dir, 'bin'));
    await chmod(join(dir, 'bin'), 0o755);
    await writeFile(join(dir, 'bin', 'c'), '#!/bin/sh\necho {}\n', { mode: 0o644 }); // no x bit
    const problems = await manifestFileProblems(manifest, dir);
    expect(problems.map((p) => p.pointer).sort()).toEqual([
      '/entry',
      '/mcpServers/srv/command',
      '/mcpServers/srv/cwd',
      '/tools/0/executor/source',
      '/tools/1/executor/command',
      '/tools/2/executor/command',
      '/tools/3/executor/command',
    ]);
    const at = (pointer: string): string => problems.find((p) => p.pointer === pointer)!.message;
    expect(at('/tools/1/executor/command')).toContain(join(dir, 'bin', 'b'));
    expect(at('/tools/2/executor/command')).toContain('cannot be run by');
    expect(at('/tools/3/executor/command')).toContain('not found on PATH');
  });

  it('passes when every file is there, and checks no command with commands: false', async () => {
    await mkdir(join(dir, 'bin'));
    await mkdir(join(dir, 'work'));
    await chmod(join(dir, 'bin'), 0o755);
    await writeFile(join(dir, 'index.js'), 'export default {};\n');
    await writeFile(join(dir, 'a.js'), 'export default () => 1;\n');
    for (const f of ['b', 'c', 'srv']) await writeFile(join(dir, 'bin', f), '#!/bin/sh\n', { mode: 0o755 });
    const noD = { ...manifest, tools: manifest.tools.slice(0, 3) };
    expect(await manifestFileProblems(noD, dir)).toEqual([]);
    expect(await manifestFileProblems(manifest, dir, { commands: false })).toEqual([]);
  });

  it('ignores what a broken manifest does not name', async () => {
    expect(await manifestFileProblems('not an object', dir)).toEqual([]);
    expect(await manifestFileProblems({ tools: [1, { executor: 'x' }] }, dir)).toEqual([]);
  });
});
