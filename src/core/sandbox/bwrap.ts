// bubblewrap: the argv that confines one tool call, and a cached probe that it really works here.
import { spawn } from 'node:child_process';
import { lstat, readlink } from 'node:fs/promises';

import type { SandboxUser } from './sandbox-user.js';

export interface BwrapMounts {
  /** The private work dir: bound read-write at the same path, and the cwd. */
  readonly workDir?: string;
  /** The plugin folder, bound read-only at the same path. */
  readonly toolDir?: string;
  /**
   * The resolved command: this one file is bound read-only unless already visible. Never its folder,
   * which may hold the agent's config, a broker password file or a unix socket.
   */
  readonly commandPath?: string;
  /** Further files and folders the tool's configuration declares, bound read-only at the same path. */
  readonly readOnlyPaths?: readonly string[];
  /** Folders (and files) bound read-write at the same path (an MCP server's `writable_paths`). */
  readonly writablePaths?: readonly string[];
  /** Bound read-only at the same path and the process's cwd (an MCP server's own folder); else workDir. */
  readonly cwd?: string;
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

const depth = (path: string): number => path.split('/').filter(Boolean).length;

/**
 * The configured binds, shallowest first: bwrap applies them in order, so a folder bound inside another
 * keeps its own mode (a read-only folder inside a writable one stays read-only, and the reverse).
 */
function pathBinds(m: BwrapMounts): { flag: '--ro-bind' | '--bind'; path: string }[] {
  const binds = [
    ...(m.readOnlyPaths ?? []).map((path) => ({ flag: '--ro-bind' as const, path })),
    ...(m.cwd ? [{ flag: '--ro-bind' as const, path: m.cwd }] : []),
    ...(m.writablePaths ?? []).map((path) => ({ flag: '--bind' as const, path })),
  ];
  return binds.sort((a, b) => depth(a.path) - depth(b.path));
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
    const visible =
      within(m.commandPath, '/usr') || (m.toolDir !== undefined && within(m.commandPath, m.toolDir));
    if (!visible) argv.push('--ro-bind', m.commandPath, m.commandPath);
  }
  for (const b of pathBinds(m)) argv.push(b.flag, b.path, b.path);
  const cwd = m.cwd ?? m.workDir;
  if (cwd) argv.push('--chdir', cwd);
  argv.push('--');
  return argv;
}

/**
 * `bwrap … --` for a tool that runs as the agent's own user (a non-root agent) without `sandbox = "bwrap"`:
 * it keeps the host's file system, read-only but for its work dir, and the network, but gets its own PID
 * (and IPC) namespace with a fresh /proc. The agent is then invisible to it: no /proc/<agent>/environ or
 * /mem to read, no pid to signal or ptrace. Read-only, because a tool that could write the agent's files
 * (its plugins, which are hot-reloaded) could run code inside the agent. `cwd`: where it starts (an MCP
 * server's own folder), default the work dir.
 */
export function isolationArgv(bwrapPath: string, workDir: string, cwd: string = workDir): string[] {
  return [
    bwrapPath,
    '--die-with-parent',
    '--new-session',
    '--unshare-pid',
    '--unshare-ipc',
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--bind',
    workDir,
    workDir,
    '--chdir',
    cwd,
    '--',
  ];
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
