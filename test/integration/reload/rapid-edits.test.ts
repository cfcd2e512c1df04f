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

/** Wait until the generation with `script_timeout_ms = ms` is the one serving. */
const reloadedTo = (agent: AgentProcess, ms: number): Promise<void> =>
  agent.waitForLog(new RegExp(`"msg":"config reloaded: sandbox\\.script_timeout_ms \\d+ → ${ms}"`), 20_000);

/** Wait until none of `pids` is alive: the processes of a generation that has been replaced are gone. */
async function allGone(pids: number[]): Promise<void> {
  const alive = async (p: number): Promise<boolean> => {
    const stat = await readFile(`/proc/${p}/stat`, 'utf8').catch(() => '');
    return stat !== '' && stat[stat.lastIndexOf(')') + 2] !== 'Z';
  };
  const still = async (): Promise<number[]> => {
    const live = await Promise.all(pids.map(alive));
    return pids.filter((_, i) => live[i]);
  };
  await expect.poll(still, { timeout: 20_000, interval: 50 }).toEqual([]);
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
    await toolsWork();
    const first = await descendants(pid);
    expect(first.length).toBeGreaterThan(0); // the script host: its end below is a real event
    // One reload first, so that everything a reload sets up once (chokidar, the import hook) exists.
    await writeFile(agent.file, agentToml(900));
    await reloadedTo(agent, 900);
    // The first generation closes after its last task: its script host is killed, then it is measured.
    await allGone(first);
    await toolsWork();
    const kept = await descendants(pid);
    expect(kept.length).toBeGreaterThan(0);
    const before = { procs: kept.length, fds: await openFds(pid) };
    const attemptsBefore = attempts(agent);

    for (let i = 0; i < 50; i++) {
      await writeFile(agent.file, agentToml(500 + i));
      await new Promise((r) => setTimeout(r, 10));
    }
    await reloadedTo(agent, 549);
    await allGone(kept);
    await toolsWork();
    const reloads = attempts(agent) - attemptsBefore;
    expect(reloads).toBeGreaterThanOrEqual(1);
    expect(reloads).toBeLessThanOrEqual(6);
    expect(agent.output()).toMatch(/"changed":\["sandbox.script_timeout_ms"\]/);

    // Generations in between close on their own: wait for the counts to come back (a leak never does).
    const procs = async (): Promise<number> => (await descendants(pid)).length;
    await expect.poll(procs, { timeout: 20_000, interval: 50 }).toBe(before.procs);
    await expect.poll(() => openFds(pid), { timeout: 20_000, interval: 50 }).toBe(before.fds);
  });
});
