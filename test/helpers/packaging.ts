// Test helper for the packaging test: npm as a user runs it, an offline install of the packed tarballs, agents
// started from an installed package.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { onTestFinished } from 'vitest';

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of a user's shell: no npm_* variables from an `npm test` around this run (they would
 * reconfigure the nested npm, e.g. npm_config_ignore_scripts), no INIT_CWD pointing at the repository.
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!/^npm_/i.test(key) && key !== 'INIT_CWD' && key !== 'NODE_OPTIONS') env[key] = value;
  return { ...env, ...extra };
}

/** Run a command to completion in `cwd` (no timeout of its own: the test's timeout bounds it). */
export function run(command: string, args: readonly string[], cwd: string, env = userEnv()): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code: code ?? (signal ? -1 : 0), stdout, stderr }));
  });
}

/** Like run, but a non-zero exit is an error carrying everything the command printed. */
export async function mustRun(command: string, args: readonly string[], cwd: string): Promise<Run> {
  const r = await run(command, args, cwd);
  if (r.code !== 0)
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** `npm pack` of the package in `dir` into `dest`; returns the tarball's path. */
export async function pack(dir: string, dest: string): Promise<string> {
  // --ignore-scripts: dist/ is what `npm test` built just before (prepare/prepack would rebuild it).
  const r = await mustRun('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dest], dir);
  const [info] = JSON.parse(r.stdout) as Array<{ filename: string }>;
  if (!info) throw new Error(`npm pack printed no tarball:\n${r.stdout}`);
  return join(dest, info.filename);
}

const sri = async (file: string): Promise<string> =>
  `sha512-${createHash('sha512')
    .update(await readFile(file))
    .digest('base64')}`;

type LockEntry = Record<string, unknown> & { dev?: boolean; link?: boolean };

/**
 * A project in `dir` depending on the two tarballs, with a lockfile: the two from `file:` tarballs, every
 * runtime dependency pinned as in the repository's lockfile. `npm ci` then needs no registry metadata
 * (the npm cache holds the packages after the repository's own `npm ci`), and nothing named @agent2389
 * can come from the registry.
 */
export async function writeHostProject(
  dir: string,
  repo: string,
  tarballs: { agent2389: string; toolSdk: string },
): Promise<void> {
  const repoLock = JSON.parse(await readFile(join(repo, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const rootPkg = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as Record<string, unknown>;
  const sdkPkg = JSON.parse(await readFile(join(repo, 'tool-sdk/package.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const deps = {
    '@agent2389/tool-sdk': `file:${tarballs.toolSdk}`,
    agent2389: `file:${tarballs.agent2389}`,
  };
  const packages: Record<string, LockEntry> = {
    '': { dependencies: deps },
    'node_modules/agent2389': {
      version: rootPkg['version'],
      resolved: deps.agent2389,
      integrity: await sri(tarballs.agent2389),
      dependencies: rootPkg['dependencies'],
      bin: rootPkg['bin'],
      engines: rootPkg['engines'],
    },
    'node_modules/@agent2389/tool-sdk': {
      version: sdkPkg['version'],
      resolved: deps['@agent2389/tool-sdk'],
      integrity: await sri(tarballs.toolSdk),
      peerDependencies: sdkPkg['peerDependencies'],
    },
  };
  for (const [key, entry] of Object.entries(repoLock.packages))
    if (key.startsWith('node_modules/') && !entry.dev && !entry.link && !(key in packages))
      packages[key] = entry;
  await writeFile(join(dir, 'package.json'), JSON.stringify({ private: true, dependencies: deps }, null, 2));
  await writeFile(
    join(dir, 'package-lock.json'),
    JSON.stringify({ name: 'host', lockfileVersion: 3, requires: true, packages }, null, 2),
  );
}

/** An agent started from the installed package's bin in `cwd`; killed (and awaited) when the test ends. */
export async function startInstalledAgent(bin: string, config: string, cwd: string): Promise<ChildProcess> {
  const child = spawn(bin, ['run', config], {
    cwd,
    env: userEnv({ HEALTH_PORT: '0', XDG_DATA_HOME: join(cwd, '.data'), LOG_LEVEL: 'info' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (c: Buffer): void => {
      out += c.toString();
      if (out.includes('"msg":"agent available"')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`agent exited (${code}) before it was available:\n${out}`)),
    );
  });
  return child;
}
