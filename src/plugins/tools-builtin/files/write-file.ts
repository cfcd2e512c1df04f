// file_write: policy checks (read_only, size, overwrite, parents), confinement, then an atomic write done
// through the target folder's verified descriptor.
import type { Stats } from 'node:fs';
import { lstat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

import { atomicWrite } from './atomic-write.js';
import type { ToolCallContext } from '@agent2389/tool-sdk';
import { openInRoots, verifyInRoots } from './confined-fd.js';
import { fdPath } from './fd-path.js';
import type { FileToolSettings, FileToolState } from './file-config.js';
import { asFileErrors, errnoOf, fileError, notAFile, outsideRoots, tooLarge } from './file-errors.js';
import { openFolder } from './open-folder.js';
import { absoluteRequest, confineAbsolute, displayPath, isWithin, type Root } from './roots.js';

export interface FileWriteInput {
  path: string;
  content: string;
  encoding?: 'utf8' | 'base64';
  overwrite?: boolean;
  create_dirs?: boolean;
}

export interface FileWriteOutput {
  path: string;
  bytes_written: number;
  /** The file did not exist before. */
  created: boolean;
}

/** New files are private to the agent's user; a replaced file keeps its permission bits. */
const NEW_FILE_MODE = 0o600;

async function ifExists<T>(get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** Where the new file goes (checked by path): its real folder and name, never a root itself. */
async function writeTarget(
  input: FileWriteInput,
  roots: readonly Root[],
): Promise<{ real: string; at: string }> {
  const abs = absoluteRequest(input.path, roots);
  const real = await confineAbsolute(abs, input.path, roots);
  if (roots.some((r) => r.real === real)) throw notAFile(input.path); // a root folder itself
  const folder = await confineAbsolute(path.dirname(abs), input.path, roots);
  const at = path.join(folder, path.basename(abs));
  if (!roots.some((r) => at !== r.real && isWithin(at, r.real))) throw outsideRoots(input.path);
  return { real, at };
}

/** The stats of what a symlink in the target's place points to, verified inside a root via its descriptor. */
async function linkedStats(
  real: string,
  requested: string,
  roots: readonly Root[],
): Promise<Stats | undefined> {
  const handle = await ifExists(() => openInRoots(real, requested, roots));
  if (handle === undefined) return undefined; // dangling
  try {
    return await handle.stat();
  } finally {
    await handle.close();
  }
}

/**
 * What the target folder holds under `name` now: nothing, a regular file, or a symlink whose real target
 * (inside a root, checked by path and again through a descriptor) gives the stats. Anything else is not a file.
 * A symlink is then REPLACED ITSELF by a regular file: the link's target is never opened for writing.
 */
async function existing(
  folder: FileHandle,
  name: string,
  real: string,
  requested: string,
  roots: readonly Root[],
): Promise<{ existed: boolean; old?: Stats }> {
  const entry = await ifExists(() => lstat(fdPath(folder, name)));
  if (entry === undefined) return { existed: false };
  const old = entry.isSymbolicLink() ? await linkedStats(real, requested, roots) : entry;
  if (old !== undefined && !old.isFile()) throw notAFile(requested);
  return old === undefined ? { existed: true } : { existed: true, old };
}

async function write(
  input: FileWriteInput,
  settings: FileToolSettings,
  roots: readonly Root[],
  signal: AbortSignal,
): Promise<FileWriteOutput> {
  if (settings.readOnly) {
    throw fileError('FILE_READ_ONLY', input.path, 'file_write is disabled (read_only)');
  }
  const data = Buffer.from(input.content, input.encoding ?? 'utf8');
  if (data.length > settings.maxFileSize) throw tooLarge(input.path, settings.maxFileSize);
  const { real, at } = await writeTarget(input, roots);
  const name = path.basename(at);
  const folder = await openFolder(path.dirname(at), input, roots);
  try {
    const { existed, old } = await existing(folder, name, real, input.path, roots);
    const overwrite = input.overwrite ?? true;
    if (existed && !overwrite) throw fileError('FILE_EXISTS', input.path, `"${input.path}" already exists`);
    signal.throwIfAborted();
    const mode = old === undefined ? NEW_FILE_MODE : old.mode & 0o777;
    const verify = (handle: FileHandle): Promise<string> => verifyInRoots(handle, input.path, roots);
    await atomicWrite(folder, name, data, { mode, exclusive: !overwrite, signal, verify });
    return { path: displayPath(at, roots), bytes_written: data.length, created: !existed };
  } finally {
    await folder.close();
  }
}

export async function runFileWrite(
  input: FileWriteInput,
  { settings, roots }: FileToolState,
  ctx: ToolCallContext,
): Promise<FileWriteOutput> {
  return asFileErrors(input.path, 'write', ctx, () => write(input, settings, roots, ctx.signal));
}
