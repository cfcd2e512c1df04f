// 50 rapid edits to a running agent with a script tool and a subprocess tool: a bounded number of
// reloads, and afterwards the same number of child processes and open file descriptors as before.
import { readdir, readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { injectTool, startAgentProcess, type AgentProcess } from '../../helpers/agent-process.js';
import { startMosquitto, type Mosquitto } from '../../helpers/mosquitto.js';

const EXAMPLE_PLUGINS = fileURLToPath(new URL('../../../plugins/', import.meta.url));

let broker: Mosquitto;
let dir: string;
beforeAll(async () => {
  broker = await startMosquitto();
  dir = await mkdtemp(join(tmpdir(), 'agent2389-rapid-'));
});
afterAll(async () => {
  await broker.stop();
  await rm(dir, { recursive: true, force: true });
});

/** `timeoutMs` changes the [sandbox] ceilings, so every version needs a new plugin set (and script host). */
const agentToml = (timeoutMs: number): string => `
[agent]
id = "rapid"
[mqtt]
broker_url = "${broker.url}"
[llm]
provider = "scripted"
[plugins]
dirs = ["${EXAMPLE_PLUGINS}"]
[sandbox]
script_timeout_ms = ${timeoutMs}
[reload]
debounce_ms = 200
[tools]
echo = "builtin"
calculate = { impl = "plugin:calculator" }
text_stats = { impl = "plugin:text-stats" }
`;

/** The pids of every process below `pid` (children, grandchildren, …). */
async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z') parents.set(Number(name), Number(fields[1]));
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [child, parent] of parents) {
      if (parent !== p) continue;
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

const openFds = async (pid: number): Promise<number> => (await readdir(`/proc/${pid}/fd`)).length;
const attempts = (agent: AgentProcess): number =>
  agent
    .output()
    .split('\n')
    .filter((l) => /"msg":"config (reloaded|unchanged|rejected)/.test(l)).length;

async function settle(agent: AgentProcess, expectedAttempts: number): Promise<void> {
  await expect
    .poll(() => attempts(agent), { timeout: 20_000, interval: 50 })
    .toBeGreaterThanOrEqual(expectedAttempts);
  // Old generations close after their last task; give the script host kill and cleanup a moment.
  await new Promise((r) => setTimeout(r, 1500));
}

async function toolsWork(): Promise<void> {
  const calc = await injectTool(broker.url, 'rapid', 'calculate', { expression: '6 * 7' });
  expect(calc.stdout).toContain('42');
  const stats = await injectTool(broker.url, 'rapid', 'text_stats', { text: 'one two three' });
  expect(stats.stdout).toMatch(/"words":\s*3/);
}

describe('rapid edits', () => {
  it('50 edits within a second: a bounded number of reloads, no leaked processes or file descriptors', async () => {
    const agent = await startAgentProcess(agentToml(1000), {}, true, dir);
    await agent.waitForLog(/"msg":"watching the config file/);
    const pid = agent.child.pid!;
    // One reload first, so that everything a reload sets up once (chokidar, the import hook) exists.
    await writeFile(agent.file, agentToml(900));
    await settle(agent, 1);
    await toolsWork();
    const before = { procs: (await descendants(pid)).length, fds: await openFds(pid) };
    const attemptsBefore = attempts(agent);

    for (let i = 0; i < 50; i++) {
      await writeFile(agent.file, agentToml(500 + i));
      await new Promise((r) => setTimeout(r, 10));
    }
    await settle(agent, attemptsBefore + 1);
    const reloads = attempts(agent) - attemptsBefore;
    expect(reloads).toBeGreaterThanOrEqual(1);
    expect(reloads).toBeLessThanOrEqual(6);
    expect(agent.output()).toMatch(/"changed":\["sandbox.script_timeout_ms"\]/);

    await toolsWork();
    const after = { procs: (await descendants(pid)).length, fds: await openFds(pid) };
    expect(after.procs).toBe(before.procs);
    expect(after.fds).toBe(before.fds);
  });
});
