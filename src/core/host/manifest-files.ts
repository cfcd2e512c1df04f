// Every file a plugin.json names must be there before any code runs: the entry module, each script source,
// each subprocess command (executable by the user tools run as) and each MCP server's command path and cwd.
import { stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

import type { ManifestProblem } from '../errors.js';
import { resolveCommand } from '../sandbox/find-executable.js';
import { effectiveToolUser, type SandboxUser } from '../sandbox/sandbox-user.js';
import { notExecutable } from '../sandbox/tool-access.js';
import { toolEnv } from '../sandbox/tool-env.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const escape = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

export interface ManifestFileOptions {
  /** `[sandbox] user`: who subprocess tools run as when the agent is root (default nobody). */
  readonly runAs?: SandboxUser | undefined;
  /** The agent's environment: the PATH a tool's bare command is looked up on, when it may see PATH. */
  readonly env?: NodeJS.ProcessEnv;
  /** false: leave subprocess commands unchecked (the caller checks the tools it will run). Default true. */
  readonly commands?: boolean;
}

/** Why `path` is not a file (or, for `folder`, not a folder), or undefined when it is. */
async function missing(path: string, kind: 'file' | 'folder'): Promise<string | undefined> {
  const st = await stat(path).catch((err: NodeJS.ErrnoException) => err.code ?? 'unreadable');
  if (typeof st === 'string')
    return st === 'ENOENT' ? `${path} does not exist` : `${path} cannot be read (${st})`;
  if (kind === 'folder' && !st.isDirectory()) return `${path} is not a folder`;
  if (kind === 'file' && !st.isFile()) return `${path} is not a file`;
  return undefined;
}

/** Run from the TypeScript sources (tests), an entry `x.js` of a first-party plugin is the file `x.ts`. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The entry module must exist; `x.js` missing beside an `x.ts` means the plugin is not built yet. */
async function entryProblem(path: string): Promise<string | undefined> {
  const why = await missing(path, 'file');
  if (why === undefined || !path.endsWith('.js')) return why;
  const ts = `${path.slice(0, -3)}.ts`;
  if ((await missing(ts, 'file')) !== undefined) return why;
  return FROM_SOURCE ? undefined : `${why} (${ts} does: build the plugin, e.g. npm run build)`;
}

/** A relative path in the manifest, as the host resolves it (against the plugin folder). */
const inDir = (dir: string, path: string): string => (isAbsolute(path) ? path : join(dir, path));

/** A subprocess tool's command, resolved as it will run: by the tool's user, on the PATH the tool gets. */
async function commandProblem(
  tool: string,
  executor: Json,
  dir: string,
  opts: ManifestFileOptions,
): Promise<string | undefined> {
  const command = executor.command;
  if (typeof command !== 'string' || command === '') return undefined; // the schema reports it
  const path = command.includes('/') ? inDir(dir, command) : command;
  const envAllow = list(executor.env).filter((e): e is string => typeof e === 'string');
  const pathEnv = toolEnv(envAllow, opts.env ?? process.env, '/').PATH!;
  const found = await resolveCommand(path, pathEnv, effectiveToolUser(opts.runAs));
  if ('path' in found) return undefined;
  if (found.code === 'ENOENT')
    return command.includes('/') ? `${path} does not exist` : `${command} is not found on PATH ${pathEnv}`;
  return notExecutable(tool, found.file ?? path, found.reason, opts.runAs).message;
}

/**
 * One problem (at its JSON pointer) per referenced file that is missing, or per subprocess command the
 * tool user cannot execute. `raw` need not be a valid manifest: what is not there is not checked.
 */
export async function manifestFileProblems(
  raw: unknown,
  dir: string,
  opts: ManifestFileOptions = {},
): Promise<ManifestProblem[]> {
  if (!isObject(raw)) return [];
  const checks: Promise<ManifestProblem | undefined>[] = [];
  const add = (pointer: string, why: Promise<string | undefined>): void => {
    checks.push(why.then((message) => (message === undefined ? undefined : { pointer, message })));
  };
  if (typeof raw.entry === 'string' && raw.entry !== '') add('/entry', entryProblem(inDir(dir, raw.entry)));
  list(raw.tools).forEach((tool, i) => {
    if (!isObject(tool) || !isObject(tool.executor)) return;
    const { executor } = tool;
    const at = `/tools/${i}/executor`;
    if (executor.type === 'script' && typeof executor.source === 'string' && executor.source !== '')
      add(`${at}/source`, missing(inDir(dir, executor.source), 'file'));
    if (executor.type === 'subprocess' && opts.commands !== false)
      add(`${at}/command`, commandProblem(String(tool.name), executor, dir, opts));
  });
  const servers = isObject(raw.mcpServers) ? raw.mcpServers : {};
  for (const [name, server] of Object.entries(servers)) {
    if (!isObject(server)) continue;
    const at = `/mcpServers/${escape(name)}`;
    // A bare command is looked up on the server's PATH when it starts; a path must be there now.
    if (typeof server.command === 'string' && server.command.includes('/'))
      add(`${at}/command`, missing(inDir(dir, server.command), 'file'));
    if (typeof server.cwd === 'string' && server.cwd !== '')
      add(`${at}/cwd`, missing(inDir(dir, server.cwd), 'folder'));
  }
  return (await Promise.all(checks)).filter((p): p is ManifestProblem => p !== undefined);
}
