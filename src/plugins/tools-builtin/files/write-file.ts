// file_write: policy checks (read_only, size, overwrite, parents), confinement, then an atomic write.
import type { Stats } from 'node:fs';
import { lstat, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

import { atomicWrite } from './atomic-write.js';
import type { ToolCallContext } from '../../../../tool-sdk/src/index.js';
import type { FileToolSettings, FileToolState } from './file-config.js';
import { asFileErrors, errnoOf, fileError, notAFile, outsideRoots, tooLarge } from './file-errors.js';
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

async function statIfExists(p: string, follow: boolean): Promise<Stats | undefined> {
  try {
    return await (follow ? stat(p) : lstat(p));
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** Make sure the (verified, real) folder exists: create it with create_dirs, else FILE_PARENT_MISSING. */
async function ensureFolder(folder: string, input: FileWriteInput): Promise<void> {
  const stats = await statIfExists(folder, true);
  if (stats?.isDirectory()) return;
  if (stats === undefined && input.create_dirs === true) {
    await mkdir(folder, { recursive: true });
    return;
  }
  const reason = stats === undefined ? 'does not exist' : 'is not a folder';
  throw fileError('FILE_PARENT_MISSING', input.path, `the folder of "${input.path}" ${reason}`);
}

/**
 * Where the new file goes. A symlink as the last component must point inside a root (checked on its real
 * target, also when dangling), and the write then REPLACES THE LINK ITSELF with a regular file: the link's
 * target is never opened for writing, so no write can land anywhere but the verified folder.
 */
async function writeTarget(
  input: FileWriteInput,
  roots: readonly Root[],
): Promise<{ at: string; old?: Stats }> {
  const abs = absoluteRequest(input.path, roots);
  const real = await confineAbsolute(abs, input.path, roots);
  const old = await statIfExists(real, false);
  if (old !== undefined && !old.isFile()) throw notAFile(input.path);
  const folder = await confineAbsolute(path.dirname(abs), input.path, roots);
  const at = path.join(folder, path.basename(abs));
  if (!roots.some((r) => at !== r.real && isWithin(at, r.real))) throw outsideRoots(input.path);
  await ensureFolder(folder, input);
  return old === undefined ? { at } : { at, old };
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
  const { at, old } = await writeTarget(input, roots);
  const existed = (await statIfExists(at, false)) !== undefined;
  const overwrite = input.overwrite ?? true;
  if (existed && !overwrite) throw fileError('FILE_EXISTS', input.path, `"${input.path}" already exists`);
  signal.throwIfAborted();
  const mode = old === undefined ? NEW_FILE_MODE : old.mode & 0o777;
  await atomicWrite(at, data, { mode, exclusive: !overwrite, signal });
  return { path: displayPath(at, roots), bytes_written: data.length, created: !existed };
}

export async function runFileWrite(
  input: FileWriteInput,
  { settings, roots }: FileToolState,
  ctx: ToolCallContext,
): Promise<FileWriteOutput> {
  return asFileErrors(input.path, 'write', ctx, () => write(input, settings, roots, ctx.signal));
}
