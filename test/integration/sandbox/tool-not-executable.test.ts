// A root agent's subprocess tool its unprivileged user cannot execute (here: under a 0700 root folder)
// stops `agent2389 run` before `available`, and fails `agent2389 validate`, with
// AGENT_ERR_TOOL_NOT_EXECUTABLE naming the tool, the path and the user; `[sandbox] user` can fix it.
import { chmod, chown, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect } from 'vitest';

import { runCli, startAgentProcess } from '../../helpers/agent-process.js';
import { needs } from '../../helpers/require-tool.js';

const ECHO = fileURLToPath(new URL('../../fixtures/bin/echo-json', import.meta.url));

let dir: string;
let tool: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'not-executable-'));
  await chmod(dir, 0o755);
  await mkdir(join(dir, 'private'), { mode: 0o700 });
  await chmod(join(dir, 'private'), 0o700);
  tool = join(dir, 'private', 'lookup');
  await copyFile(ECHO, tool);
  await chmod(tool, 0o755);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const config = (sandbox = ''): string =>
  `[agent]\nid = "locked"\n[mqtt]\nbroker_url = "embedded"\n[mqtt.embedded]\nport = 0\n` +
  `[llm]\nprovider = "scripted"\n[sandbox]\n${sandbox}\n[tools.lookup]\nimpl = "external"\n` +
  `command = "${tool}"\ndescription = "look up"\nparameters = { type = "object" }\n`;

describe('a tool its sandbox user cannot execute', () => {
  needs('root').it('stops startup before `available` with the coded error', async () => {
    const agent = await startAgentProcess(config(), {}, false);
    const code = await agent.exited;
    expect(code).not.toBe(0);
    const out = agent.output();
    expect(out).toContain('AGENT_ERR_TOOL_NOT_EXECUTABLE');
    expect(out).toContain('"lookup"');
    expect(out).toContain(tool);
    expect(out).toContain('uid 65534');
    expect(out).not.toContain('agent available');
  });

  needs('root').it('fails `agent2389 validate`, naming tool, path and user', async () => {
    const file = join(dir, 'agent.toml');
    await writeFile(file, config());
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('AGENT_ERR_TOOL_NOT_EXECUTABLE');
    expect(r.stderr).toContain('"lookup"');
    expect(r.stderr).toContain(tool);
    expect(r.stderr).toContain('uid 65534');
  });

  needs('root').it('passes validate with a [sandbox] user that owns the folder', async () => {
    const owned = join(dir, 'owned');
    await mkdir(owned, { mode: 0o700 });
    await chown(owned, 4242, 4242);
    const file = join(dir, 'owned.toml');
    await writeFile(file, config('user = "4242:4242"'));
    expect((await runCli(['validate', file])).code).toBe(1); // private/ is root's, not 4242's
    await copyFile(ECHO, join(owned, 'lookup'));
    await chmod(join(owned, 'lookup'), 0o700);
    await chown(join(owned, 'lookup'), 4242, 4242);
    await writeFile(file, config('user = "4242:4242"').replace(tool, join(owned, 'lookup')));
    const r = await runCli(['validate', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
