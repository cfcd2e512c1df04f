// A fresh private work dir per tool call (cwd, HOME, TMPDIR), owned by the tool's user, removed afterwards
// with no more privilege than the tool had.
//
// Why not `rm(dir, { recursive })` in the agent: a tool may leave a process behind (one that left its
// process group with setsid) that swaps folders of its work dir for symlinks while the tree is removed by
// path; an agent running as root would then delete whatever the links point at. So the tree is emptied by
// a child process running as the tool's user: whatever it is tricked into deleting, the tool could have
// deleted itself. The agent only rmdir()s the emptied dir, which never follows a link.
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdtemp, open, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ERR_SANDBOX_CLEANUP_FAILED } from '../errors.js';
import type { SandboxUser } from './sandbox-user.js';

/** How long emptying the dir as the tool's user may take before it is killed and the dir is reported left behind. */
const REMOVE_TIMEOUT_MS = 30_000;

/** mkdtemp under `base` (default os.tmpdir()), mode 0700, chowned to `owner` when the tool drops to it. */
export async function createWorkDir(
  base: string | undefined,
  owner: SandboxUser | undefined,
): Promise<string> {
  const dir = await mkdtemp(join(base ?? tmpdir(), 'agent2389-tool-'));
  // mkdtemp creates the dir with mode 0700 already; only the owner changes. Through a descriptor opened
  // without following links: in a base the tool's user may write, a process left behind could swap the
  // new name for a symlink, and chown by path would hand the link's target to that user.
  if (owner) {
    const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
    try {
      await handle.chown(owner.uid, owner.gid);
    } finally {
      await handle.close();
    }
  }
  return dir;
}

/**
 * Run `argv` in `cwd` as `user` (undefined: the agent's own), with an empty environment but PATH. spawn
 * enters `cwd` before it drops privileges, so the user needs no access to the folders above it. True on
 * exit 0; never rejects.
 */
function runAs(argv: readonly string[], cwd: string, user: SandboxUser | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd,
      env: { PATH: '/usr/bin:/bin' },
      stdio: 'ignore',
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
      timeout: REMOVE_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}

/** Delete everything below the current folder, depth first, never following a symlink. */
const EMPTY_HERE = ['find', '.', '-mindepth', '1', '-delete'];

/** rmdir `dir`: true when it is gone. It fails (false) on anything but an empty folder, never following a link. */
async function rmdirIfEmpty(dir: string): Promise<boolean> {
  try {
    await rmdir(dir);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return true;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') return false;
    throw err;
  }
}

/**
 * Remove `dir`: at once when the tool left it empty (most do); else empty it as `user` first. If emptying
 * fails (the tool left a folder it made unwritable for itself), `chmod -R u+rwX` and empty again, still as
 * `user`. rmdir (as the agent) never follows a link and fails on a folder that is not empty.
 */
async function removeAs(dir: string, user: SandboxUser | undefined): Promise<void> {
  if (await rmdirIfEmpty(dir)) return;
  if (!(await runAs(EMPTY_HERE, dir, user))) {
    await runAs(['chmod', '-R', 'u+rwX', '.'], dir, user);
    await runAs(EMPTY_HERE, dir, user);
  }
  if (!(await rmdirIfEmpty(dir))) throw new ERR_SANDBOX_CLEANUP_FAILED({ dir });
}

/**
 * Remove the work dir and everything the tool left in it, as the tool's user (`user`: the identity the
 * tool dropped to; undefined when it ran as the agent's own). Returns the failure reason, if any.
 */
export async function removeWorkDir(dir: string, user: SandboxUser | undefined): Promise<string | undefined> {
  try {
    await removeAs(dir, user);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
