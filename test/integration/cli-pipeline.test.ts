// `agent2389 pipeline` (the built CLI) across three real agent processes on a real mosquitto.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';

import { runCli, startAgentProcess } from '../helpers/agent-process.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { connectProbe } from '../helpers/mqtt-probe.js';

const agentToml = (id: string, url: string, extra = '') =>
  `[agent]\nid = "${id}"\n[mqtt]\nbroker_url = "${url}"\n[llm]\nprovider = "scripted"\n[tools]\necho = "builtin"\n${extra}`;

let broker: Mosquitto;
let url: string;
beforeAll(async () => {
  broker = await startMosquitto();
  url = broker.url;
  // The writer publishes no progress events: the pipeline must be followed without them.
  await Promise.all([
    startAgentProcess(agentToml('researcher', url)),
    startAgentProcess(agentToml('writer', url, '[progress]\nenabled = false\n')),
    startAgentProcess(agentToml('editor', url)),
  ]);
});
afterAll(() => broker.stop());

const pipeline = (...args: string[]) => runCli(['pipeline', '--broker-url', url, ...args], {}, 30_000);

describe('agent2389 pipeline', () => {
  it('--topic: researcher → writer → editor, each hop shown, the final response printed, exit 0', async () => {
    const r = await pipeline('--topic', 'Rust async');
    expect(r.stderr).toMatch(
      /^pipeline researcher → writer → editor · task [0-9a-f-]{36} · conversation conv-/,
    );
    expect(r.code).toBe(0);
    // The editor's scripted answer holds every hop's instruction: the nesting reached each agent in order.
    expect(r.stdout).toBe(
      'Edit and polish this article\n\nWrite an article from this research\n\nResearch: Rust async\n',
    );
    expect(r.stderr).toContain('sent to researcher (/control/agents/researcher/input)');
    expect(r.stderr).toMatch(/\[1\/3\] researcher +forwarded to writer · ~?\d/);
    expect(r.stderr).toMatch(/\[2\/3\] writer +forwarded to editor · ~?\d/);
    expect(r.stderr).toMatch(/\[3\/3\] editor +completed · ~?\d/);
    expect(r.stderr).toMatch(/response from editor after \d/);
    const hops = r.stderr.split('\n').filter((l) => /^\[\d\/3\]/.test(l));
    const firstOf = (n: number) => hops.findIndex((l) => l.startsWith(`[${n}/3]`));
    expect(firstOf(1)).toBeLessThan(firstOf(2));
    expect(firstOf(2)).toBeLessThan(firstOf(3));
  });

  it('--file: per-hop instructions, input and conversation id in one nested envelope; --json prints the raw response', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agent2389-pipeline-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'pipeline.json');
    const conversation = `pl-${randomUUID().slice(0, 8)}`;
    await writeFile(
      file,
      JSON.stringify({
        conversation_id: conversation,
        input: 'seed text',
        hops: [
          { agent: 'researcher', instruction: 'Find facts' },
          { agent: 'writer', instruction: 'Draft' },
          { agent: 'editor', instruction: 'Polish' },
        ],
      }),
    );
    const probe = await connectProbe(url);
    await probe.subscribe('/control/agents/+/input');
    const taskId = randomUUID();
    const r = await pipeline('--file', file, '--task-id', taskId, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      task_id: taskId,
      response: 'Polish\n\nDraft\n\nFind facts\n\nseed text',
    });
    expect(r.stderr).toContain(`conversation ${conversation}`);

    const sent = (await probe.waitFor('/control/agents/', 3)).map((m) => m.json());
    expect(sent[0]).toEqual({
      task_id: taskId,
      conversation_id: conversation,
      topic: '/control/agents/researcher/input',
      instruction: 'Find facts',
      input: 'seed text',
      next: {
        topic: '/control/agents/writer/input',
        instruction: 'Draft',
        input: null,
        next: { topic: '/control/agents/editor/input', instruction: 'Polish', input: null, next: null },
      },
    });
    // Each agent forwards with the same task_id (docs/protocol.md §4 step 8).
    expect(sent.map((e) => e.task_id)).toEqual([taskId, taskId, taskId]);
  });

  it('shows started and tool events of a hop from its progress topic, indented under it', async () => {
    const taskId = randomUUID();
    const probe = await connectProbe(url);
    await probe.subscribe('/control/agents/researcher/input');
    const running = pipeline(
      '--agents',
      'researcher,writer,editor',
      '--message',
      'slow research',
      '--input',
      '{"scripted":{"delay_ms":1500}}',
      '--task-id',
      taskId,
    );
    // The pipeline subscribes before it publishes: once the task is out, it is listening.
    const [task] = await probe.waitFor('/control/agents/researcher/input', 1, 15_000);
    const conversation = String(task!.json().conversation_id);
    const event = (name: string, data: Record<string, unknown>) =>
      probe.publish(
        '/control/agents/researcher/progress',
        JSON.stringify({
          agent_id: 'researcher',
          task_id: taskId,
          conversation_id: conversation,
          timestamp: new Date().toISOString(),
          event: name,
          data,
        }),
      );
    await event('task_started', { generation: 1, next: '/control/agents/writer/input' });
    await event('tool_call', { tool: 'echo', call_id: 'c1', sandbox: 'module' });
    await event('tool_result', { tool: 'echo', call_id: 'c1', duration_ms: 5, sandbox: 'module' });
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\[1\/3\] researcher +started\n/);
    expect(r.stderr).toMatch(/\[1\/3\] researcher {4}tool_call echo \[module\]\n/);
    expect(r.stderr).toMatch(/\[1\/3\] researcher {4}tool_result echo \[module\] · 5 ms\n/);
    expect(r.stderr).toMatch(/\[1\/3\] researcher +forwarded to writer · ~?1\.\d s/);
    expect(r.stdout).toMatch(/^slow research/);
  });

  it('exits 1 with the coded error when a hop fails (a tool it does not have)', async () => {
    const r = await pipeline(
      '--agents',
      'researcher,writer,editor',
      '--message',
      'x',
      '--input',
      '{"tool_request":{"name":"nope"}}',
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/\[1\/3\] researcher +failed · tool_execution_failed: .*nope/);
    expect(r.stderr).toMatch(/error \[tool_execution_failed\] from researcher after \d.*: .*nope/);
    const json = await pipeline(
      '--agents',
      'researcher,writer',
      '--message',
      'x',
      '--input',
      '{"tool_request":{"name":"nope"}}',
      '--json',
    );
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'tool_execution_failed' } });
  });

  it('a single hop on an agent without progress events still reports the response', async () => {
    const r = await pipeline('--agents', 'writer', '--message', 'just me');
    expect(r).toMatchObject({ code: 0, stdout: 'just me\n' });
    expect(r.stderr).toMatch(/\[1\/1\] writer +completed · ~\d/);
  });

  it('exits 2 on timeout, naming the hop that never answered', async () => {
    const r = await pipeline('--agents', 'researcher,ghost', '--message', 'x', '--timeout', '2');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\[1\/2\] researcher +forwarded to ghost/);
    expect(r.stderr).toMatch(
      /no final message within 2s: hop 2\/2 \(ghost\) got the task .* ago, no progress event since; no agent `ghost` has published a status on this broker — is it running\?/,
    );
  });

  it('exits 64 on usage errors before connecting', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--message', 'x'], /--message needs --agents/],
      [['--agents', 'researcher,writer,researcher', '--message', 'x'], /"researcher" appears twice/],
      [['--file', '/nonexistent/pipeline.json'], /cannot read --file \/nonexistent\/pipeline\.json: ENOENT/],
      [['--topic', 't', '--timeout', '0'], /--timeout <seconds>.*Expected a positive number of seconds/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['pipeline', '--broker-url', 'mqtt://127.0.0.1:1', ...args]);
      expect(r.code, args.join(' ')).toBe(64);
      expect(r.stderr).toMatch(message);
    }
  });
});
