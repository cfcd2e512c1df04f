// `agent2389 validate` reports every problem of every stage in one run (real temp files, nothing started).
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { runCliInProcess } from '../helpers/cli-in-process.js';
import type { ValidationProblem } from '../../src/cli/validate-report.js';

let dir: string;
let stderr: string;
let stdout: string;
let code: number;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agent2389-validate-all-'));
  await chmod(dir, 0o755);
});

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

async function validate(toml: string, ...flags: string[]): Promise<string> {
  const file = join(dir, 'agent.toml');
  await writeFile(file, toml);
  ({ code, stdout, stderr } = await runCliInProcess(['validate', file, ...flags]));
  return file;
}

const params = { type: 'object' };
const FAR = {
  manifestVersion: 1,
  name: 'far',
  version: '1.0.0',
  runtime: '>=99.0.0',
  tools: [
    {
      name: 'far_script',
      description: 'd',
      parameters: params,
      executor: { type: 'script', source: './missing.js' },
    },
    {
      name: 'far_cmd',
      description: 'd',
      parameters: params,
      executor: { type: 'subprocess', command: './bin/nope' },
    },
  ],
};

async function plugins(): Promise<void> {
  for (const name of ['broken', 'far']) await mkdir(join(dir, 'plugins', name), { recursive: true });
  await writeFile(join(dir, 'plugins', 'broken', 'plugin.json'), '{\n  "name": "broken",\n}\n');
  await writeFile(join(dir, 'plugins', 'far', 'plugin.json'), JSON.stringify(FAR, null, 2));
}

const HEAD = '[agent]\nid = "v"\n[mqtt]\nbroker_url = "embedded"\n';

describe('agent2389 validate: every problem in one run', () => {
  it('plugins, plan, tool files and secrets: all reported, each with its file, key or pointer, and line', async () => {
    await plugins();
    vi.stubEnv('G_EMPTY_KEY', '');
    const file = await validate(
      HEAD +
        'username_env = "G_UNSET_USER"\npassword_env = "G_UNSET_PASS"\n' + // lines 5, 6
        '[llm]\nprovider = "anthropic"\napi_key_env = "G_EMPTY_KEY"\n' + // 7-9
        '[plugins]\ndirs = ["plugins"]\nnpm = false\n' + // 10-12
        '[tools]\nfar_script = { impl = "plugin:far" }\nfar_cmd = { impl = "plugin:far" }\n' + // 13-15
        'ghost = { impl = "plugin:nope" }\n' + // 16
        'ext = { impl = "external", command = "./no-such-bin" }\n' + // 17
        'scr = { impl = "script", source = "./no.js", description = "d" }\n', // 18
    );
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    for (const line of lines) expect(line).toMatch(/^error: \S+: AGENT_ERR_[A-Z_]+: /);
    const broken = join(dir, 'plugins', 'broken', 'plugin.json');
    const far = join(dir, 'plugins', 'far', 'plugin.json');
    const expected = [
      `error: ${broken}:3:1: AGENT_ERR_MANIFEST_PARSE: not valid JSON`,
      `error: ${file}:16: AGENT_ERR_PLUGIN_NOT_FOUND: tools.ghost.impl`,
      `error: ${far}: AGENT_ERR_PLUGIN_RUNTIME_MISMATCH: /runtime: plugin "far" requires agent2389 >=99.0.0`,
      `error: ${far}: AGENT_ERR_MANIFEST_INVALID: /tools/0/executor/source: ${join(dir, 'plugins', 'far', 'missing.js')} does not exist`,
      `error: ${far}: AGENT_ERR_MANIFEST_INVALID: /tools/1/executor/command: ${join(dir, 'plugins', 'far', 'bin', 'nope')} does not exist`,
      `error: ${file}:17: AGENT_ERR_CONFIG_INVALID: tools.ext.command ${join(dir, 'no-such-bin')} does not exist`,
      `error: ${file}:18: AGENT_ERR_CONFIG_INVALID: tools.scr.source ${join(dir, 'no.js')} does not exist`,
      `error: ${file}:5: AGENT_ERR_CONFIG_SECRET_MISSING: mqtt.username_env = "G_UNSET_USER": the environment variable G_UNSET_USER is not set`,
      `error: ${file}:6: AGENT_ERR_CONFIG_SECRET_MISSING: mqtt.password_env = "G_UNSET_PASS"`,
      `error: ${file}:9: AGENT_ERR_CONFIG_SECRET_MISSING: llm.api_key_env = "G_EMPTY_KEY": the environment variable G_EMPTY_KEY is set but empty`,
    ];
    for (const start of expected) expect(lines.filter((l) => l.startsWith(start))).toHaveLength(1);
    expect(lines).toHaveLength(expected.length);
  });

  it('config problems all at once: inline secrets (never echoed), a misspelt impl, a bad value', async () => {
    const file = await validate(
      HEAD +
        'password = "hunter2-inline"\n' + // 5
        '[llm]\nprovider = "scripted"\napi_key = "sk-inline-key"\n' + // 6-8
        '[tools.x]\nimp = "builtin"\n' + // 9-10
        '[health]\nport = "eighty"\n', // 11-12
    );
    expect(code).toBe(1);
    expect(stderr).not.toContain('hunter2-inline');
    expect(stderr).not.toContain('sk-inline-key');
    const lines = stderr.trimEnd().split('\n');
    expect(
      lines.map((l) => /^error: [^:]+:(\d+): AGENT_ERR_CONFIG_INVALID: (\S+)/.exec(l)?.slice(1)),
    ).toEqual([
      ['5', 'mqtt.password'],
      ['8', 'llm.api_key'],
      ['10', 'tools.x.impl'],
      ['12', 'health.port'],
    ]);
    expect(lines[0]).toContain('use password_env = "VAR"');
    expect(lines[2]).toContain('did you mean impl?');
    expect(lines[2]).not.toContain('(line');
    expect(stderr).not.toContain(`${file}: warning`);
  });

  it('an unknown key is a warning (exit 0), and an error with --strict', async () => {
    const toml = `${HEAD}[llm]\nprovider = "scripted"\ntemprature = 1\n`;
    const file = await validate(toml);
    expect(code).toBe(0);
    expect(stderr).toBe(
      `warning: ${file}:7: llm.temprature is not a known key and is ignored — did you mean llm.temperature?\n`,
    );
    expect(stdout).toContain('is valid');
    stderr = '';
    stdout = '';
    await validate(toml, '--strict');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: \S+:7: AGENT_ERR_CONFIG_INVALID: llm\.temprature is not a known key/);
    expect(stdout).toBe('');
  });

  it('a provider that requires a key, with no api_key_env, says what to add', async () => {
    const file = await validate(`${HEAD}[llm]\nprovider = "anthropic"\n`);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `error: ${file}:5: AGENT_ERR_CONFIG_SECRET_MISSING: llm.api_key_env is missing: provider "anthropic" ` +
        `(an API key) needs it; add llm.api_key_env = "VAR_NAME" and export VAR_NAME in the agent's environment\n`,
    );
  });

  it('--json prints every problem with its code, file, key and line', async () => {
    vi.stubEnv('G_EMPTY_KEY', '');
    const file = await validate(`${HEAD}[llm]\nprovider = "openai"\napi_key_env = "G_EMPTY_KEY"\n`, '--json');
    expect(code).toBe(1);
    expect(stderr).toBe('');
    const out = JSON.parse(stdout) as { file: string; valid: boolean; problems: ValidationProblem[] };
    expect(out).toMatchObject({ file, valid: false });
    expect(out.problems).toEqual([
      {
        severity: 'error',
        code: 'AGENT_ERR_CONFIG_SECRET_MISSING',
        file,
        key: 'llm.api_key_env',
        line: 7,
        message: expect.stringContaining('G_EMPTY_KEY is set but empty') as string,
      },
    ]);
  });
});
