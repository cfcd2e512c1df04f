// Issue 14, items 4 and 9, attacked the way a hostile tool or publisher would: a real agent process
// on a real mosquitto. A script tool's host.log lines and an envelope's fields are text the agent
// logs, scrubs and redacts; patterns that backtracked on them froze the agent (1.5 s per 4 KiB line
// of `pwd-pwd-…`, far more for a long conversation id), and a newline in them forged a log line in
// the pretty format. After the fix the agent answers, the secret in the text is still masked, and
// each log call is one line with no control character from the data in it.
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { startAgentProcess, type AgentProcess } from '../helpers/agent-process.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { connectProbe } from '../helpers/mqtt-probe.js';

// A hostile script tool: it logs the lines it is given, or builds `count` lines of `unit` repeated.
const SCRIPT = `export default function logLines(params, host) {
  const lines = params.lines ?? Array(params.count).fill(params.unit.repeat(params.repeat) + params.suffix);
  for (const line of lines) host.log('warn', line);
  return 'logged ' + lines.length;
}
`;

const MANIFEST = {
  manifestVersion: 1,
  name: 'log-lines',
  version: '1.0.0',
  runtime: '^0.1.0',
  tools: [
    {
      name: 'log_lines',
      description: 'Logs each line it is given through host.log',
      parameters: {
        type: 'object',
        properties: {
          lines: { type: 'array', items: { type: 'string' } },
          unit: { type: 'string' },
          repeat: { type: 'integer' },
          suffix: { type: 'string' },
          count: { type: 'integer' },
        },
      },
      executor: { type: 'script', source: './log-lines.js', timeoutMs: 2000, hostFunctions: ['log'] },
    },
  ],
};

let broker: Mosquitto;
let pluginsDir: string;

/** A plugin folder with the log_lines script tool, readable by the uid tools run as. */
async function writePlugin(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'agent2389-logtext-'));
  const plugin = join(dir, 'log-lines');
  await mkdir(plugin);
  await writeFile(join(plugin, 'plugin.json'), JSON.stringify(MANIFEST));
  await writeFile(join(plugin, 'log-lines.js'), SCRIPT);
  for (const p of [dir, plugin]) await chmod(p, 0o755);
  return dir;
}

const config = (id: string): string =>
  `[agent]\nid = "${id}"\n[mqtt]\nbroker_url = "${broker.url}"\n[llm]\nprovider = "scripted"\n` +
  `[plugins]\ndirs = ["${pluginsDir}"]\n[tools.log_lines]\nimpl = "plugin:log-lines"\n[tools.echo]\nimpl = "builtin"\n`;

beforeAll(async () => {
  broker = await startMosquitto();
  pluginsDir = await writePlugin();
}, 30_000);
afterAll(() => broker?.stop());

/** Publish a task whose input asks the scripted provider for one tool call; resolves with the response. */
async function callTool(
  agentId: string,
  tool: string,
  parameters: unknown,
): Promise<Record<string, unknown>> {
  const probe = await connectProbe(broker.url);
  await probe.subscribe('/conversations/#');
  const conversation = `c-${randomUUID()}`;
  const input = `/control/agents/${agentId}/input`;
  const task = {
    task_id: randomUUID(),
    conversation_id: conversation,
    topic: input,
    instruction: 'call the tool',
    input: { tool_request: { name: tool, parameters } },
    next: null,
  };
  await probe.publish(input, JSON.stringify(task));
  const [res] = await probe.waitFor(`/conversations/${conversation}/${agentId}`, 1, 25_000);
  return res!.json();
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

describe('hostile text in logs, scrubbing and redaction (issue 14, items 4 and 9)', () => {
  let agent: AgentProcess;
  beforeAll(async () => {
    agent = await startAgentProcess(config('it-logtext'));
  }, 30_000);

  it('100 host.log lines of 4 KiB built to backtrack are scrubbed, the secret in each masked, and the call answers', async () => {
    const lines = { unit: 'pwd-', repeat: 1000, suffix: '! token=hunter2', count: 100 };
    const res = await callTool('it-logtext', 'log_lines', lines);
    expect(JSON.stringify(res)).toContain('logged 100');
    // The answer can overtake the last log lines: stdout is written asynchronously.
    const scrubbed = () =>
      agent.logs().filter((l) => typeof l.msg === 'string' && l.msg.endsWith('token=***'));
    await vi.waitFor(() => expect(scrubbed()).toHaveLength(100));
    const logged = scrubbed();
    expect(logged[0]!.msg).toBe(`${'pwd-'.repeat(1000)}! token=***`);
    expect(agent.output()).not.toContain('hunter2');
  });

  it('an envelope whose conversation_id and instruction repeat `pwd-` is handled and the agent keeps serving', async () => {
    const probe = await connectProbe(broker.url);
    await probe.subscribe('/conversations/#');
    const input = '/control/agents/it-logtext/input';
    const hostile = {
      task_id: randomUUID(),
      conversation_id: 'pwd-'.repeat(15_000),
      topic: input,
      instruction: `${'pwd-'.repeat(30_000)}! password=hunter3`,
      input: { tool_request: { name: 'no_such_tool', parameters: {} } },
      next: null,
    };
    await probe.publish(input, JSON.stringify(hostile));
    await probe.waitFor('/conversations/pwd-pwd-pwd-'); // (a short prefix keeps a failure readable)
    const good = {
      ...hostile,
      task_id: randomUUID(),
      conversation_id: `c-${randomUUID()}`,
      instruction: 'hi',
    };
    await probe.publish(input, JSON.stringify({ ...good, input: null }));
    const [res] = await probe.waitFor(`/conversations/${good.conversation_id}/it-logtext`);
    expect(res!.json().task_id).toBe(good.task_id);
    expect(agent.output()).not.toContain('hunter3');
  });
});

describe('LOG_FORMAT=pretty: one line per log call (issue 14, item 9)', () => {
  let agent: AgentProcess;
  beforeAll(async () => {
    agent = await startAgentProcess(config('it-pretty'), { LOG_FORMAT: 'pretty' }, false);
    await agent.waitForLog(/agent available/);
  }, 30_000);

  it('a tool log line holding newlines and terminal escapes writes one line, with the characters shown escaped', async () => {
    const forged = '\nFAKE {"level":50,"msg":"forged"}';
    const escapes = '\u001b[2J\u001b[31mred\u009b31m\u0085next\u2028sep\u007f\r\ttab';
    const res = await callTool('it-pretty', 'log_lines', { lines: [`a${forged}`, escapes] });
    expect(JSON.stringify(res)).toContain('logged 2');
    await agent.waitForLog(/sep/);
    const lines = agent.output().split('\n');
    expect(lines.filter((l) => l.startsWith('FAKE'))).toEqual([]);
    expect(lines.filter((l) => CONTROL.test(l))).toEqual([]);
    expect(lines.find((l) => l.includes('FAKE'))).toContain('a\\nFAKE {"level":50,"msg":"forged"}');
    expect(lines.find((l) => l.includes('sep'))).toContain(
      '\\u001b[2J\\u001b[31mred\\u009b31m\\u0085next\\u2028sep\\u007f\\r\\ttab',
    );
  });
});
