// file_write's target folder, opened and verified through its descriptor; with create_dirs the missing folders
// are made one at a time inside the verified parent, never through a symlink.
import { mkdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

import type { ToolError } from '@agent2389/tool-sdk';
import { openChildFolder, openInRoots } from './confined-fd.js';
import { fdPath, FOLDER_FLAGS } from './fd-path.js';
import { errnoOf, fileError } from './file-errors.js';
import type { Root } from './roots.js';

interface FolderRequest {
  readonly path: string;
  readonly create_dirs?: boolean;
}

const parentMissing = (input: FolderRequest, reason: string): ToolError =>
  fileError('FILE_PARENT_MISSING', input.path, `the folder of "${input.path}" ${reason}`);

/** Make and open each of `names` in turn below the open, verified `parent` (which this closes). */
async function createMissing(
  parent: FileHandle,
  names: readonly string[],
  input: FolderRequest,
  roots: readonly Root[],
): Promise<FileHandle> {
  let current = parent;
  try {
    for (const name of names) {
      await mkdir(fdPath(current, name)).catch((err: unknown) => {
        if (errnoOf(err) !== 'EEXIST') throw err; // made meanwhile: opened and verified below like any
      });
      const child = await openChildFolder(current, name, input.path, roots);
      await current.close();
      current = child;
    }
    return current;
  } catch (err) {
    await current.close();
    throw err;
  }
}

/**
 * An O_PATH handle on the real folder `folder` (inside a root by the path check), verified inside the roots.
 * Missing: FILE_PARENT_MISSING, or with create_dirs it is made below its nearest existing ancestor in the root.
 * Not a folder (or swapped for a symlink since the check): FILE_PARENT_MISSING.
 */
export async function openFolder(
  folder: string,
  input: FolderRequest,
  roots: readonly Root[],
): Promise<FileHandle> {
  const missing: string[] = [];
  for (let at = folder; ; at = path.dirname(at)) {
    let handle: FileHandle;
    try {
      handle = await openInRoots(at, input.path, roots, FOLDER_FLAGS);
    } catch (err) {
      const errno = errnoOf(err);
      if (errno === 'ENOTDIR' || errno === 'ELOOP') throw parentMissing(input, 'is not a folder');
      if (errno !== 'ENOENT') throw err;
      if (input.create_dirs !== true || roots.some((r) => r.real === at) || at === path.dirname(at)) {
        throw parentMissing(input, 'does not exist');
      }
      missing.unshift(path.basename(at));
      continue;
    }
    return createMissing(handle, missing, input, roots);
  }
}
