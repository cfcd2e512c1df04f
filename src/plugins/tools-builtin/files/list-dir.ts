// file_list: the entries of a confined folder, sorted, optionally recursive (symlinks listed, never followed);
// every folder listed is opened first and verified inside the roots through its descriptor.
import type { Dirent } from 'node:fs';
import { lstat, readdir, type FileHandle } from 'node:fs/promises';

import { ToolError, type ToolCallContext } from '@agent2389/tool-sdk';
import { openChildFolder, openInRoots } from './confined-fd.js';
import { fdPath } from './fd-path.js';
import type { FileToolState } from './file-config.js';
import { asFileErrors, fileError } from './file-errors.js';
import { confinePath, displayPath, type Root } from './roots.js';

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
  readonly requested: string;
  readonly roots: readonly Root[];
}

function typeOf(entry: Dirent): EntryType {
  if (entry.isSymbolicLink()) return 'symlink';
  if (entry.isDirectory()) return 'directory';
  if (entry.isFile()) return 'file';
  return 'other';
}

const byName = (a: Dirent, b: Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

async function sizeOf(folder: FileHandle, name: string): Promise<number | undefined> {
  try {
    return (await lstat(fdPath(folder, name))).size;
  } catch {
    return undefined; // removed meanwhile
  }
}

/** The open folder's entries, sorted by name; an unreadable subfolder (during recursion) lists as empty. */
async function readFolder(folder: FileHandle, top: boolean): Promise<Dirent[]> {
  try {
    return (await readdir(fdPath(folder), { withFileTypes: true })).sort(byName);
  } catch (err) {
    if (top) throw err;
    return [];
  }
}

/** A subfolder's entries (it is opened without following links and verified inside the roots first). */
async function collectChild(folder: FileHandle, name: string, prefix: string, walk: Walk): Promise<void> {
  let child: FileHandle;
  try {
    child = await openChildFolder(folder, name, walk.requested, walk.roots);
  } catch (err) {
    if (ToolError.is(err)) throw err; // outside the roots or unverifiable: the whole call fails
    return; // replaced or removed meanwhile: lists as empty, like an unreadable one
  }
  try {
    await collect(child, prefix, walk);
  } finally {
    await child.close();
  }
}

/** Depth first: each folder's entries sorted by name, a subfolder's entries right after the subfolder. */
async function collect(folder: FileHandle, prefix: string, walk: Walk): Promise<void> {
  walk.signal.throwIfAborted();
  for (const dirent of await readFolder(folder, prefix === '')) {
    if (walk.entries.length >= walk.limit) return;
    const entry: ListEntry = { path: prefix + dirent.name, type: typeOf(dirent) };
    if (entry.type === 'file') {
      const size = await sizeOf(folder, dirent.name);
      if (size !== undefined) entry.size = size;
    }
    walk.entries.push(entry);
    if (walk.recursive && entry.type === 'directory') {
      await collectChild(folder, dirent.name, `${entry.path}/`, walk);
    }
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
    const limit = settings.maxEntries + 1;
    const recursive = input.recursive === true;
    const walk: Walk = { entries: [], limit, recursive, signal: ctx.signal, requested, roots };
    const folder = await openInRoots(real, requested, roots);
    try {
      if (!(await folder.stat()).isDirectory()) {
        throw fileError('FILE_NOT_A_DIRECTORY', requested, `"${requested}" is not a folder`);
      }
      await collect(folder, '', walk);
    } finally {
      await folder.close();
    }
    const truncated = walk.entries.length > settings.maxEntries;
    const entries = truncated ? walk.entries.slice(0, settings.maxEntries) : walk.entries;
    return { path: displayPath(real, roots), entries, truncated };
  });
}
