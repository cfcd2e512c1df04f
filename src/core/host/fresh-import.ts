// Import a plugin's modules again after its files changed: under a fresh URL (a version query), since
// Node caches ES modules by URL and never unloads them.
import { register } from 'node:module';

const PARAM = 'agent2389-v';
/** Plugin folder → the fingerprint of its files when it was first imported. */
const firstSeen = new Map<string, string>();
let hooked = false;

/**
 * The version to import the modules of plugin folder `dir` under: undefined (the plain URL, shared
 * with every earlier import) while its files are as they were at its first import, else `fingerprint`.
 * Each distinct version stays in memory until the process exits.
 */
export function importVersion(dir: string, fingerprint: string): string | undefined {
  const first = firstSeen.get(dir);
  if (first === undefined) {
    firstSeen.set(dir, fingerprint);
    return undefined;
  }
  return first === fingerprint ? undefined : fingerprint;
}

/** The resolve hook passes the version on to the plugin's relative imports (not under vitest's TS sources). */
function ensureHooks(): void {
  if (hooked) return;
  hooked = true;
  if (import.meta.url.endsWith('.ts')) return;
  register('./fresh-import-hooks.js', import.meta.url);
}

/** `import(href)`, or under `version` a fresh instance of the module and its relative imports. */
export async function importModule(href: string, version: string | undefined): Promise<unknown> {
  if (version === undefined) return import(href);
  ensureHooks();
  const url = new URL(href);
  url.searchParams.set(PARAM, version);
  return import(url.href);
}
