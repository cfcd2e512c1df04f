// A root agent's subprocess tools run as an unprivileged user: a command that user cannot reach or run is
// ERR_TOOL_NOT_EXECUTABLE when the tool loads (naming tool, path, user and fix), not a failure at call time.
import { copyFile, chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect } from 'vitest';

import { parseConfigText } from '../../../src/core/config/load.js';
import { AgentError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/observability/silent-logger.js';
import { executeProblem } from '../../../src/core/sandbox/path-access.js';
import { createSubprocessTool } from '../../../src/core/sandbox/sandboxed-tools.js';
import { runSubprocess } from '../../../src/core/sandbox/subprocess.js';
import { checkToolCommand } from '../../../src/core/sandbox/tool-access.js';
import { needs } from '../../helpers/require-tool.js';
import { rejected } from '../../helpers/thrown.js';
import { BIN, callOptions, ensureFixtureModes, fixtureSpec, payload } from './subprocess-fixtures.js';

let base: string;
let locked: string;
let open: string;
beforeAll(async () => {
  ensureFixtureModes();
  base = await mkdtemp(join(tmpdir(), 'tool-access-'));
  await chmod(base, 0o755);
  locked = join(base, 'locked');
  open = join(base, 'open');
  await mkdir(locked, { mode: 0o700 });
  await mkdir(open, { mode: 0o755 });
  await chmod(locked, 0o700);
  await copyFile(`${BIN}/echo-json`, join(locked, 'tool'));
  await chmod(join(locked, 'tool'), 0o755);
  // Executable but not readable: fine for a binary, not for a #! script (its interpreter must open it).
  await copyFile('/bin/true', join(open, 'binary'));
  await chmod(join(open, 'binary'), 0o711);
  await writeFile(join(open, 'script'), '#!/bin/sh\necho 1\n', { mode: 0o711 });
  await chmod(join(open, 'script'), 0o711);
});
afterAll(() => rm(base, { recursive: true, force: true }));

const spec = (command: string, envAllow: string[] = []) => ({ tool: 'locked_tool', command, envAllow });

describe('tool access as the sandbox user (root agent)', () => {
  needs('root').it(
    'a tool under a 0700 root folder is ERR_TOOL_NOT_EXECUTABLE naming tool, path, user, fix',
    async () => {
      const err = await checkToolCommand(spec(join(locked, 'tool')), {});
      expect(err?.code).toBe('AGENT_ERR_TOOL_NOT_EXECUTABLE');
      const data = err?.data as { tool: string; path: string; user: string; reason: string; fix: string };
      expect(data).toMatchObject({ tool: 'locked_tool', path: join(locked, 'tool') });
      expect(data.user).toContain('uid 65534');
      expect(data.reason).toContain(locked);
      expect(data.fix).toContain('[sandbox] user');
    },
  );

  needs('root').it('the same file found by a PATH lookup is refused the same way', async () => {
    const err = await checkToolCommand(spec('tool', ['PATH']), { PATH: `${locked}:/usr/bin:/bin` });
    expect(err?.data).toMatchObject({ tool: 'locked_tool', path: join(locked, 'tool') });
  });

  needs('root').it('a #! script needs read permission; a binary only execute', async () => {
    const script = await checkToolCommand(spec(join(open, 'script')), {});
    expect(script?.data).toMatchObject({ path: join(open, 'script') });
    expect(await checkToolCommand(spec(join(open, 'binary')), {})).toBeUndefined();
    expect(await checkToolCommand(spec(`${BIN}/echo-json`), {})).toBeUndefined();
  });

  needs('root').it('a folder the [sandbox] user owns, or reaches through its group, is fine', async () => {
    const mine = join(base, 'mine');
    await mkdir(mine, { mode: 0o700 });
    await copyFile(`${BIN}/echo-json`, join(mine, 'tool'));
    await chmod(join(mine, 'tool'), 0o700);
    await chown(mine, 4242, 4242);
    await chown(join(mine, 'tool'), 4242, 4242);
    const runAs = { uid: 4242, gid: 4242 };
    expect(await checkToolCommand({ ...spec(join(mine, 'tool')), runAs }, {})).toBeUndefined();
    expect(await checkToolCommand(spec(join(mine, 'tool')), {})).toBeInstanceOf(AgentError);
    // Group access counts for the primary group and for supplementary groups (a non-root agent keeps them).
    await chown(mine, 0, 4343);
    await chmod(mine, 0o710);
    await chown(join(mine, 'tool'), 0, 4343);
    await chmod(join(mine, 'tool'), 0o750);
    expect(await executeProblem(join(mine, 'tool'), { uid: 4242, gid: 4343 })).toBeUndefined();
    expect(
      await executeProblem(join(mine, 'tool'), { uid: 4242, gid: 4242, groups: [4343] }),
    ).toBeUndefined();
    expect(await executeProblem(join(mine, 'tool'), { uid: 4242, gid: 4242 })).toContain(mine);
  });

  needs('root').it('at load: createSubprocessTool refuses the tool before it ever runs', async () => {
    const config = parseConfigText(
      `[agent]\nid = "a"\n[mqtt]\nbroker_url = "embedded"\n[tools.locked_tool]\nimpl = "external"\n` +
        `command = "${join(locked, 'tool')}"\n`,
      'a.toml',
      { env: {} },
    ).config;
    const planned = {
      kind: 'subprocess' as const,
      name: 'locked_tool',
      config: {},
      command: join(locked, 'tool'),
      args: [],
      envAllow: [],
      sandbox: 'none' as const,
      network: false,
      readOnlyPaths: [],
      requested: {},
    };
    const err = await rejected(
      createSubprocessTool(planned, { ceilings: config.sandbox, env: {}, log: silentLogger }),
    );
    expect(AgentError.is(err, 'AGENT_ERR_TOOL_NOT_EXECUTABLE')).toBe(true);
  });

  needs('root').it(
    'at call time the same check returns the coded error (the file changed after load)',
    async () => {
      const result = await runSubprocess(
        fixtureSpec('tool', { command: join(locked, 'tool') }),
        payload(),
        callOptions(),
      );
      expect(result.error?.code).toBe('AGENT_ERR_TOOL_NOT_EXECUTABLE');
    },
  );
});
