// Helpers for MCP tests through a real agent process: the npm servers' paths, a per-test symlink to tell a
// test's server processes from any other's, live-process lookup, and one-tool-call tasks via the scripted provider.
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { expect, onTestFinished, vi } from 'vitest';

import { startAgentProcess, type AgentProcess } from './agent-process.js';
import { startMosquitto } from './mosquitto.js';
import { connectProbe, type Probe } from './mqtt-probe.js';

export const NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));
export const EVERYTHING = join(NODE_MODULES, '@modelcontextprotocol/server-everything/dist/index.js');
export const FILESYSTEM = join(NODE_MODULES, '@modelcontextprotocol/server-filesystem/dist/index.js');

/** How long a task's answer may take (generous: a loaded 2-core machine). */
export const ANSWER_WAIT_MS = 30_000;

/** Pids of live (not zombie) processes whose command line contains `marker`. */
export async function processesWith(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    const state = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    if (cmdline.includes(marker) && !/\) Z /.test(state)) pids.push(Number(name));
  }
  return pids;
}

/**
 * A symlink to `target` with a name of its own (in a new temp folder uid nobody may enter), so this test's
 * server processes can be found by their command line; removed after the test.
 */
export async function uniqueScript(target: string, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `agent2389-${prefix}-`));
  await chmod(dir, 0o755);
  const path = join(dir, `${prefix}-${randomUUID().slice(0, 8)}.js`);
  await symlink(target, path);
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return path;
}

/** Publish a task to `agent` whose scripted LLM asks for one tool call; resolve with what the agent answered. */
export async function ask(
  probe: Probe,
  agent: string,
  name: string,
  parameters: Record<string, unknown>,
  waitMs = ANSWER_WAIT_MS,
): Promise<Record<string, unknown>> {
  const conversation = `mcp-${randomUUID().slice(0, 8)}`;
  const topic = `/control/agents/${agent}/input`;
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
  const [answer] = await probe.waitFor(`/conversations/${conversation}/${agent}`, 1, waitMs);
  return answer!.json();
}

/** The response text of a tool call that succeeds. */
export async function callTool(
  probe: Probe,
  agent: string,
  name: string,
  parameters: Record<string, unknown>,
  waitMs = ANSWER_WAIT_MS,
): Promise<string> {
  const body = await ask(probe, agent, name, parameters, waitMs);
  expect(body).toHaveProperty('response');
  return String(body.response);
}

/** The progress events of `agent` named `event` received so far (subscribe to its progress topic first). */
export function progressEvents(probe: Probe, agent: string, event: string): Array<Record<string, unknown>> {
  return probe
    .on(`/control/agents/${agent}/progress`)
    .map((m) => m.json())
    .filter((e) => e.event === event);
}

/** The last status message of `agent` (subscribe to its status topic first). */
export function lastStatus(probe: Probe, agent: string): Record<string, unknown> | undefined {
  return probe.on(`/control/agents/${agent}/status`).at(-1)?.json();
}

/** The complete JSON log lines printed so far (a line still being written is left out). */
function completeLogLines(agent: Pick<AgentProcess, 'output'>): Array<Record<string, unknown>> {
  const lines = agent.output().split('\n').slice(0, -1);
  const parsed: Array<Record<string, unknown>> = [];
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      parsed.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // stderr may interleave with a stdout line: not a log line we look for
    }
  }
  return parsed;
}

/**
 * The coded error an agent logs for task `taskId` (the `err` of its first log line that has one); waits for
 * it, as the answer may arrive before the log line is printed.
 */
export async function loggedTaskError(
  agent: Pick<AgentProcess, 'output'>,
  taskId: unknown,
): Promise<{ code?: unknown; data?: Record<string, unknown> }> {
  return vi.waitFor(
    () => {
      const line = completeLogLines(agent).find(
        (l) => l.task_id === taskId && (l.err as { code?: unknown } | undefined)?.code !== undefined,
      );
      if (!line) throw new Error(`no coded error logged for task ${String(taskId)}`);
      return line.err as { code?: unknown; data?: Record<string, unknown> };
    },
    { timeout: ANSWER_WAIT_MS, interval: 20 },
  );
}

/** The [agent], [mqtt] and [llm] (scripted) tables of an MCP test agent, then `[mcp.everything]` on `server` plus `mcpKeys`. */
export function everythingAgentToml(
  id: string,
  brokerUrl: string,
  server: string,
  mcpKeys: readonly string[] = [],
  preamble: readonly string[] = [],
): string {
  return [
    `[agent]\nid = "${id}"`,
    `[mqtt]\nbroker_url = "${brokerUrl}"`,
    '[llm]\nprovider = "scripted"',
    ...preamble,
    '[mcp.everything]',
    `command = "${process.execPath}"`,
    `args = ["${server}", "stdio"]`,
    ...mcpKeys,
    '',
  ].join('\n');
}

export interface EverythingAgent {
  readonly agent: AgentProcess;
  readonly probe: Probe;
  readonly brokerUrl: string;
  /** The agent's config file's server path: its processes are `processesWith(server)`. */
  readonly server: string;
}

/**
 * A mosquitto (stopped after the test), an agent `id` with server-everything (a unique symlink named
 * after `prefix`) as `[mcp.everything]` with `mcpKeys`, and a probe on its status, progress and
 * conversations; resolves once its status lists `waitForTool`.
 */
export async function startEverythingAgent(
  id: string,
  opts: {
    prefix: string;
    mcpKeys?: readonly string[];
    preamble?: readonly string[];
    env?: Record<string, string>;
    waitForTool: string;
  },
): Promise<EverythingAgent> {
  const broker = await startMosquitto();
  onTestFinished(() => broker.stop());
  const server = await uniqueScript(EVERYTHING, opts.prefix);
  const agent = await startAgentProcess(
    everythingAgentToml(id, broker.url, server, opts.mcpKeys, opts.preamble),
    opts.env ?? {},
  );
  const probe = await connectProbe(broker.url);
  await probe.subscribe(`/control/agents/${id}/status`);
  await probe.subscribe(`/control/agents/${id}/progress`);
  await probe.subscribe('/conversations/#');
  await vi.waitFor(
    () => expect(lastStatus(probe, id)?.tools).toEqual(expect.arrayContaining([opts.waitForTool])),
    { timeout: ANSWER_WAIT_MS, interval: 20 },
  );
  return { agent, probe, brokerUrl: broker.url, server };
}
