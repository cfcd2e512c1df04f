// `agent2389 agents | inject | pipeline | monitor`, in this process, against the embedded broker and real
// agents (scripted provider) on it. test/integration/cli-*.test.ts runs the same commands as the built binary.
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createAgent } from '../../src/index.js';
import type { Agent } from '../../src/core/agent/agent.js';
import { parseConfigText } from '../../src/core/config/load.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/core/transport/embedded-broker.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { freePort } from '../helpers/free-port.js';

const log = pino({ level: 'silent' });
let broker: EmbeddedBroker;
let tmp: string;
const agents: Agent[] = [];

/** Start a scripted agent on the broker; `tools` are built-in tools it offers. */
async function startAgent(id: string, tools: string[] = ['echo']): Promise<Agent> {
  const text =
    `[agent]\nid = "${id}"\ncapabilities = ["cli-test"]\n[mqtt]\nbroker_url = "${broker.url}"\n` +
    `[llm]\nprovider = "scripted"\n[lifecycle]\nshutdown_grace_seconds = 0\n[health]\nenabled = false\n[tools]\n${tools.map((t) => `${t} = "builtin"`).join('\n')}\n`;
  const { config } = parseConfigText(text, `${id}.toml`, { env: {} });
  const agent = createAgent(config, { log });
  agents.push(agent);
  await agent.start();
  return agent;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'agent2389-cli-broker-'));
  broker = await startEmbeddedBroker({ port: 0, log });
  await startAgent('cli-alpha', ['echo', 'current_time']);
  await startAgent('cli-beta');
  // Stopped: its retained status says unavailable.
  await (await startAgent('cli-gone')).stop();
});
afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await broker?.close();
  await rm(tmp, { recursive: true, force: true });
});

const cli = (command: string, ...args: string[]) =>
  runCliInProcess([command, '--broker-url', broker.url, ...args]);

describe('agents', () => {
  it('--json lists every agent with its retained status; --available leaves out the stopped one', async () => {
    const all = await cli('agents', '--wait', '2000', '--json');
    expect(all.code).toBe(0);
    const rows = JSON.parse(all.stdout) as Array<Record<string, unknown>>;
    expect(rows.map((r) => [r.agent_id, r.status])).toEqual([
      ['cli-alpha', 'available'],
      ['cli-beta', 'available'],
      ['cli-gone', 'unavailable'],
    ]);
    expect(rows[0]).toMatchObject({ tools: ['echo', 'current_time'], capabilities: ['cli-test'] });
    const available = await cli('agents', '--wait', '2000', '--available');
    expect(available.code).toBe(0);
    const ids = available.stdout
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/ +/)[0]);
    expect(ids).toEqual(['cli-alpha', 'cli-beta']);
  });

  it('rejects a bad --wait before connecting (64)', async () => {
    const r = await runCliInProcess(['agents', '--broker-url', 'mqtt://127.0.0.1:1', '--wait', '-5']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--wait/);
  });
});

describe('inject', () => {
  it('--wait prints the response text, --json the raw response message', async () => {
    const text = await cli('inject', '--agent-id', 'cli-alpha', '--message', 'hello there', '--wait', '30');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('hello there');
    expect(text.stderr).toMatch(/^sent task [0-9a-f-]{36} to \/control\/agents\/cli-alpha\/input/);
    const raw = await cli(
      'inject',
      '--agent-id',
      'cli-alpha',
      '--message',
      'as json',
      '--wait',
      '30',
      '--json',
    );
    expect(raw.code).toBe(0);
    expect(JSON.parse(raw.stdout)).toMatchObject({
      task_id: expect.any(String) as string,
      response: expect.stringContaining('as json') as string,
    });
  });

  it('runs a requested tool; a tool the agent lacks is an error message (exit 1), shown or raw', async () => {
    const tool = await cli(
      'inject',
      '--agent-id',
      'cli-alpha',
      '--tool',
      'echo',
      '--tool-params',
      '{"message":"ping-42"}',
      '--wait',
      '30',
    );
    expect(tool.code).toBe(0);
    expect(tool.stdout).toContain('ping-42');
    const missing = await cli('inject', '--agent-id', 'cli-beta', '--tool', 'current_time', '--wait', '30');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error \[[a-z_]+\]: .*current_time/);
    const raw = await cli(
      'inject',
      '--agent-id',
      'cli-beta',
      '--tool',
      'current_time',
      '--wait',
      '30',
      '--json',
    );
    expect(raw.code).toBe(1);
    expect(JSON.parse(raw.stderr.split('\n')[1]!)).toMatchObject({
      error: { code: expect.any(String) as string },
    });
  });

  it('without --wait only sends (exit 0), with the given ids and the pipeline in next', async () => {
    const taskId = '0b7a3c1e-2f4d-4a5b-8c6d-7e8f9a0b1c2d';
    const r = await cli(
      'inject',
      '--agent-id',
      'cli-alpha',
      '--message',
      'x',
      '--task-id',
      taskId,
      '--conversation-id',
      'conv-cli-1',
      '--next',
      'cli-beta, ',
    );
    expect(r).toEqual({
      code: 0,
      stdout: '',
      stderr: `sent task ${taskId} to /control/agents/cli-alpha/input (conversation conv-cli-1)\n`,
    });
  });

  it('--wait to an agent without a status says so when time runs out (the task is still sent)', async () => {
    const ghost = await cli('inject', '--agent-id', 'cli-ghost', '--message', 'x', '--wait', '1');
    expect(ghost.code).toBe(2);
    expect(ghost.stderr).toMatch(/^sent task .* to \/control\/agents\/cli-ghost\/input/m);
    expect(ghost.stderr).toContain(
      'no response within 1s; no agent `cli-ghost` has published a status on this broker — is it running?',
    );
    const gone = await cli('inject', '--agent-id', 'cli-gone', '--message', 'x', '--wait', '1');
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/no response within 1s; its last status is unavailable$/m);
    const routed = await cli('inject', '--agent-id', 'cli-ghost', '--query', 'q', '--wait', '1');
    expect(routed.code).toBe(2);
    expect(routed.stderr).toMatch(/hop 1 \(cli-ghost\) .*; no agent `cli-ghost` has published a status/);
  });

  it('exits 3 when the broker cannot be reached in time', async () => {
    const port = await freePort();
    const r = await runCliInProcess([
      'inject',
      '--broker-url',
      `mqtt://127.0.0.1:${port}`,
      '--agent-id',
      'a',
      '--connect-timeout',
      '1',
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^agent2389: cannot reach the MQTT broker/);
  });
});

describe('pipeline', () => {
  it('follows two hops to the final response; --json prints the raw message', async () => {
    const r = await cli(
      'pipeline',
      '--agents',
      'cli-alpha,cli-beta',
      '--message',
      'relay me',
      '--timeout',
      '60',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('relay me');
    expect(r.stderr).toMatch(/\[1\/2\] cli-alpha +forwarded to cli-beta/);
    expect(r.stderr).toMatch(/response from cli-beta after /);
    const json = await cli(
      'pipeline',
      '--agents',
      'cli-alpha',
      '--message',
      'raw',
      '--timeout',
      '60',
      '--json',
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ response: expect.stringContaining('raw') as string });
  });

  it('reads hops from --file; a failing hop exits 1 with its coded error', async () => {
    const file = join(tmp, 'pipeline.json');
    await writeFile(
      file,
      JSON.stringify({
        conversation_id: 'conv-file',
        input: { tool_request: { name: 'nope' } },
        hops: [{ agent: 'cli-beta', instruction: 'call a tool you lack' }],
      }),
    );
    const r = await cli('pipeline', '--file', file, '--timeout', '60', '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error \[[a-z_]+\] from cli-beta after .*nope/);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: expect.any(String) as string } });
  });

  it('on timeout names a hop still working, and the last status of an agent that is not available', async () => {
    const working = await cli(
      'pipeline',
      '--agents',
      'cli-alpha',
      '--message',
      'slow',
      '--input',
      '{"scripted":{"delay_ms":120000}}',
      // Long enough for the agent to start the task on a loaded machine; the task itself takes 2 minutes.
      '--timeout',
      '10',
    );
    expect(working.code).toBe(2);
    expect(working.stderr).toMatch(
      /no final message within 10s: hop 1\/1 \(cli-alpha\) started .*, still working$/m,
    );
    const gone = await cli('pipeline', '--agents', 'cli-gone', '--message', 'x', '--timeout', '5');
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(
      /hop 1\/1 \(cli-gone\) got the task .* no progress event since; its last status is unavailable$/m,
    );
  });

  it('exits 64 on an unreadable --file or a bad --timeout', async () => {
    const missing = await cli('pipeline', '--file', join(tmp, 'none.json'));
    expect(missing.code).toBe(64);
    expect(missing.stderr).toMatch(/cannot read --file .*none\.json: ENOENT/);
    expect((await cli('pipeline', '--topic', 't', '--timeout', 'soon')).code).toBe(64);
  });
});

describe('monitor', () => {
  it('--count: prints retained status messages as JSON lines and exits after n', async () => {
    const r = await cli('monitor', '--mode', 'availability', '--format', 'json', '--count', '2');
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatchObject({ kind: 'status', retained: true });
    expect(r.stderr).toMatch(/^monitoring \/control\/agents\/\+\/status on /);
  });

  it('--agent-id filters; compact and pretty are plain text without a terminal', async () => {
    for (const format of ['compact', 'pretty']) {
      const r = await cli(
        'monitor',
        '--mode',
        'availability',
        '--agent-id',
        'cli-gone',
        '--format',
        format,
        '--count',
        '1',
      );
      expect(r.code, format).toBe(0);
      expect(r.stdout, format).toContain('cli-gone');
      expect(r.stdout, format).not.toContain('cli-alpha');
      expect(r.stdout, format).not.toContain('\u001b[');
    }
  });

  it('--duration ends a quiet watch with exit 0', async () => {
    const r = await cli('monitor', '--mode', 'progress', '--agent-id', 'nobody', '--duration', '0.5');
    expect(r).toMatchObject({ code: 0, stdout: '' });
  });

  it.each([
    [['--format', 'xml']],
    [['--count', '1.5']],
    [['--count', '0']],
    [['--duration', 'forever']],
    [['--mode', 'everything']],
  ])('exits 64 on %j', async (args) => {
    const r = await runCliInProcess(['monitor', '--broker-url', 'mqtt://127.0.0.1:1', ...args]);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain(args[0]); // commander's `error: option …` or our `agent2389: --…`
  });
});
