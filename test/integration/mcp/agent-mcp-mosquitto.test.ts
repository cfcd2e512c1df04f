// MCP servers as tools of a real agent process on mosquitto: the third-party server-everything over stdio
// (as root it runs as nobody, under prlimit), called through the scripted provider's tool_request. Its
// tools are in the status message, calls answer, progress is republished, the agent's key never reaches
// the server, and the server's process tree is gone when the agent stops.
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect, onTestFinished, vi } from 'vitest';

import { startAgentProcess } from '../../helpers/agent-process.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { connectProbe, type Probe } from '../../helpers/mqtt-probe.js';
import { needs } from '../../helpers/require-tool.js';

const EVERYTHING = fileURLToPath(
  new URL('../../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url),
);
const AGENT = 'mcp-e2e';
const SECRET = 'sk-agent-secret-never-for-mcp-servers';
const WAIT = 30_000;

/** Pids of live processes whose command line contains `marker`. */
async function processesWith(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    const state = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    if (cmdline.includes(marker) && !/\) Z /.test(state)) pids.push(Number(name));
  }
  return pids;
}

/** Publish a task whose scripted LLM asks for one tool call; resolve with what the agent answered. */
async function ask(
  probe: Probe,
  name: string,
  parameters: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const conversation = `mcp-${randomUUID().slice(0, 8)}`;
  const topic = `/control/agents/${AGENT}/input`;
  await probe.publish(
    topic,
    JSON.stringify({
      task_id: randomUUID(),
      conversation_id: conversation,
      topic,
      instruction: `call ${name}`,
      input: { tool_request: { name, parameters } },
    }),
  );
  const [answer] = await probe.waitFor(`/conversations/${conversation}/${AGENT}`, 1, WAIT);
  return answer!.json();
}

/** The response text of a tool call that succeeds. */
async function callTool(probe: Probe, name: string, parameters: Record<string, unknown>): Promise<string> {
  const body = await ask(probe, name, parameters);
  expect(body).toHaveProperty('response');
  return String(body.response);
}

needs('mosquitto').it(
  'server-everything (stdio) as agent tools: listed in the status, called, progress republished, no key leaked, no process left',
  async () => {
    const broker = await startMosquitto();
    onTestFinished(() => broker.stop());
    // A path of its own, so this test's server processes can be told from any other test's.
    const dir = await mkdtemp(join(tmpdir(), 'agent2389-mcp-e2e-'));
    await chmod(dir, 0o755);
    const server = join(dir, `everything-${randomUUID().slice(0, 8)}.js`);
    await symlink(EVERYTHING, server);
    const agent = await startAgentProcess(
      [
        `[agent]\nid = "${AGENT}"`,
        `[mqtt]\nbroker_url = "${broker.url}"`,
        '[llm]\nprovider = "scripted"',
        '[mcp.everything]',
        `command = "${process.execPath}"`,
        `args = ["${server}", "stdio"]`,
        'env = ["LANG"]',
        'timeout_seconds = 20',
        '',
      ].join('\n'),
      { OPENAI_API_KEY: SECRET, LANG: 'C.UTF-8' },
    );
    const probe = await connectProbe(broker.url);
    await probe.subscribe(`/control/agents/${AGENT}/status`);
    await probe.subscribe(`/control/agents/${AGENT}/progress`);
    await probe.subscribe('/conversations/#');

    // The status lists the server's tools, including the one it adds after initialization (list_changed).
    await vi.waitFor(
      () => {
        const status = probe.on(`/control/agents/${AGENT}/status`).at(-1)?.json();
        expect(status?.tools).toEqual(
          expect.arrayContaining([
            'everything__echo',
            'everything__get-sum',
            'everything__get-env',
            'everything__simulate-research-query',
          ]),
        );
      },
      { timeout: WAIT, interval: 20 },
    );

    expect(await callTool(probe, 'everything__get-sum', { a: 2, b: 3 })).toContain('5');

    // Progress notifications become tool_progress events of the task.
    await callTool(probe, 'everything__trigger-long-running-operation', { duration: 1, steps: 2 });
    const progress = probe
      .on(`/control/agents/${AGENT}/progress`)
      .map((m) => m.json())
      .filter((e) => e.event === 'tool_progress');
    expect(progress[0]).toMatchObject({
      agent_id: AGENT,
      data: { tool: 'everything__trigger-long-running-operation', progress: 1, total: 2 },
    });

    // The server's environment: LANG (allow-listed), never the agent's API key.
    const env = await callTool(probe, 'everything__get-env', {});
    expect(env).toContain('C.UTF-8');
    expect(env).not.toContain(SECRET);

    // Invalid parameters never reach the server: the call fails, and with it this one-call task.
    const bad = await ask(probe, 'everything__get-sum', { a: 'two' });
    expect(bad).toMatchObject({ error: { code: 'tool_execution_failed' } });
    expect(JSON.stringify(bad)).toContain('invalid parameters for tool');

    expect(await processesWith(server)).not.toEqual([]);
    agent.signal('SIGTERM');
    await agent.exited;
    expect(await processesWith(server)).toEqual([]);
  },
  120_000,
);
