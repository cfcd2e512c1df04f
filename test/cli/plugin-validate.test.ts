// `agent2389 plugin validate <dir>`: schema errors, missing files and the runtime range, all in one run.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { runCliInProcess } from '../helpers/cli-in-process.js';

let dir: string;
let stderr: string;
let stdout: string;
let code: number;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agent2389-plugin-validate-'));
  await chmod(dir, 0o755);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const params = { type: 'object' };
const tools = [
  { name: 'count', description: 'd', parameters: params, executor: { type: 'script', source: 'count.js' } },
  {
    name: 'run',
    description: 'd',
    parameters: params,
    executor: { type: 'subprocess', command: './bin/run' },
  },
];
const manifest = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  manifestVersion: 1,
  name: 'files',
  version: '1.0.0',
  runtime: '*',
  tools,
  ...extra,
});

async function validatePlugin(json: unknown): Promise<string> {
  await writeFile(join(dir, 'plugin.json'), typeof json === 'string' ? json : JSON.stringify(json, null, 2));
  ({ code, stdout, stderr } = await runCliInProcess(['plugin', 'validate', dir]));
  return join(dir, 'plugin.json');
}

const pointers = (): string[] =>
  stderr
    .trimEnd()
    .split('\n')
    .map((l) => l.split(': ')[1]!);

describe('agent2389 plugin validate', () => {
  it('reports the runtime mismatch, schema errors and every missing file together', async () => {
    await mkdir(join(dir, 'bin'));
    await writeFile(join(dir, 'bin', 'run'), '#!/bin/sh\n', { mode: 0o644 }); // not executable
    const file = await validatePlugin(manifest({ runtime: '>=99.0.0', version: 'one', entry: 'index.js' }));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(pointers().sort()).toEqual([
      '/entry',
      '/runtime',
      '/tools/0/executor/source',
      '/tools/1/executor/command',
      '/version',
    ]);
    for (const line of stderr.trimEnd().split('\n')) expect(line.startsWith(`${file}: /`)).toBe(true);
    expect(stderr).toMatch(/\/runtime: .*>=99\.0\.0.*\[AGENT_ERR_PLUGIN_RUNTIME_MISMATCH\]/);
    expect(stderr).toMatch(/\/tools\/1\/executor\/command: .*cannot be run by/);
  });

  it('passes once every file is there', async () => {
    await mkdir(join(dir, 'bin'));
    await chmod(join(dir, 'bin'), 0o755);
    await writeFile(join(dir, 'bin', 'run'), '#!/bin/sh\n', { mode: 0o755 });
    await writeFile(join(dir, 'count.js'), 'export default () => 1;\n');
    const file = await validatePlugin(manifest());
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(
      `${file} is valid: plugin files 1.0.0, tools: count (script), run (subprocess), providers: (none)\n`,
    );
  });

  it('a plugin.json that is not JSON: AGENT_ERR_MANIFEST_PARSE with line and column', async () => {
    const file = await validatePlugin('{\n  "name": "x",\n  "version": 1.0.0\n}\n');
    expect(code).toBe(1);
    expect(stderr).toContain(`[AGENT_ERR_MANIFEST_PARSE] ${file}:3:17 `);
  });
});
