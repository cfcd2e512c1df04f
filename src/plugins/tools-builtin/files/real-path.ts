// Follow symlinks like realpath(3), but allow a trailing part that does not exist yet (a file about to be written).
import type { Stats } from 'node:fs';
import { lstat, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';

/** Linux's SYMLOOP_MAX: more links than this on one path is a loop. */
const MAX_SYMLINKS = 40;

/** A resolution failure, with the real folder it happened in (to tell inside from outside the roots). */
export class ResolveError extends Error {
  override readonly name = 'ResolveError';
  constructor(
    readonly code: string,
    readonly at: string,
  ) {
    super(`cannot resolve path (${code})`);
  }
}

const components = (p: string): string[] => p.split(path.sep).filter((c) => c !== '');

async function lstatIn(next: string, dir: string): Promise<Stats | undefined> {
  try {
    return await lstat(next);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT') return undefined;
    throw new ResolveError(typeof code === 'string' ? code : 'EIO', dir);
  }
}

/** The link's target; undefined if it is no longer a symlink (EINVAL: replaced meanwhile, look again). */
async function readlinkIn(link: string, dir: string): Promise<string | undefined> {
  try {
    return await readlink(link);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'EINVAL') return undefined;
    throw new ResolveError(typeof code === 'string' ? code : 'EIO', dir);
  }
}

/** `missing` does not exist: re-append the rest, refusing `..` (it cannot be resolved past a missing folder). */
function appendMissing(missing: string, rest: readonly string[], dir: string): string {
  if (rest.includes('..')) throw new ResolveError('ENOENT', dir);
  return path.join(missing, ...rest.filter((c) => c !== '.'));
}

/**
 * Walk `abs` one component at a time from the file-system root, as the kernel does. `current` is always a
 * real folder (no symlinks in it), so `..` is its parent and a link's relative target is read from it.
 */
async function walk(abs: string): Promise<string> {
  const pending = components(abs);
  let current = path.parse(abs).root;
  let links = 0;
  for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
    if (name === '.') continue;
    if (name === '..') {
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, name);
    const stats = await lstatIn(next, current);
    if (stats === undefined) return appendMissing(next, pending, current);
    if (stats.isSymbolicLink()) {
      links += 1;
      if (links > MAX_SYMLINKS) throw new ResolveError('ELOOP', current);
      const target = await readlinkIn(next, current);
      if (target === undefined) {
        pending.unshift(name); // counted as a link, so a component that keeps changing ends in ELOOP
        continue;
      }
      if (path.isAbsolute(target)) current = path.parse(target).root;
      pending.unshift(...components(target));
      continue;
    }
    if (pending.length > 0 && !stats.isDirectory()) throw new ResolveError('ENOTDIR', current);
    current = next;
  }
  return current;
}

/**
 * The real path of the absolute, normalized `abs`: realpath when it exists; otherwise the real path of its
 * nearest existing ancestor plus the missing rest. Failures are ResolveErrors that say where they happened.
 */
export async function resolveReal(abs: string): Promise<string> {
  try {
    return await realpath(abs);
  } catch {
    return walk(abs);
  }
}
