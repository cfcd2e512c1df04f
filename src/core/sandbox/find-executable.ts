// Resolve a command to an absolute path on a given PATH, as the user who will execute it.
import { stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';

import { executeProblem, type Who } from './path-access.js';

/** Why a command cannot be run: the errno-style code spawn would have reported. */
export interface NotRunnable {
  readonly code: 'ENOENT' | 'EACCES';
  /** EACCES: the file found, which the user cannot run. */
  readonly file?: string;
  readonly reason: string;
}

/** The files a command name means: itself when it holds a slash, else `name` in each absolute PATH folder. */
function candidatesOf(name: string, pathEnv: string | undefined): string[] {
  return name.includes('/')
    ? [name]
    : (pathEnv ?? '').split(delimiter).flatMap((dir) => (isAbsolute(dir) ? [join(dir, name)] : []));
}

/**
 * The first file called `name` on `pathEnv` that `who` can execute (every folder on the way searchable,
 * the file executable, a `#!` script readable), or the reason the first one found cannot be used.
 */
async function locate(
  name: string,
  pathEnv: string | undefined,
  who: Who,
): Promise<{ path: string } | NotRunnable | undefined> {
  let refused: NotRunnable | undefined;
  for (const file of candidatesOf(name, pathEnv)) {
    const st = await stat(file).catch(() => undefined);
    if (!st?.isFile()) continue;
    const problem = await executeProblem(file, who, st).catch((err: Error) => err.message);
    if (problem === undefined) return { path: file };
    refused ??= { code: 'EACCES', file, reason: problem };
  }
  return refused;
}

/** The first executable file called `name` on `pathEnv`, or undefined. Absolute names are checked as is. */
export async function findExecutable(
  name: string,
  pathEnv: string | undefined,
  who: Who = currentUser(),
): Promise<string | undefined> {
  const found = await locate(name, pathEnv, who);
  return found && 'path' in found ? found.path : undefined;
}

/**
 * Resolve the tool's command as it will be executed (by `who`, on the tool's PATH). Absolute paths must
 * exist and be executable; bare names are looked up on `pathEnv`. Relative paths with a slash are refused:
 * the host resolves them against the plugin folder before calling the executor.
 */
export async function resolveCommand(
  command: string,
  pathEnv: string,
  who: Who,
): Promise<{ path: string } | NotRunnable> {
  if (command.includes('/') && !isAbsolute(command))
    return { code: 'ENOENT', reason: 'a command path must be absolute' };
  const found = await locate(command, pathEnv, who);
  if (found) return found;
  if (command.includes('/')) {
    const st = await stat(command).catch(() => undefined);
    return st
      ? { code: 'EACCES', file: command, reason: 'not a regular file' }
      : { code: 'ENOENT', reason: 'no such file' };
  }
  return { code: 'ENOENT', reason: `not found on PATH ${pathEnv}` };
}

function currentUser(): Who {
  return {
    uid: process.getuid?.() ?? -1,
    gid: process.getgid?.() ?? -1,
    groups: process.getgroups?.() ?? [],
  };
}
