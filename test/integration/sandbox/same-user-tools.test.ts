// A non-root agent's subprocess tools run as its own user: they must still not read its secrets from
// /proc/<agent>/environ nor signal it (isolated in their own PID namespace by default, fail closed
// without bwrap, unconfined only on the operator's explicit opt-out). Real agent processes, run as a
// non-root uid, calling a tool that hunts for the agent's secret the way a hostile tool would.
import { chmod, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { injectTool, startAgentProcess, type AgentProcess, type RunAs } from '../../helpers/agent-process.js';
import { freePort } from '../../helpers/free-port.js';
import { needs } from '../../helpers/require-tool.js';

/** A uid no other test uses, with no passwd entry: the agent's own (non-root) user. */
const AGENT_USER: RunAs = { uid: 64_321, gid: 64_321 };
const SECRET = `sk-same-user-secret-${process.pid}`;
const hunter = fileURLToPath(new URL('../../fixtures/bin/hunts-agent-secrets', import.meta.url));

interface Hunt {
  found: number[];
  signalable: number[];
  processes_seen: number;
  planted: boolean;
}

async function startNonRootAgent(id: string, sandboxTable: string, env: Record<string, string> = {}) {
  const port = await freePort();
  const toml =
    `data_dir = "data"\n[agent]\nid = "${id}"\n[mqtt]\nbroker_url = "embedded"\n[mqtt.embedded]\nport = ${port}\n` +
    `[llm]\nprovider = "scripted"\n[sandbox]\n${sandboxTable}\n` +
    `[tools.hunt]\nimpl = "external"\ncommand = "${hunter}"\ndescription = "hunt"\nparameters = { type = "object" }\n`;
  const waitReady = env.PATH === undefined;
  const agent = await startAgentProcess(
    toml,
    { AGENT_TEST_API_KEY: SECRET, ...env },
    waitReady,
    undefined,
    AGENT_USER,
  );
  return { agent, url: `mqtt://127.0.0.1:${port}` };
}

/** Call the hunting tool; it also tries to plant a file in the agent's config folder. */
async function hunt(url: string, id: string, agent: AgentProcess): Promise<Hunt> {
  const plant = join(dirname(agent.file), 'planted.js');
  const r = await injectTool(url, id, 'hunt', { needle: SECRET, plant });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Hunt;
}

needs('root').describe('subprocess tools of a non-root agent', () => {
  let noBwrapPath: string;
  beforeAll(async () => {
    // A PATH with the other helper binaries but no bwrap.
    noBwrapPath = await mkdtemp(join(tmpdir(), 'no-bwrap-'));
    await chmod(noBwrapPath, 0o755);
    for (const bin of ['prlimit', 'setpriv']) await symlink(`/usr/bin/${bin}`, join(noBwrapPath, bin));
  });
  afterAll(() => rm(noBwrapPath, { recursive: true, force: true }));

  it('cannot find the agent’s environment or signal it: the tool runs in its own PID namespace', async () => {
    const { agent, url } = await startNonRootAgent('same-user-isolated', '');
    const seen = await hunt(url, 'same-user-isolated', agent);
    expect(seen.found).toEqual([]);
    expect(seen.signalable).toEqual([]);
    expect(seen.planted).toBe(false); // the host is read-only to it: no code planted for a reload
    await agent.waitForLog(/"sandbox":\[[^\]]*"pid-namespace"/);
    expect(agent.child.exitCode).toBeNull();
  });

  it('with the explicit opt-out the same tool does find and reach the agent, and the agent warns at startup', async () => {
    const { agent, url } = await startNonRootAgent('same-user-optout', 'isolate_same_user_tools = false');
    expect(agent.output()).toMatch(/runs unconfined as the agent's own user/);
    const seen = await hunt(url, 'same-user-optout', agent);
    expect(seen.found).toEqual([agent.child.pid]);
    expect(seen.signalable).toEqual([agent.child.pid]);
    expect(seen.planted).toBe(true);
  });

  it('fails closed without bwrap, naming the tool and the ways out', async () => {
    const { agent } = await startNonRootAgent('same-user-nobwrap', '', { PATH: noBwrapPath });
    expect(await agent.exited).not.toBe(0);
    expect(agent.output()).toContain('AGENT_ERR_SANDBOX_UNAVAILABLE');
    expect(agent.output()).toContain('isolate_same_user_tools = false');
    expect(agent.output()).toContain('"hunt"');
  });
});
