// The allowed root folders: resolved once at initialize; every requested path is confined to them.
//
// These checks go by path and give precise errors. A path component can still be swapped for a symlink
// after them (TOCTOU), so what a call then opens is verified again through its descriptor (confined-fd.ts).
import { mkdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

import { errnoOf, fileError, outsideRoots } from './file-errors.js';
import { ResolveError, resolveReal } from './real-path.js';

export interface Root {
  /** Absolute as configured (relative entries resolved inside the data dir). */
  readonly given: string;
  /** `given` with every symlink resolved. */
  readonly real: string;
}

/** `p` is `dir` or inside it (a trailing separator keeps /data/agent-evil out of /data/agent). */
export function isWithin(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

/** `p` is one of the roots or inside one. */
export const withinSome = (p: string, roots: readonly Root[]): boolean =>
  roots.some((r) => isWithin(p, r.real));

async function configuredRoot(entry: string, dataDir: string): Promise<Root> {
  const given = path.resolve(dataDir, entry);
  const label = `allowed_paths entry "${entry}"${given === entry ? '' : ` (${given})`}`;
  if (entry.includes('\0')) throw new Error(`${label} contains a NUL byte`);
  let real: string;
  try {
    real = await realpath(given);
  } catch (err) {
    const errno = errnoOf(err);
    throw new Error(
      `${label} ${errno === 'ENOENT' ? 'does not exist' : `cannot be resolved (${errno ?? 'unknown error'})`}`,
    );
  }
  if (!(await stat(real)).isDirectory()) throw new Error(`${label} is not a folder`);
  return { given, real };
}

async function dataDirRoot(dataDir: string): Promise<Root> {
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    return await configuredRoot(dataDir, dataDir);
  } catch (err) {
    const errno = errnoOf(err);
    const reason = errno ?? (err instanceof Error ? err.message : String(err));
    throw new Error(`allowed_paths not set and the agent data dir ${dataDir} is unusable (${reason})`);
  }
}

/**
 * Resolve the configured roots without duplicates. Absent: the agent's data dir. The data dir and
 * relative entries inside it are created if missing; absolute entries must exist.
 */
export async function resolveRoots(
  allowedPaths: readonly string[] | undefined,
  dataDir: string,
): Promise<readonly Root[]> {
  if (allowedPaths === undefined) return [await dataDirRoot(dataDir)];
  if (allowedPaths.length === 0) throw new Error('allowed_paths must list at least one folder');
  const roots: Root[] = [];
  for (const entry of allowedPaths) {
    // A relative entry is a folder of the agent's own data dir: create it (never anything outside).
    const inData = path.resolve(dataDir, entry);
    if (!path.isAbsolute(entry) && isWithin(inData, path.resolve(dataDir)) && !entry.includes('\0'))
      await mkdir(inData, { recursive: true, mode: 0o700 }).catch(() => undefined);
    const root = await configuredRoot(entry, dataDir);
    if (!roots.some((r) => r.real === root.real)) roots.push(root);
  }
  return roots;
}

/**
 * The absolute, normalized form of a requested path: relative to the first root, or absolute inside some
 * root (as configured or resolved). Checked lexically, before touching the file system.
 */
export function absoluteRequest(requested: string, roots: readonly Root[]): string {
  if (requested.includes('\0')) {
    throw fileError('FILE_INVALID_PATH', requested, 'the path contains a NUL byte');
  }
  const [first] = roots;
  if (first === undefined) throw new Error('file tool used before initialize');
  const abs = path.resolve(first.real, requested);
  if (!roots.some((r) => isWithin(abs, r.real) || isWithin(abs, r.given))) throw outsideRoots(requested);
  return abs;
}

/** The real path of `abs` (symlinks followed, a missing tail allowed); it must be inside a root. */
export async function confineAbsolute(
  abs: string,
  requested: string,
  roots: readonly Root[],
): Promise<string> {
  let real: string;
  try {
    real = await resolveReal(abs);
  } catch (err) {
    // A failure outside the roots (behind a symlink) says nothing about what is there.
    if (err instanceof ResolveError && !withinSome(err.at, roots)) throw outsideRoots(requested);
    throw err;
  }
  if (!withinSome(real, roots)) throw outsideRoots(requested);
  return real;
}

/** The real path of a requested path, confined to the roots. */
export async function confinePath(requested: string, roots: readonly Root[]): Promise<string> {
  return confineAbsolute(absoluteRequest(requested, roots), requested, roots);
}

/** How results name a real path: relative to the root with one root ("." for it), absolute with several. */
export function displayPath(real: string, roots: readonly Root[]): string {
  const [only] = roots;
  if (only === undefined || roots.length > 1) return real;
  const rel = path.relative(only.real, real);
  return rel === '' ? '.' : rel.split(path.sep).join('/');
}
