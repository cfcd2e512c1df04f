// `agent2389 plugin init`: the scaffold validates, passes its own test, and works inside a real agent.
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { beforeAll, describe, expect, it } from 'vitest';

import { injectTool, runCli, startAgentProcess } from '../helpers/agent-process.js';
import { freePort } from '../helpers/free-port.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
let parent: string;

/** A project folder where agent2389 and @agent2389/tool-sdk are "installed" (linked to this repo). */
beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'agent2389-init-'));
  await chmod(parent, 0o755); // subprocess tools run as uid 65534, which must reach bin/greet.mjs
  await mkdir(join(parent, 'node_modules/@agent2389'), { recursive: true });
  await symlink(repo, join(parent, 'node_modules/agent2389'));
  await symlink(join(repo, 'tool-sdk'), join(parent, 'node_modules/@agent2389/tool-sdk'));
});

/** `npm test` of the scaffold (node --test); symlinks preserved so the linked packages resolve like installed ones. */
function runScaffoldTests(dir: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, ['--preserve-symlinks', '--test'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, output: r.stdout + r.stderr };
}

describe('agent2389 plugin init', () => {
  it.each(['module', 'subprocess', 'script'])(
    'a %s scaffold validates and passes its own test',
    async (type) => {
      const name = `hello-${type}`;
      const created = await runCli(['plugin', 'init', name, '--type', type, '--dir', parent]);
      expect(created.code).toBe(0);
      const dir = join(parent, name);
      expect((await runCli(['plugin', 'validate', dir])).code).toBe(0);
      const tests = runScaffoldTests(dir);
      expect(tests.output).toMatch(/# pass 2/);
      expect(tests.status).toBe(0);
    },
  );

  it('the module scaffold works as a tool of a real agent', async () => {
    const dir = join(parent, 'hello-module');
    const port = await freePort();
    await startAgentProcess(
      `[agent]\nid = "scaffolded"\n[mqtt]\nbroker_url = "embedded"\n[mqtt.embedded]\nport = ${port}\n[llm]\nprovider = "scripted"\n` +
        `[plugins]\ndirs = ["${dir}"]\n[tools.greet]\nimpl = "plugin:hello-module"\nconfig = { greeting = "Hej" }\n`,
    );
    const r = await runCli([
      'inject',
      '--broker-url',
      `mqtt://127.0.0.1:${port}`,
      '--agent-id',
      'scaffolded',
      '--tool',
      'greet',
      '--tool-params',
      '{"name":"Ada"}',
      '--wait',
      '10',
    ]);
    expect(r).toMatchObject({ code: 0, stdout: '{"greeting":"Hej, Ada!"}\n' });
  });

  it('refuses bad names, unknown types and non-empty folders', async () => {
    for (const args of [['Bad_Name'], ['ok-name', '--type', 'wasm'], ['hello-module']]) {
      const r = await runCli(['plugin', 'init', ...args, '--dir', parent]);
      expect(r.code).toBe(64);
    }
  });

  it('the script scaffold works as a tool of a real agent', async () => {
    const dir = join(parent, 'hello-script');
    const port = await freePort();
    await startAgentProcess(
      `[agent]\nid = "scripted-greet"\n[mqtt]\nbroker_url = "embedded"\n[mqtt.embedded]\nport = ${port}\n` +
        `[llm]\nprovider = "scripted"\n[plugins]\ndirs = ["${dir}"]\n[tools.greet]\nimpl = "plugin:hello-script"\n`,
    );
    const r = await injectTool(`mqtt://127.0.0.1:${port}`, 'scripted-greet', 'greet', { name: 'Ada' }, 10);
    expect(r).toMatchObject({ code: 0, stdout: '{"greeting":"Hello, Ada!"}\n' });
  });
});
