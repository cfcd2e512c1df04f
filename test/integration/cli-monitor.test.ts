// `agent2389 monitor` (the built CLI) against a real mosquitto and real agent processes.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';

import { CLI, runCli, startAgentProcess } from '../helpers/agent-process.js';
import { freePort } from '../helpers/free-port.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { connectProbe } from '../helpers/mqtt-probe.js';

interface LiveCli {
  stdout(): string;
  stderr(): string;
  waitForStderr(pattern: RegExp): Promise<void>;
  waitForStdout(pattern: RegExp): Promise<void>;
  signal(sig: NodeJS.Signals): void;
  exited: Promise<number | string>;
}

/** Start `agent2389 <args>` and watch its output while it runs (runCli only returns at the end); killed after the test. */
function startCli(args: string[]): LiveCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, sig) => resolve(code ?? sig ?? -1)),
  );
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const waitFor = (text: () => string, pattern: RegExp) =>
    vi.waitFor(
      () => {
        if (!pattern.test(text())) throw new Error(`no ${pattern} yet:\n${out}\n${err}`);
      },
      { timeout: 15_000, interval: 20 },
    );
  return {
    stdout: () => out,
    stderr: () => err,
    waitForStderr: (p) => waitFor(() => err, p),
    waitForStdout: (p) => waitFor(() => out, p),
    signal: (sig) => child.kill(sig),
    exited,
  };
}

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown> & { payload: Record<string, unknown> });

const agentToml = (id: string, url: string) =>
  `[agent]\nid = "${id}"\ncapabilities = ["testing"]\n[mqtt]\nbroker_url = "${url}"\n[llm]\nprovider = "scripted"\n[tools]\necho = "builtin"\n`;

let broker: Mosquitto;
let url: string;
beforeAll(async () => {
  broker = await startMosquitto();
  url = broker.url;
  await Promise.all([startAgentProcess(agentToml('mon-a', url)), startAgentProcess(agentToml('mon-b', url))]);
});
afterAll(() => broker.stop());

const inject = (agent: string, conversation: string, message = 'hello') =>
  runCli([
    'inject',
    '--broker-url',
    url,
    '--agent-id',
    agent,
    '--message',
    message,
    '--conversation-id',
    conversation,
    '--wait',
    '10',
  ]);

describe('agent2389 monitor', () => {
  it('json: the retained status, a task, a malformed payload and the response of one agent; SIGINT exits 0', async () => {
    const mon = startCli(['monitor', '--broker-url', url, '--agent-id', 'mon-a', '--format', 'json']);
    await mon.waitForStderr(/monitoring .*\/control\/agents\/mon-a\/status/);
    const probe = await connectProbe(url);
    await probe.publish('/control/agents/mon-a/input', '{oops');
    await probe.publish('/control/agents/mon-b/input', '{not shown');
    const conv = `mon-${randomUUID().slice(0, 8)}`;
    expect((await inject('mon-b', conv)).code).toBe(0);
    expect((await inject('mon-a', conv, 'watch me')).code).toBe(0);
    await mon.waitForStdout(/"kind":"response"/);
    mon.signal('SIGINT');
    expect(await mon.exited).toBe(0);

    const lines = jsonLines(mon.stdout());
    expect(lines.every((l) => l.agent_id === 'mon-a')).toBe(true);
    const status = lines.find((l) => l.kind === 'status');
    expect(status).toMatchObject({
      topic: '/control/agents/mon-a/status',
      retained: true,
      payload: { agent_id: 'mon-a', status: 'available', tools: ['echo'], capabilities: ['testing'] },
    });
    expect(status?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(lines.find((l) => l.kind === 'malformed')).toMatchObject({
      topic: '/control/agents/mon-a/input',
      retained: false,
      payload: '{oops',
    });
    const task = lines.find((l) => l.kind === 'task');
    expect(task).toMatchObject({ conversation_id: conv, payload: { instruction: 'watch me', next: null } });
    const response = lines.find((l) => l.kind === 'response');
    expect(response).toMatchObject({
      topic: `/conversations/${conv}/mon-a`,
      conversation_id: conv,
      task_id: task?.task_id,
      payload: { response: 'watch me' },
    });
    const order = lines.map((l) => l.kind);
    expect(order.indexOf('task')).toBeLessThan(order.indexOf('response'));
  });

  it('compact: --conversation-id filters tasks by their payload, --count exits after n lines', async () => {
    const conv = `mon-${randomUUID().slice(0, 8)}`;
    const inputs = startCli([
      'monitor',
      '--broker-url',
      url,
      '--mode',
      'inputs',
      '--conversation-id',
      conv,
      '--format',
      'compact',
      '--count',
      '1',
    ]);
    const responses = startCli([
      'monitor',
      '--broker-url',
      url,
      '--mode',
      'conversations',
      '--agent-id',
      'mon-b',
      '--format',
      'compact',
      '--count',
      '1',
    ]);
    await inputs.waitForStderr(/monitoring \/control\/agents\/\+\/input /);
    await responses.waitForStderr(/monitoring \/conversations\/\+\/mon-b /);
    expect((await inject('mon-a', 'some-other-conversation', 'not this one')).code).toBe(0);
    expect((await inject('mon-b', conv, 'this one')).code).toBe(0);
    expect(await inputs.exited).toBe(0);
    expect(await responses.exited).toBe(0);
    expect(inputs.stdout()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} task mon-b [0-9a-f]{8} "this one"\n$/);
    expect(responses.stdout()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} response mon-b [0-9a-f]{8} "this one"\n$/);
  });

  it('json is the default when piped; pretty is plain text (no colour) when piped', async () => {
    const json = await runCli(['monitor', '--broker-url', url, '--mode', 'availability', '--count', '2']);
    expect(json.code).toBe(0);
    const lines = jsonLines(json.stdout);
    expect(lines.map((l) => l.agent_id).sort()).toEqual(['mon-a', 'mon-b']);
    expect(lines.every((l) => l.kind === 'status' && l.retained === true)).toBe(true);

    const pretty = await runCli([
      'monitor',
      '--broker-url',
      url,
      '--mode',
      'availability',
      '--agent-id',
      'mon-b',
      '--format',
      'pretty',
      '--count',
      '1',
    ]);
    expect(pretty.code).toBe(0);
    expect(pretty.stdout).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} ● status +mon-b +available · load 0\.00 · capabilities testing · tools echo · v\S+ +\(retained\)\n$/,
    );
    expect(pretty.stdout).not.toContain('\u001b[');
  });

  it('--duration exits 0 after that long with nothing to show', async () => {
    const started = Date.now();
    const r = await runCli(['monitor', '--broker-url', url, '--agent-id', 'nobody', '--duration', '1']);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('exits 64 on bad options and 3 when the broker is unreachable', async () => {
    for (const args of [
      ['--mode', 'everything'],
      ['--format', 'xml'],
      ['--count', '0'],
      ['--agent-id', 'a b'],
    ]) {
      const r = await runCli(['monitor', '--broker-url', url, ...args]);
      expect(r.code, args.join(' ')).toBe(64);
      expect(r.stderr).toContain(args[0]); // `agent2389: --…` or commander's `error: option '--…`
    }
    const port = await freePort();
    const down = await runCli([
      'monitor',
      '--broker-url',
      `mqtt://127.0.0.1:${port}`,
      '--connect-timeout',
      '1',
    ]);
    expect(down.code).toBe(3);
  });
});

describe('agent2389 monitor across a broker restart', () => {
  it('subscribes again and keeps showing messages', async () => {
    const own = await startMosquitto();
    onTestFinished(() => own.stop());
    const mon = startCli(['monitor', '--broker-url', own.url, '--mode', 'inputs', '--format', 'json']);
    await mon.waitForStderr(/monitoring/);
    await own.restart();
    await mon.waitForStderr(/reconnected, subscribed again/);
    const probe = await connectProbe(own.url);
    const taskId = randomUUID();
    await probe.publish(
      '/control/agents/x/input',
      JSON.stringify({ task_id: taskId, topic: '/control/agents/x/input' }),
    );
    await mon.waitForStdout(new RegExp(taskId));
    mon.signal('SIGINT');
    expect(await mon.exited).toBe(0);
    expect(jsonLines(mon.stdout())).toEqual([
      expect.objectContaining({ kind: 'task', agent_id: 'x', task_id: taskId }),
    ]);
  });
});
