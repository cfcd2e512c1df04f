// Where the running agent2389 and its @agent2389/tool-sdk live, for a scaffold's `file:` dependencies.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ERR_INSTALL_INCOMPLETE } from '../../core/errors.js';

export interface HostPackages {
  /** Real (symlinks resolved) folder of the agent2389 package running this code. */
  readonly agent2389: string;
  /** Real folder of the @agent2389/tool-sdk that agent2389 package resolves. */
  readonly toolSdk: string;
}

function packageName(dir: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
    return typeof pkg.name === 'string' ? pkg.name : undefined;
  } catch {
    return undefined;
  }
}

/** Walk up from `start` to the folder whose package.json is named agent2389 (a checkout or an install). */
function findHostRoot(start: string): string {
  for (let dir = realpathSync(start); ; dir = dirname(dir)) {
    if (packageName(dir) === 'agent2389') return dir;
    if (dirname(dir) === dir)
      throw new ERR_INSTALL_INCOMPLETE({
        missing: 'the package.json of agent2389',
        fix: 'reinstall agent2389',
      });
  }
}

/** The tool-sdk the host itself imports: node's lookup folders from the host root, first hit, real path. */
function findToolSdk(hostRoot: string): string {
  const lookup = createRequire(join(hostRoot, 'package.json')).resolve.paths('@agent2389/tool-sdk') ?? [];
  for (const nodeModules of lookup) {
    const dir = join(nodeModules, '@agent2389', 'tool-sdk');
    if (existsSync(join(dir, 'package.json')) && packageName(dir) === '@agent2389/tool-sdk')
      return realpathSync(dir);
  }
  throw new ERR_INSTALL_INCOMPLETE({
    missing: '@agent2389/tool-sdk next to agent2389',
    fix: 'install @agent2389/tool-sdk alongside agent2389',
  });
}

/** The host packages of the code at `from` (default: this module). */
export function findHostPackages(from: string = fileURLToPath(new URL('.', import.meta.url))): HostPackages {
  const agent2389 = findHostRoot(from);
  return { agent2389, toolSdk: findToolSdk(agent2389) };
}
