// The subprocess executor's parts: output caps, prlimit/bwrap argv, env allow-list, launch plan, pdeathsig,
// the execa spawn.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';

import { bwrapArgv, isolationArgv } from '../../../src/core/sandbox/bwrap.js';
import { DEFAULT_SUBPROCESS_LIMITS } from '../../../src/core/sandbox/execution.js';
import { planLaunch, wrapperOf, type LaunchPlan } from '../../../src/core/sandbox/launch-plan.js';
import { StreamCap } from '../../../src/core/sandbox/output-cap.js';
import { superviseProcess } from '../../../src/core/sandbox/supervise.js';
import { prlimitArgv } from '../../../src/core/sandbox/rlimits.js';
import { toolEnv } from '../../../src/core/sandbox/tool-env.js';
import { alive, ensureFixtureModes, fixtureSpec } from './subprocess-fixtures.js';

/** The command name of process `pid` ('' once it is gone). */
const commOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};

describe('StreamCap', () => {
  it('keeps the head up to the cap and reports the overflow', () => {
    const cap = new StreamCap(10, 'head');
    expect(cap.push(Buffer.from('hello'))).toBe(true);
    expect(cap.push(Buffer.from('world'))).toBe(true);
    expect(cap.push(Buffer.from('!'))).toBe(false);
    expect(cap.overflowed).toBe(true);
    expect(cap.totalBytes).toBe(11);
    expect(cap.text()).toBe('helloworld');
  });

  it('keeps only the tail when asked, while still counting everything', () => {
    const cap = new StreamCap(1_000, 'tail', 4);
    cap.push(Buffer.from('abc'));
    cap.push(Buffer.from('defg'));
    cap.push(Buffer.from('hi'));
    expect(cap.text()).toBe('fghi');
    expect(cap.totalBytes).toBe(9);
    cap.push(Buffer.from('0123456789'));
    expect(cap.text()).toBe('6789');
  });
});

describe('argv builders', () => {
  it('prlimit sets CPU (soft:hard), AS in bytes, NPROC, FSIZE, no core dumps, then --', () => {
    expect(prlimitArgv('/usr/bin/prlimit', DEFAULT_SUBPROCESS_LIMITS)).toEqual([
      '/usr/bin/prlimit',
      '--cpu=30:31',
      `--as=${1024 * 1024 * 1024}`,
      '--nproc=64',
      `--fsize=${16 * 1024 * 1024}`,
      '--core=0',
      '--',
    ]);
  });

  it('bwrap unshares everything, shares the network only when allowed, and binds only what it must', async () => {
    const m = { workDir: '/tmp/w', toolDir: '/srv/plugin', commandPath: '/opt/tools/bin/t', network: false };
    const argv = await bwrapArgv('/usr/bin/bwrap', m);
    const text = argv.join(' ');
    expect(argv.slice(0, 4)).toEqual([
      '/usr/bin/bwrap',
      '--die-with-parent',
      '--new-session',
      '--unshare-all',
    ]);
    expect(argv).not.toContain('--share-net');
    expect(text).toContain('--ro-bind /usr /usr');
    expect(text).toContain('--bind /tmp/w /tmp/w');
    expect(text).toContain('--ro-bind /srv/plugin /srv/plugin');
    expect(text).toContain('--ro-bind /opt/tools/bin/t /opt/tools/bin/t');
    expect(text).not.toContain('--ro-bind /opt/tools/bin /opt/tools/bin');
    expect(text).toContain('--chdir /tmp/w');
    expect(text).not.toMatch(/ \/etc \/etc| \/home| \/root/);
    expect(text).not.toContain('/etc/resolv.conf');
    expect(argv.at(-1)).toBe('--');
    const withNet = await bwrapArgv('/usr/bin/bwrap', {
      ...m,
      network: true,
      commandPath: '/usr/bin/python3',
    });
    expect(withNet).toContain('--share-net');
    expect(withNet.join(' ')).toContain('--ro-bind-try /etc/resolv.conf /etc/resolv.conf');
    expect(withNet.join(' ')).not.toContain('--ro-bind /usr/bin /usr/bin');
  });

  it('same-user isolation: own PID and IPC namespaces, fresh /proc, host read-only but the work dir', () => {
    const argv = isolationArgv('/usr/bin/bwrap', '/tmp/w');
    const text = argv.join(' ');
    expect(argv).toEqual(expect.arrayContaining(['--die-with-parent', '--unshare-pid', '--unshare-ipc']));
    expect(text).toContain('--ro-bind / /');
    expect(text).toContain('--proc /proc');
    expect(text).toContain('--bind /tmp/w /tmp/w');
    expect(argv).not.toContain('--unshare-net');
    expect(argv.at(-1)).toBe('--');
  });

  it('wrapperOf: bwrap when asked; isolation for a same-user tool unless opted out; none after a uid drop', () => {
    const nobody = { uid: 65534, gid: 65534 };
    expect(wrapperOf(fixtureSpec('t', { sandbox: 'bwrap' }), undefined)).toBe('bwrap');
    expect(wrapperOf(fixtureSpec('t', { sandbox: 'bwrap' }), nobody)).toBe('bwrap');
    expect(wrapperOf(fixtureSpec('t'), undefined)).toBe('isolation');
    expect(wrapperOf(fixtureSpec('t', { isolateSameUser: false }), undefined)).toBe('none');
    expect(wrapperOf(fixtureSpec('t'), nobody)).toBe('none');
  });

  it('toolEnv copies only allowed names that are set, and pins HOME/TMPDIR to the work dir', () => {
    const env = toolEnv(['A', 'MISSING', 'HOME'], { A: '1', B: '2', HOME: '/root' }, '/tmp/w');
    expect(env).toEqual({ A: '1', PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp/w', TMPDIR: '/tmp/w' });
  });
});

describe('launch plan', () => {
  let workDir: string;
  beforeAll(async () => {
    ensureFixtureModes();
    workDir = await mkdtemp(join(tmpdir(), 'subprocess-plan-'));
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('is setpriv --pdeathsig KILL -- prlimit … -- [bwrap … --] /abs/command args', async () => {
    const spec = fixtureSpec('echo-json', { sandbox: 'bwrap', args: ['x'] });
    const planned = await planLaunch(spec, workDir, {}, spec.args);
    if (!('plan' in planned)) throw planned.error;
    const argv = [planned.plan.file, ...planned.plan.args];
    expect(argv.slice(0, 4)).toEqual(['/usr/bin/setpriv', '--pdeathsig', 'KILL', '--']);
    expect(argv[4]).toBe('/usr/bin/prlimit');
    const bwrapAt = argv.indexOf('/usr/bin/bwrap');
    expect(bwrapAt).toBeGreaterThan(argv.indexOf('--', 5));
    expect(argv.slice(-2)).toEqual([spec.command, 'x']);
    expect(planned.plan.cwd).toBe(workDir);
    expect(planned.plan.sandbox).toContain('pdeathsig');
  });

  it('a tool whose parent is SIGKILLed dies with it (pdeathsig), not only on a clean shutdown', async () => {
    const spec = fixtureSpec('infinite-loop');
    const planned = await planLaunch(spec, workDir, {}, []);
    if (!('plan' in planned)) throw planned.error;
    // sh stands in for the agent: it starts the tool, reports its pid, and is then SIGKILLed.
    const parent = spawn(
      'sh',
      ['-c', '"$@" & echo $!; wait', 'sh', planned.plan.file, ...planned.plan.args],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    const pid = await new Promise<number>((resolve) =>
      parent.stdout.once('data', (b: Buffer) => resolve(Number(b))),
    );
    // Let setpriv reach its prctl first: a parent that dies before that cannot be noticed (a known race).
    // pid is sh's fork, which execs setpriv; setpriv sets the death signal, then execs prlimit: once pid
    // runs neither sh nor setpriv, the death signal is set.
    await vi.waitFor(() => expect(['sh', 'setpriv']).not.toContain(commOf(pid)), {
      timeout: 10_000,
      interval: 10,
    });
    expect(alive(pid)).toBe(true);
    onTestFinished(() => void (alive(pid) && process.kill(pid, 'SIGKILL')));
    parent.kill('SIGKILL');
    await vi.waitFor(() => expect(alive(pid)).toBe(false), { timeout: 10_000, interval: 10 });
  });
});

describe('superviseProcess (execa spawn)', () => {
  const never = new Promise<void>(() => {});
  const plan = (file: string, args: string[], env: Record<string, string>): LaunchPlan => ({
    file,
    args,
    env,
    cwd: tmpdir(),
    sandbox: [],
  });

  it('a program that cannot start is a spawn error, not a throw', async () => {
    const raw = await superviseProcess(
      plan('/nonexistent/tool', [], {}),
      undefined,
      DEFAULT_SUBPROCESS_LIMITS,
      new AbortController().signal,
      never,
    );
    expect(raw.spawnError).toMatchObject({ code: 'ENOENT' });
    expect(raw.exitCode).toBeNull();
  });

  it('the tool sees exactly the planned environment (never the agent’s), its stdin, and its exit code', async () => {
    process.env.AGENT2389_TEST_SECRET = 'sk-should-not-leak';
    try {
      const raw = await superviseProcess(
        plan('/bin/sh', ['-c', 'cat; env; exit 3'], { ONLY: 'this' }),
        'input-line\n',
        DEFAULT_SUBPROCESS_LIMITS,
        new AbortController().signal,
        never,
      );
      expect(raw.exitCode).toBe(3);
      expect(raw.stdout.text()).toContain('input-line');
      expect(raw.stdout.text()).toContain('ONLY=this');
      expect(raw.stdout.text()).not.toContain('sk-should-not-leak');
      expect(raw.groupGone).toBe(true);
    } finally {
      delete process.env.AGENT2389_TEST_SECRET;
    }
  });
});
