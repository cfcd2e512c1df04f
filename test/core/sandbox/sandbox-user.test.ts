// `[sandbox] user`: who a root agent's subprocess tools run as ("uid:gid" or a name from /etc/passwd).
import { describe, expect, it } from 'vitest';

import { parseConfigText } from '../../../src/core/config/load.js';
import { silentLogger } from '../../../src/core/observability/silent-logger.js';
import { createSubprocessTool } from '../../../src/core/sandbox/sandboxed-tools.js';
import { parseSandboxUser } from '../../../src/core/sandbox/sandbox-user.js';
import { needs } from '../../helpers/require-tool.js';
import { thrown } from '../../helpers/thrown.js';
import { BIN, ensureFixtureModes } from './subprocess-fixtures.js';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/sbin/nologin\nbroken:x::7::/:\n';

const sandboxOf = (user: string) =>
  parseConfigText(
    `[agent]\nid = "u"\n[mqtt]\nbroker_url = "embedded"\n[sandbox]\nuser = ${JSON.stringify(user)}\n`,
    'a.toml',
    { env: {} },
  ).config.sandbox;

describe('parseSandboxUser', () => {
  it('takes "uid:gid" as is and a name from passwd (its primary group)', () => {
    expect(parseSandboxUser('4242:4343', () => PASSWD)).toEqual({ uid: 4242, gid: 4343 });
    expect(parseSandboxUser('daemon', () => PASSWD)).toEqual({ uid: 1, gid: 1, name: 'daemon' });
  });

  it.each([
    ['an unknown name', 'nosuchuser'],
    ['root by name', 'root'],
    ['uid 0', '0:1000'],
    ['gid 0', '1000:0'],
    ['a bare number', '1000'],
    ['garbage', 'a b'],
    ['an entry without ids', 'broken'],
  ])('refuses %s', (_what, value) => {
    expect(parseSandboxUser(value, () => PASSWD)).toHaveProperty('error');
  });
});

describe('[sandbox] user in agent.toml', () => {
  it('resolves a name through /etc/passwd and leaves the default (nobody) when unset', () => {
    expect(sandboxOf('nobody').user).toEqual({ uid: 65534, gid: 65534, name: 'nobody' });
    expect(sandboxOf('4242:4242').user).toEqual({ uid: 4242, gid: 4242 });
  });

  it.each(['no-such-user-here', '0:0', 'root'])('%s is AGENT_ERR_CONFIG_INVALID naming sandbox.user', (v) => {
    const err = thrown(() => sandboxOf(v));
    expect(err.code).toBe('AGENT_ERR_CONFIG_INVALID');
    expect((err.data as { problems: { path: string; line?: number }[] }).problems).toMatchObject([
      { path: 'sandbox.user', line: 6 },
    ]);
  });
});

/** Load the echo-json fixture as an external tool under `user` and call it once: it reports `id -u`, `id -G`. */
async function runAs(user: string): Promise<{ uid: number; groups: string }> {
  ensureFixtureModes();
  const planned = {
    kind: 'subprocess' as const,
    name: 'whoami',
    config: {},
    command: `${BIN}/echo-json`,
    args: [],
    description: 'who',
    parameters: { type: 'object' },
    envAllow: [],
    sandbox: 'none' as const,
    network: false,
    readOnlyPaths: [],
    requested: {},
  };
  const { tool } = await createSubprocessTool(planned, {
    ceilings: sandboxOf(user),
    env: {},
    log: silentLogger,
  });
  const ctx = { callId: 'c', signal: new AbortController().signal, log: silentLogger };
  return (await tool.execute({}, ctx)) as { uid: number; groups: string };
}

describe('subprocess tools run as [sandbox] user (root agent)', () => {
  needs('root').it('"uid:gid" runs the tool as that uid and gid, no other groups', async () => {
    expect(await runAs('4242:4343')).toMatchObject({ uid: 4242, groups: '4343' });
  });

  needs('root').it('a name runs it as that user', async () => {
    expect(await runAs('daemon')).toMatchObject({ uid: 1, groups: '1' });
  });
});
