// How a stdio MCP server is launched: prlimit with RLIMIT_DATA (no CPU limit unless asked), bwrap with only
// the configured binds (cwd read-only and the chdir, writable paths read-write), and the env allow-list.
import { chmod, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { mcpEnv, planMcpLaunch } from '../../../src/core/mcp/stdio-launch.js';
import type { McpStdioSpec } from '../../../src/core/mcp/types.js';
import { bwrapArgv } from '../../../src/core/sandbox/bwrap.js';
import { needs } from '../../helpers/require-tool.js';
import { rejected } from '../../helpers/thrown.js';

const MiB = 1024 * 1024;

function stdio(over: Partial<McpStdioSpec> = {}): McpStdioSpec {
  return {
    kind: 'stdio',
    command: process.execPath,
    args: ['/etc/shadow', '/'],
    env: [],
    sandbox: 'none',
    network: false,
    readOnlyPaths: [],
    writablePaths: [],
    limits: { memoryMb: 512, maxProcesses: 32, maxFileSizeBytes: 1000 },
    ...over,
  };
}

/** The `--bind`/`--ro-bind a a` of an argv (but the system's /usr), as "flag a". */
function binds(argv: readonly string[]): string[] {
  const out: string[] = [];
  argv.forEach((a, i) => {
    if ((a === '--bind' || a === '--ro-bind') && argv[i + 1] !== '/usr') out.push(`${a} ${argv[i + 1]}`);
  });
  return out;
}

let scratch: string;
let dirs: { work: string; cwd: string; ro: string; rw: string; plugin: string };
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mcp-launch-'));
  await chmod(scratch, 0o755);
  const mk = async (name: string): Promise<string> => {
    const d = await mkdtemp(join(scratch, `${name}-`));
    await chmod(d, 0o755);
    return d;
  };
  const rw = await mk('rw');
  dirs = { work: await mk('work'), cwd: await mk('cwd'), ro: await mk('ro'), rw, plugin: await mk('p') };
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('mcpEnv', () => {
  it('passes only allow-listed names, renamed from their source; PATH default; HOME and TMPDIR private', () => {
    const env = mcpEnv(
      [
        { name: 'LANG', from: 'LANG' },
        { name: 'GH_TOKEN', from: 'GITHUB_TOKEN' },
        { name: 'UNSET', from: 'NOT_THERE' },
      ],
      {
        LANG: 'C.UTF-8',
        GITHUB_TOKEN: 'ghp_x',
        OPENAI_API_KEY: 'sk-secret',
        PATH: '/agent/bin',
        HOME: '/root',
      },
      '/tmp/w',
    );
    expect(env).toEqual({
      LANG: 'C.UTF-8',
      GH_TOKEN: 'ghp_x',
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: '/tmp/w',
      TMPDIR: '/tmp/w',
    });
  });
});

describe('bwrapArgv with writable paths and a cwd', () => {
  it('binds the cwd read-only and enters it, writable paths read-write, nested binds after their parents', async () => {
    const argv = await bwrapArgv('/usr/bin/bwrap', {
      workDir: '/w',
      readOnlyPaths: ['/srv/rw/docs'],
      writablePaths: ['/srv/rw'],
      cwd: '/opt/server',
      network: false,
    });
    expect(binds(argv)).toEqual([
      '--bind /w',
      '--ro-bind /opt/server',
      '--bind /srv/rw',
      '--ro-bind /srv/rw/docs',
    ]);
    expect(argv.slice(argv.indexOf('--chdir'), argv.indexOf('--chdir') + 2)).toEqual([
      '--chdir',
      '/opt/server',
    ]);
  });

  it('gives existing callers what they had: the work dir is the cwd', async () => {
    const argv = await bwrapArgv('/usr/bin/bwrap', { workDir: '/w', readOnlyPaths: ['/a'], network: false });
    expect(binds(argv)).toEqual(['--bind /w', '--ro-bind /a']);
    expect(argv.slice(argv.indexOf('--chdir'), argv.indexOf('--chdir') + 2)).toEqual(['--chdir', '/w']);
  });
});

describe('planMcpLaunch', () => {
  needs('prlimit').it(
    'limits memory with RLIMIT_DATA, and the CPU only when cpu_seconds is set',
    async () => {
      const plan = await planMcpLaunch('s', stdio(), {}, dirs.work);
      const all = [plan.file, ...plan.args];
      expect(all).toContain(`--data=${512 * MiB}`);
      expect(all.some((a) => a.startsWith('--as='))).toBe(false);
      expect(all.some((a) => a.startsWith('--cpu'))).toBe(false);
      expect(all).toEqual(expect.arrayContaining(['--nproc=32', '--fsize=1000', '--core=0']));
      expect(all.slice(-3)).toEqual([process.execPath, '/etc/shadow', '/']);
      expect(plan.cwd).toBe(dirs.work);
      const timed = await planMcpLaunch(
        's',
        stdio({ limits: { ...stdio().limits, cpuSeconds: 3600 } }),
        {},
        dirs.work,
      );
      expect(timed.args).toContain('--cpu=3600:3601');
    },
  );

  needs('prlimit', 'root').it('drops to the sandbox user when the agent is root', async () => {
    const plan = await planMcpLaunch('s', stdio(), {}, dirs.work);
    expect(plan.user).toEqual({ uid: 65534, gid: 65534 });
    expect(plan.sandbox).toContain('uid-drop');
  });

  needs('prlimit', 'bwrap').it(
    'under bwrap binds only the configured paths, never what its args name',
    async () => {
      const spec = stdio({
        sandbox: 'bwrap',
        cwd: dirs.cwd,
        readOnlyPaths: [dirs.ro],
        writablePaths: [dirs.rw],
        pluginDir: dirs.plugin,
      });
      const plan = await planMcpLaunch('s', spec, {}, dirs.work);
      const all = [plan.file, ...plan.args];
      expect(binds(all).sort()).toEqual(
        [
          `--bind ${dirs.work}`,
          `--ro-bind ${dirs.plugin}`,
          `--ro-bind ${dirs.cwd}`,
          `--ro-bind ${dirs.ro}`,
          `--bind ${dirs.rw}`,
        ].sort(),
      );
      expect(all).not.toContain('--share-net');
      expect(all.slice(all.indexOf('--chdir'), all.indexOf('--chdir') + 2)).toEqual(['--chdir', dirs.cwd]);
      expect(plan.sandbox).toEqual(expect.arrayContaining(['bwrap', 'no-network', 'rlimit']));
      const networked = await planMcpLaunch('s', { ...spec, network: true }, {}, dirs.work);
      expect(networked.args).toContain('--share-net');
    },
  );

  it('fails closed without prlimit: AGENT_ERR_MCP_START_FAILED naming the server, the sandbox error as cause', async () => {
    const empty = await mkdtemp(join(scratch, 'path-'));
    const err = await rejected(planMcpLaunch('fs', stdio(), {}, dirs.work, empty));
    expect(err).toMatchObject({ code: 'AGENT_ERR_MCP_START_FAILED', data: { server: 'fs' } });
    expect(err.cause).toMatchObject({ code: 'AGENT_ERR_SANDBOX_UNAVAILABLE', data: { mechanism: 'rlimit' } });
  });

  needs('prlimit').it('fails closed when bwrap is asked for and missing', async () => {
    const onlyPrlimit = await mkdtemp(join(scratch, 'path-'));
    await chmod(onlyPrlimit, 0o755); // searchable by the sandbox user the check runs as
    await symlink('/usr/bin/prlimit', join(onlyPrlimit, 'prlimit'));
    const err = await rejected(planMcpLaunch('fs', stdio({ sandbox: 'bwrap' }), {}, dirs.work, onlyPrlimit));
    expect(err).toMatchObject({ code: 'AGENT_ERR_MCP_START_FAILED', data: { server: 'fs' } });
    expect(err.cause).toMatchObject({ code: 'AGENT_ERR_SANDBOX_UNAVAILABLE', data: { mechanism: 'bwrap' } });
  });

  needs('prlimit').it('a command that does not exist is AGENT_ERR_MCP_START_FAILED', async () => {
    const err = await rejected(planMcpLaunch('fs', stdio({ command: 'no-such-mcp-server' }), {}, dirs.work));
    expect(err).toMatchObject({ code: 'AGENT_ERR_MCP_START_FAILED', data: { server: 'fs' } });
  });
});
