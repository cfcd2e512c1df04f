// The quickstart path: an agent on its embedded broker, driven by the real `agent2389` CLI.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { beforeAll, describe, expect, it, vi } from 'vitest';

import { runCli, startAgentProcess, type AgentProcess } from '../helpers/agent-process.js';
import { freePort } from '../helpers/free-port.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../fixtures/config/${name}`, import.meta.url));
const libraryExample = fileURLToPath(new URL('../../examples/library-usage.mjs', import.meta.url));
const quickstart = fileURLToPath(new URL('../../examples/quickstart.toml', import.meta.url));

let url: string;
let second: AgentProcess | undefined;
beforeAll(async () => {
  const port = await freePort();
  url = `mqtt://127.0.0.1:${port}`;
  // The quickstart config itself, on a free port instead of 1883.
  const toml = (await readFile(quickstart, 'utf8')).replace('port = 1883', `port = ${port}`);
  await startAgentProcess(toml);
  second = await startAgentProcess(
    `[agent]\nid = "second"\n[mqtt]\nbroker_url = "${url}"\n[llm]\nprovider = "scripted"\n`,
  );
});

const inject = (...args: string[]) => runCli(['inject', '--broker-url', url, ...args]);

describe('CLI against the embedded broker', () => {
  it('inject --wait prints the response of the quickstart agent', async () => {
    const r = await inject('--agent-id', 'quickstart', '--message', 'hello', '--wait');
    expect(r).toMatchObject({ code: 0, stdout: 'hello\n' });
    expect(r.stderr).toMatch(/sent task [0-9a-f-]{36} to \/control\/agents\/quickstart\/input/);
  });

  it('inject --tool builds a tool_request the scripted provider runs', async () => {
    const r = await inject(
      '--agent-id',
      'quickstart',
      '--tool',
      'echo',
      '--tool-params',
      '{"message":"ping"}',
      '--wait',
      '10',
    );
    expect(r).toMatchObject({ code: 0, stdout: '{"message":"ping"}\n' });
  });

  it('inject --next runs a pipeline across agents and prints the final response', async () => {
    const r = await inject(
      '--agent-id',
      'quickstart',
      '--next',
      'second',
      '--message',
      'step one',
      '--wait',
      '10',
      '--json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ response: 'step one' });
  });

  it('an agent left on the MQTT 5 default falls back to 3.1.1 on a broker that refuses MQTT 5', () => {
    expect(second?.output()).toContain('the broker does not accept MQTT 5: using MQTT 3.1.1');
  });

  it('inject exits 1 and prints the coded error when the task fails', async () => {
    const r = await inject('--agent-id', 'quickstart', '--tool', 'nope', '--wait', '10');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error \[tool_execution_failed\]: .*nope/);
  });

  it('inject exits 2 when nothing answers in time', async () => {
    const r = await inject('--agent-id', 'nobody-home', '--message', 'x', '--wait', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no agent `nobody-home` has published a status on this broker');
  });

  it('inject exits 3 when the broker is unreachable, 64 on bad usage', async () => {
    const port = await freePort();
    const down = await runCli([
      'inject',
      '--broker-url',
      `mqtt://127.0.0.1:${port}`,
      '--agent-id',
      'a',
      '--connect-timeout',
      '1',
    ]);
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/cannot reach the MQTT broker/);
    const bad = await inject('--agent-id', 'a', '--input', '{oops');
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/--input is not valid JSON/);
  });
});

describe('library API', () => {
  it('the README library example runs: start, a task event, stop on SIGTERM', async () => {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'agent2389-lib-'));
    const file = join(dir, 'agent.toml');
    await writeFile(file, (await readFile(quickstart, 'utf8')).replace('port = 1883', `port = ${port}`));
    const child = spawn(process.execPath, [libraryExample, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    await vi.waitFor(() => expect(out).toContain('agent quickstart is available'), { timeout: 15_000 });
    const r = await runCli([
      'inject',
      '--broker-url',
      `mqtt://127.0.0.1:${port}`,
      '--agent-id',
      'quickstart',
      '--message',
      'hi',
      '--wait',
      '10',
    ]);
    expect(r.stdout).toBe('hi\n');
    await vi.waitFor(() => expect(out).toMatch(/task [0-9a-f-]{36} responded in [\d.]+ ms/), {
      timeout: 5000,
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('CLI validate and help', () => {
  it('validate accepts the quickstart config', async () => {
    const r = await runCli(['validate', quickstart]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/is valid: agent quickstart, provider scripted/);
  });

  it('validate reports one precise line per problem, with file and key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agent2389-validate-'));
    const file = join(dir, 'bad.toml');
    await writeFile(
      file,
      '[agent]\nid = "my agent"\n[mqtt]\nbroker_url = "http://x"\nqos = 2\n[llm]\nprovider = "scripted"\ntemprature = 1\n',
    );
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error: '))).toHaveLength(3);
    expect(r.stderr).toContain(
      `error: ${file}:2: AGENT_ERR_CONFIG_INVALID: agent.id "my agent" must match [a-zA-Z0-9._-]+\n`,
    );
    expect(r.stderr).toMatch(/mqtt\.broker_url "http:\/\/x" must be mqtt:\/\/host:port/);
    expect(r.stderr).toMatch(/mqtt\.qos 2 must be 1/);
    const warned = await runCli(['validate', file.replace('bad', 'bad')]);
    expect(warned.stderr).not.toContain('undefined');
  });

  it('validate warns about unknown keys with a suggestion and still passes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agent2389-validate-'));
    const file = join(dir, 'warn.toml');
    await writeFile(
      file,
      '[agent]\nid = "w"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "scripted"\ntemprature = 1\n',
    );
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning: ');
    expect(r.stderr).toContain(
      'llm.temprature is not a known key and is ignored — did you mean llm.temperature?',
    );
  });

  it("validate accepts the Rust version's basic example (seed-basic.toml): web_search and http_request are built-in tools", async () => {
    const r = await runCli(['validate', fixture('seed-basic.toml')], {
      MQTT_USERNAME: 'u',
      MQTT_PASSWORD: 'p',
      OPENAI_API_KEY: 'sk-test',
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/is valid: .*tools: web_search, http_request/);
  });

  it('validate rejects a built-in tool config that breaks its schema, naming the key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agent2389-validate-'));
    const file = join(dir, 'bad-tool.toml');
    await writeFile(
      file,
      '[agent]\nid = "t"\n[mqtt]\nbroker_url = "embedded"\n[tools.http_request]\nimpl = "builtin"\n' +
        'config = { max_response_size = "big", allowed_host = ["x"] }\n',
    );
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/AGENT_ERR_TOOL_CONFIG_INVALID: tools\.http_request\.config: /);
    expect(r.stderr).toContain('(allowed_host)');
    expect(r.stderr).toContain('/max_response_size must be integer');
  });

  it('every command has --help', async () => {
    for (const cmd of [[], ['run'], ['validate'], ['inject']]) {
      const r = await runCli([...cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: agent2389/);
    }
  });
});
