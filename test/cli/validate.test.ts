// `agent2389 validate` in-process: a [tools] table that the plugin plan refuses is reported with its key and line.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { validateCommand } from '../../src/cli/validate.js';

let dir: string;
let stderr: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agent2389-validate-'));
  stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(async () => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function validate(toml: string): Promise<string> {
  const file = join(dir, 'agent.toml');
  await writeFile(file, toml);
  await validateCommand().parseAsync([file], { from: 'user' });
  return file;
}

const head = '[agent]\nid = "v"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\n';

describe('agent2389 validate', () => {
  it('names the key and its line when a tool table combines keys that do not go together', async () => {
    const file = await validate(`${head}[tools.t]\nimpl = "external"\ncommand = "/bin/true"\nwasm = true\n`);
    expect(process.exitCode).toBe(1);
    expect(stderr).toContain(`error: ${file}: AGENT_ERR_CONFIG_INVALID`);
    expect(stderr).toMatch(/- tools\.t\.wasm applies to script tools only.*\(line 10\)/);
  });

  it('names the key and its line for an impl that does not exist', async () => {
    await validate(`${head}[tools]\n\necho = "wasm"\n`);
    expect(process.exitCode).toBe(1);
    expect(stderr).toMatch(/- tools\.echo\.impl "wasm" must be .*\(line 9\)/);
  });

  it('passes a valid inline tool table', async () => {
    await validate(`${head}[tools.t]\nimpl = "external"\ncommand = "/bin/true"\n`);
    expect(stderr).toBe('');
    expect(process.exitCode).toBeUndefined();
  });
});
