// file_list: the entries of a confined folder, sorted, optionally recursive (symlinks listed, never followed).
import type { Dirent } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

import type { ToolCallContext } from '../../../../tool-sdk/src/index.js';
import type { FileToolState } from './file-config.js';
import { asFileErrors, fileError } from './file-errors.js';
import { confinePath, displayPath } from './roots.js';

export interface FileListInput {
  path?: string;
  recursive?: boolean;
}

export type EntryType = 'file' | 'directory' | 'symlink' | 'other';

export interface ListEntry {
  /** Relative to the listed folder, with `/` separators. */
  path: string;
  type: EntryType;
  /** Bytes, for files only. */
  size?: number;
}

export interface FileListOutput {
  path: string;
  entries: ListEntry[];
  truncated: boolean;
}

interface Walk {
  readonly entries: ListEntry[];
  /** Collect one entry more than max_entries: its presence means truncated. */
  readonly limit: number;
  readonly recursive: boolean;
  readonly signal: AbortSignal;
}

function typeOf(entry: Dirent): EntryType {
  if (entry.isSymbolicLink()) return 'symlink';
  if (entry.isDirectory()) return 'directory';
  if (entry.isFile()) return 'file';
  return 'other';
}

const byName = (a: Dirent, b: Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    return (await lstat(file)).size;
  } catch {
    return undefined; // removed meanwhile
  }
}

/** The folder's entries, sorted by name; an unreadable subfolder (during recursion) lists as empty. */
async function readFolder(folder: string, top: boolean): Promise<Dirent[]> {
  try {
    return (await readdir(folder, { withFileTypes: true })).sort(byName);
  } catch (err) {
    if (top) throw err;
    return [];
  }
}

/** Depth first: each folder's entries sorted by name, a subfolder's entries right after the subfolder. */
async function collect(folder: string, prefix: string, walk: Walk): Promise<void> {
  walk.signal.throwIfAborted();
  for (const dirent of await readFolder(folder, prefix === '')) {
    if (walk.entries.length >= walk.limit) return;
    const full = path.join(folder, dirent.name);
    const entry: ListEntry = { path: prefix + dirent.name, type: typeOf(dirent) };
    if (entry.type === 'file') {
      const size = await sizeOf(full);
      if (size !== undefined) entry.size = size;
    }
    walk.entries.push(entry);
    if (walk.recursive && entry.type === 'directory') await collect(full, `${entry.path}/`, walk);
  }
}

export async function runFileList(
  input: FileListInput,
  { settings, roots }: FileToolState,
  ctx: ToolCallContext,
): Promise<FileListOutput> {
  const requested = input.path ?? '.';
  return asFileErrors(requested, 'list', ctx, async () => {
    const real = await confinePath(requested, roots);
    if (!(await stat(real)).isDirectory()) {
      throw fileError('FILE_NOT_A_DIRECTORY', requested, `"${requested}" is not a folder`);
    }
    const limit = settings.maxEntries + 1;
    const walk: Walk = { entries: [], limit, recursive: input.recursive === true, signal: ctx.signal };
    await collect(real, '', walk);
    const truncated = walk.entries.length > settings.maxEntries;
    const entries = truncated ? walk.entries.slice(0, settings.maxEntries) : walk.entries;
    return { path: displayPath(real, roots), entries, truncated };
  });
}
