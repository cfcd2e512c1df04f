// scripts/prepare.mjs (npm `prepare`): builds in a source checkout, never when another folder's npm install
// links this package (a plugin scaffold's file: dependency) or in an installed copy without sources.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/prepare.mjs', import.meta.url));
let pkg: string;

beforeEach(async () => {
  pkg = await mkdtemp(join(tmpdir(), 'agent2389-prepare-'));
  // `npm run build` here only leaves a marker file behind.
  const build = `node -e "require('fs').writeFileSync('built', '')"`;
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'p', scripts: { build } }));
});
afterEach(() => rm(pkg, { recursive: true, force: true }));

/** Run prepare in the package folder as npm would, started from `initCwd`; true when it built. */
function prepare(initCwd: string): boolean {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    INIT_CWD: initCwd,
  };
  const r = spawnSync(process.execPath, [SCRIPT], { cwd: pkg, env, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return existsSync(join(pkg, 'built'));
}

it('builds a source checkout when npm runs there (npm ci, npm link)', async () => {
  await writeFile(join(pkg, 'tsconfig.build.json'), '{}');
  expect(prepare(pkg)).toBe(true);
});

it('does not build a checkout that another folder links (a plugin scaffold `npm install`)', async () => {
  await writeFile(join(pkg, 'tsconfig.build.json'), '{}');
  expect(prepare(tmpdir())).toBe(false);
});

it('does nothing in an installed package (no sources ship)', () => {
  expect(prepare(pkg)).toBe(false);
});
