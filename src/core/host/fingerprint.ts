// A cheap fingerprint of files on disk (paths, sizes, modification times): has anything changed?
import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** Folders never looked into: dependencies and VCS data are not the plugin's own code. */
const SKIPPED = new Set(['node_modules', '.git']);
/** A plugin folder with more entries than this is fingerprinted by its first ones only. */
const MAX_ENTRIES = 5_000;

async function walk(root: string, dir: string, lines: string[]): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (lines.length >= MAX_ENTRIES) return;
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIPPED.has(e.name)) await walk(root, path, lines);
    } else {
      const s = await stat(path).catch(() => undefined);
      if (s) lines.push(`${relative(root, path)}\t${s.size}\t${s.mtimeMs}`);
    }
  }
}

/** Fingerprint of a file or of every file under a folder; a missing path has its own fingerprint. */
export async function fingerprintPath(path: string): Promise<string> {
  const s = await stat(path).catch(() => undefined);
  const lines: string[] = [];
  if (!s) lines.push('missing');
  else if (s.isDirectory()) await walk(path, path, lines);
  else lines.push(`\t${s.size}\t${s.mtimeMs}`);
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

/** One fingerprint for several paths (order matters). */
export async function fingerprintPaths(paths: readonly string[]): Promise<string> {
  const parts = await Promise.all(paths.map(async (p) => `${p}=${await fingerprintPath(p)}`));
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}
