// Find plugins: first-party folders, [plugins] dirs, and npm packages with an "agent2389" field.
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { ERR_MANIFEST_INVALID, ERR_MANIFEST_NOT_FOUND, ERR_PLUGIN_DUPLICATE } from '../errors.js';
import { isInsidePath, readManifestFile, type PluginManifest } from './manifest.js';

export type PluginSource = 'first-party' | 'dir' | 'npm';

export interface DiscoveredPlugin {
  readonly manifest: PluginManifest;
  /** Absolute folder of the manifest; the manifest's paths are relative to it. */
  readonly dir: string;
  readonly file: string;
  readonly source: PluginSource;
}

export interface DiscoverOptions {
  /** The package's own plugins folder (must exist). */
  readonly firstPartyDir: string;
  /** `[plugins] dirs` from agent.toml, in order (each must exist). */
  readonly dirs: readonly string[];
  /** node_modules folders to scan for packages with an "agent2389" field (missing ones are skipped). */
  readonly nodeModulesDirs: readonly string[];
  /** Given (`agent2389 validate`): a folder or manifest that fails is reported here and skipped, not thrown. */
  readonly onProblem?: (err: unknown) => void;
}

interface Candidate {
  readonly file: string;
  readonly source: PluginSource;
}

const MANIFEST = 'plugin.json';
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

async function isDir(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** Sorted names of the subfolders of `dir` (symlinks to folders included). */
async function subdirs(dir: string): Promise<string[]> {
  const entries: Dirent[] = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const names: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory() || (entry.isSymbolicLink() && (await isDir(join(dir, entry.name)))))
      names.push(entry.name);
  }
  return names.sort(byName);
}

/** A folder that holds plugin.json is one plugin; otherwise each subfolder with plugin.json is one. */
async function folderCandidates(root: string, source: PluginSource): Promise<Candidate[]> {
  const dir = resolve(root);
  if (!(await isDir(dir))) throw new ERR_MANIFEST_NOT_FOUND({ dir });
  if (await isFile(join(dir, MANIFEST))) return [{ file: join(dir, MANIFEST), source }];
  const found: Candidate[] = [];
  for (const name of await subdirs(dir)) {
    const file = join(dir, name, MANIFEST);
    if (await isFile(file)) found.push({ file, source });
  }
  return found;
}

/** The manifest path named by a package.json "agent2389" field, or undefined when there is none. */
function manifestPath(pkgFile: string, field: unknown): string | undefined {
  if (field === undefined) return undefined;
  const rel =
    typeof field === 'object' && field !== null ? (field as { manifest?: unknown }).manifest : field;
  if (typeof rel === 'string' && isInsidePath(rel)) return rel;
  throw new ERR_MANIFEST_INVALID({
    file: pkgFile,
    problems: [
      {
        pointer: '/agent2389',
        message: `must be a relative path to the manifest inside the package, or { "manifest": "<path>" }, found ${JSON.stringify(field)}`,
      },
    ],
  });
}

async function readPackageJson(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    const pkg: unknown = JSON.parse(await readFile(file, 'utf8'));
    return typeof pkg === 'object' && pkg !== null ? (pkg as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // not a package, or not ours to judge
  }
}

/** Packages (`name` and `@scope/name`) in one node_modules folder, sorted by package name. */
async function packageNames(nodeModules: string): Promise<string[]> {
  const names: string[] = [];
  for (const name of await subdirs(nodeModules)) {
    if (name.startsWith('.')) continue;
    if (!name.startsWith('@')) names.push(name);
    else for (const pkg of await subdirs(join(nodeModules, name))) names.push(`${name}/${pkg}`);
  }
  return names.sort(byName);
}

async function npmCandidates(nodeModulesDir: string): Promise<Candidate[]> {
  const root = resolve(nodeModulesDir);
  const found: Candidate[] = [];
  for (const name of await packageNames(root)) {
    const pkgFile = join(root, name, 'package.json');
    const pkg = await readPackageJson(pkgFile);
    const rel = manifestPath(pkgFile, pkg?.agent2389);
    if (rel !== undefined) found.push({ file: resolve(root, name, rel), source: 'npm' });
  }
  return found;
}

/** Every plugin, in a deterministic order: first-party, then each dir in order, then npm; each alphabetical. */
export async function discoverPlugins(opts: DiscoverOptions): Promise<DiscoveredPlugin[]> {
  const report = (err: unknown): void => {
    if (!opts.onProblem) throw err;
    opts.onProblem(err);
  };
  const collect = (found: Promise<Candidate[]>): Promise<Candidate[]> =>
    found.catch((err: unknown) => (report(err), []));
  const candidates: Candidate[] = [...(await folderCandidates(opts.firstPartyDir, 'first-party'))];
  for (const dir of opts.dirs) candidates.push(...(await collect(folderCandidates(dir, 'dir'))));
  for (const dir of opts.nodeModulesDirs) candidates.push(...(await collect(npmCandidates(dir))));
  const unique = candidates.filter((c, i) => candidates.findIndex((o) => o.file === c.file) === i);
  const settled = await Promise.allSettled(unique.map((c) => readManifestFile(c.file)));
  const plugins: DiscoveredPlugin[] = [];
  settled.forEach((result, i) => {
    if (result.status === 'rejected')
      report(result.reason); // without onProblem: the first in discovery order
    else plugins.push({ ...result.value, source: unique[i]!.source });
  });
  assertUniqueNames(plugins);
  return plugins;
}

function assertUniqueNames(plugins: readonly DiscoveredPlugin[]): void {
  const dirs = new Map<string, string[]>();
  for (const p of plugins) dirs.set(p.manifest.name, [...(dirs.get(p.manifest.name) ?? []), p.dir]);
  for (const [plugin, where] of dirs) {
    if (where.length > 1) throw new ERR_PLUGIN_DUPLICATE({ plugin, dirs: where });
  }
}
