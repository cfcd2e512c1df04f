// Checks on discovered plugins before any code runs: host version ranges, then load order by dependsOn.
import { satisfies } from 'semver';

import {
  ERR_PLUGIN_DEPENDENCY_CYCLE,
  ERR_PLUGIN_DEPENDENCY_MISSING,
  ERR_PLUGIN_RUNTIME_MISMATCH,
} from '../errors.js';
import type { PluginManifest } from './manifest.js';

interface HasManifest<K extends keyof PluginManifest> {
  readonly manifest: Pick<PluginManifest, K>;
}

/** Throw ERR_PLUGIN_RUNTIME_MISMATCH for the first plugin whose `runtime` range excludes `hostVersion`. */
export function checkRuntimeRanges(
  plugins: readonly HasManifest<'name' | 'runtime'>[],
  hostVersion: string,
): void {
  for (const { manifest } of plugins) {
    if (!satisfies(hostVersion, manifest.runtime, { includePrerelease: true }))
      throw new ERR_PLUGIN_RUNTIME_MISMATCH({ plugin: manifest.name, range: manifest.runtime, hostVersion });
  }
}

/**
 * Dependencies first; otherwise discovery order (at each step, the earliest plugin whose dependencies are
 * all placed). Throws ERR_PLUGIN_DEPENDENCY_MISSING or ERR_PLUGIN_DEPENDENCY_CYCLE.
 */
export function orderByDependencies<P extends HasManifest<'name' | 'dependsOn'>>(plugins: readonly P[]): P[] {
  const names = new Set(plugins.map((p) => p.manifest.name));
  for (const { manifest } of plugins) {
    const missing = (manifest.dependsOn ?? []).filter((d) => !names.has(d));
    if (missing.length > 0) throw new ERR_PLUGIN_DEPENDENCY_MISSING({ plugin: manifest.name, missing });
  }
  const placed = new Set<string>();
  const ordered: P[] = [];
  const waiting = [...plugins];
  while (waiting.length > 0) {
    const next = waiting.findIndex((p) => (p.manifest.dependsOn ?? []).every((d) => placed.has(d)));
    if (next === -1) throw new ERR_PLUGIN_DEPENDENCY_CYCLE({ cycle: findCycle(waiting, placed) });
    const [plugin] = waiting.splice(next, 1) as [P];
    placed.add(plugin.manifest.name);
    ordered.push(plugin);
  }
  return ordered;
}

/** Follow unplaced dependencies from the first waiting plugin until a name repeats: that loop is a cycle. */
function findCycle(
  waiting: readonly HasManifest<'name' | 'dependsOn'>[],
  placed: ReadonlySet<string>,
): string[] {
  const byName = new Map(waiting.map((p) => [p.manifest.name, p.manifest]));
  const path: string[] = [];
  let current = waiting[0]?.manifest;
  while (current && !path.includes(current.name)) {
    path.push(current.name);
    const dep = (current.dependsOn ?? []).find((d) => !placed.has(d));
    current = dep === undefined ? undefined : byName.get(dep);
  }
  if (!current) return path; // unreachable: every waiting plugin has an unplaced dependency
  return [...path.slice(path.indexOf(current.name)), current.name];
}
