// bubblewrap: the argv that confines one tool call, and a cached probe that it really works here.
import { spawn } from 'node:child_process';
import { lstat, readlink } from 'node:fs/promises';
import { dirname } from 'node:path';

import type { SandboxUser } from './sandbox-user.js';

export interface BwrapMounts {
  /** The private work dir: bound read-write at the same path, and the cwd. */
  readonly workDir?: string;
  /** The plugin folder, bound read-only at the same path. */
  readonly toolDir?: string;
  /** The resolved command; its directory is bound read-only unless already visible. */
  readonly commandPath?: string;
  readonly network: boolean;
}

/** Top-level host dirs that merged-/usr systems make symlinks into /usr, others keep as real dirs. */
const ROOT_DIRS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
/** The only parts of /etc a tool sees: dynamic linking, user/group names, name service config. */
const ETC_ALWAYS = [
  '/etc/alternatives',
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/passwd',
  '/etc/group',
  '/etc/nsswitch.conf',
  '/etc/localtime',
];
/** Added only when the tool may use the network: resolver config and CA certificates. */
const ETC_NETWORK = ['/etc/resolv.conf', '/etc/hosts', '/etc/gai.conf', '/etc/ssl', '/etc/ca-certificates'];

let rootLayout: Promise<string[]> | undefined;

/** `--symlink usr/bin /bin` where the host has the symlink, `--ro-bind-try /bin /bin` where it has a dir. */
function hostRootLayout(): Promise<string[]> {
  rootLayout ??= Promise.all(
    ROOT_DIRS.map(async (dir) => {
      const st = await lstat(dir).catch(() => undefined);
      if (!st) return [];
      if (st.isSymbolicLink()) return ['--symlink', await readlink(dir), dir];
      return ['--ro-bind-try', dir, dir];
    }),
  ).then((parts) => parts.flat());
  return rootLayout;
}

function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

/** `bwrap … --` up to (not including) the command; the caller appends the command and its args. */
export async function bwrapArgv(bwrapPath: string, m: BwrapMounts): Promise<string[]> {
  const argv = [bwrapPath, '--die-with-parent', '--new-session', '--unshare-all'];
  if (m.network) argv.push('--share-net');
  argv.push('--ro-bind', '/usr', '/usr', ...(await hostRootLayout()));
  for (const p of m.network ? [...ETC_ALWAYS, ...ETC_NETWORK] : ETC_ALWAYS) argv.push('--ro-bind-try', p, p);
  argv.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp');
  if (m.workDir) argv.push('--bind', m.workDir, m.workDir);
  if (m.toolDir) argv.push('--ro-bind', m.toolDir, m.toolDir);
  if (m.commandPath) {
    const dir = dirname(m.commandPath);
    const visible = within(dir, '/usr') || (m.toolDir !== undefined && within(dir, m.toolDir));
    if (!visible) argv.push('--ro-bind', dir, dir);
  }
  if (m.workDir) argv.push('--chdir', m.workDir);
  argv.push('--');
  return argv;
}

export type ProbeVerdict = { ok: true } | { ok: false; reason: string };

const verdicts = new Map<string, Promise<ProbeVerdict>>();

/**
 * Run `bwrap <the same namespaces and mounts> -- true` once per (bwrap path, user) and cache the verdict:
 * bwrap may be installed yet unable to create namespaces (containers without user namespaces, AppArmor).
 */
export function probeBwrap(bwrapPath: string, user: SandboxUser | undefined): Promise<ProbeVerdict> {
  const key = `${bwrapPath}|${user ? `${user.uid}:${user.gid}` : 'self'}`;
  let verdict = verdicts.get(key);
  if (!verdict) {
    verdict = runProbe(bwrapPath, user);
    verdicts.set(key, verdict);
  }
  return verdict;
}

async function runProbe(bwrapPath: string, user: SandboxUser | undefined): Promise<ProbeVerdict> {
  const argv = [...(await bwrapArgv(bwrapPath, { network: false })), '/usr/bin/true'];
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: '/usr/bin:/bin' },
      cwd: '/',
      timeout: 10_000,
      killSignal: 'SIGKILL',
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      if (stderr.length < 1_000) stderr += s;
    });
    child.on('error', (err) => resolve({ ok: false, reason: `cannot run ${bwrapPath}: ${err.message}` }));
    child.on('close', (code, signal) => {
      if (code === 0) resolve({ ok: true });
      else
        resolve({
          ok: false,
          reason: `${bwrapPath} cannot create a sandbox (${signal ?? `exit ${code}`}): ${stderr.trim().slice(0, 300)}`,
        });
    });
  });
}
