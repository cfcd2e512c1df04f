// Vitest global setup: bundles, from the CURRENT source, the entries that tests run in child processes
// (the script host, the logger), so no test runs a stale dist/. Tests find them through test/setup.ts.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { TestProject } from 'vitest/node';

import { inCi } from './helpers/in-ci.js';
import { SOURCE_ENTRIES, type SourceEntry } from './helpers/source-build.js';
import { toolSdkSource } from './helpers/tool-sdk-source.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Inside the repository (not /tmp), so that the bundles' bare imports (isolated-vm, pino) resolve. */
const CACHE = join(ROOT, 'node_modules/.cache/agent2389-test-build');

type Built = Record<SourceEntry, string>;
const ONCE = Symbol.for('agent2389.test.source-build');
const shared = globalThis as { [ONCE]?: Promise<{ built: Built; dir: string }> };

/** One rolldown build (a devDependency; vite's bundler) of every entry; ~0.2 s. */
async function build(): Promise<{ built: Built; dir: string }> {
  const { build: bundle } = await import('rolldown');
  // A directory per run: several vitest runs may share this checkout.
  const dir = join(CACHE, `${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(dir, { recursive: true });
  const input = Object.fromEntries(
    Object.entries(SOURCE_ENTRIES).map(([name, src]) => [name, join(ROOT, src)]),
  );
  await bundle({
    input,
    platform: 'node',
    logLevel: 'warn',
    // Our source and the tool SDK's are bundled; installed packages and node builtins are imported as usual.
    external: (id) => toolSdkSource(id) === undefined && !id.startsWith('.') && !id.startsWith('/'),
    plugins: [{ name: 'tool-sdk-source', resolveId: (id) => toolSdkSource(id) ?? null }],
    output: { dir, format: 'esm', sourcemap: true, entryFileNames: '[name].js' },
    write: true,
  });
  const built = Object.fromEntries(
    Object.keys(SOURCE_ENTRIES).map((name) => [name, join(dir, `${name}.js`)]),
  );
  return { built: built as Built, dir };
}

/** Newest modification time (ms) of the TypeScript files under `dir`. */
async function newestSource(dir: string): Promise<number> {
  const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.ts'));
  const times = await Promise.all(files.map(async (f) => (await stat(join(dir, f))).mtimeMs));
  return Math.max(0, ...times);
}

/**
 * Integration tests start agents from dist/ (`npm test` builds first). A dist/ older than the source
 * fails the run in CI and is reported locally: they would test yesterday's code.
 */
async function checkDistFresh(): Promise<void> {
  const cli = join(ROOT, 'dist/src/cli/main.js');
  const built = await stat(cli).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  const newest = Math.max(
    await newestSource(join(ROOT, 'src')),
    await newestSource(join(ROOT, 'tool-sdk/src')),
  );
  if (built >= newest) return;
  const why = built === 0 ? `${cli} is missing` : 'dist/ is older than src/';
  const message = `integration tests run agents from dist/, but ${why}: run npm run build`;
  if (inCi()) throw new Error(message);
  console.warn(`[global-setup] ${message}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (project.name === 'integration') await checkDistFresh();
  shared[ONCE] ??= build();
  const { built, dir } = await shared[ONCE];
  project.provide('sourceBuilt', built);
  return () => rm(dir, { recursive: true, force: true });
}
