// Resolve a command to an absolute path on a given PATH, and check who may execute it.
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

/** Why a command cannot be run: the errno-style code spawn would have reported. */
export interface NotRunnable {
  readonly code: 'ENOENT' | 'EACCES';
  readonly reason: string;
}

/** True when a process running as `uid`/`gid` (no supplementary groups) may execute the file. */
export function executableBy(st: Stats, uid: number, gid: number): boolean {
  if (!st.isFile()) return false;
  if (uid === 0) return (st.mode & 0o111) !== 0;
  if (st.uid === uid) return (st.mode & 0o100) !== 0;
  if (st.gid === gid) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

/** The first executable file called `name` on `pathEnv`, or undefined. Absolute names are checked as is. */
export async function findExecutable(
  name: string,
  pathEnv: string | undefined,
  who: { uid: number; gid: number } = currentUser(),
): Promise<string | undefined> {
  const candidates = name.includes('/')
    ? [name]
    : (pathEnv ?? '').split(delimiter).flatMap((dir) => (isAbsolute(dir) ? [join(dir, name)] : []));
  for (const file of candidates) {
    const st = await stat(file).catch(() => undefined);
    if (st && executableBy(st, who.uid, who.gid)) return file;
  }
  return undefined;
}

/**
 * Resolve the tool's command as it will be executed (by `who`, on the tool's PATH). Absolute paths must
 * exist and be executable; bare names are looked up on `pathEnv`. Relative paths with a slash are refused:
 * the host resolves them against the plugin folder before calling the executor.
 */
export async function resolveCommand(
  command: string,
  pathEnv: string,
  who: { uid: number; gid: number },
): Promise<{ path: string } | NotRunnable> {
  if (command.includes('/')) {
    if (!isAbsolute(command)) return { code: 'ENOENT', reason: 'a command path must be absolute' };
    const st = await stat(command).catch(() => undefined);
    if (!st) return { code: 'ENOENT', reason: 'no such file' };
    if (!executableBy(st, who.uid, who.gid))
      return { code: 'EACCES', reason: `not an executable file for uid ${who.uid}` };
    return { path: command };
  }
  const found = await findExecutable(command, pathEnv, who);
  return found ? { path: found } : { code: 'ENOENT', reason: `not found on PATH ${pathEnv}` };
}

function currentUser(): { uid: number; gid: number } {
  return { uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1 };
}
