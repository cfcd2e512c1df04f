// Where the packaged agent finds plugins: its own first-party folder and ./node_modules.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { PluginSources } from './core/agent/resolve.js';

/** src/plugins (under vitest) or dist/src/plugins (built), next to this module. */
export const FIRST_PARTY_PLUGINS_DIR: string = fileURLToPath(new URL('./plugins/', import.meta.url));

export function defaultPluginSources(cwd: string = process.cwd()): PluginSources {
  return { firstPartyDir: FIRST_PARTY_PLUGINS_DIR, nodeModulesDirs: [join(cwd, 'node_modules')] };
}
