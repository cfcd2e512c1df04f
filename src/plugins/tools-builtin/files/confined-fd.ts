// Open what a call will use, then verify through its descriptor that it is inside the roots (race-free on Linux).
import { open, type FileHandle } from 'node:fs/promises';

import { outsideRoots, unverifiable } from './file-errors.js';
import { fdPath, FOLDER_FLAGS, openedPath, PATH_FLAGS, UnverifiableError } from './fd-path.js';
import { withinSome, type Root } from './roots.js';

/** Refuse (FILE_OUTSIDE_ROOTS) unless what `handle` is open on is a root or inside one; returns its path. */
export async function verifyInRoots(
  handle: FileHandle,
  requested: string,
  roots: readonly Root[],
): Promise<string> {
  let real: string;
  try {
    real = await openedPath(handle);
  } catch (err) {
    if (err instanceof UnverifiableError) throw unverifiable(requested, err.errno);
    throw err;
  }
  if (!withinSome(real, roots)) throw outsideRoots(requested);
  return real;
}

/**
 * An O_PATH handle on `at` (a symlink as its last component is opened as the link itself), verified inside
 * the roots. Whatever an earlier path check saw, a swapped component is caught here, before any I/O.
 */
export async function openInRoots(
  at: string,
  requested: string,
  roots: readonly Root[],
  flags: number = PATH_FLAGS,
): Promise<FileHandle> {
  const handle = await open(at, flags);
  try {
    await verifyInRoots(handle, requested, roots);
    return handle;
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** The folder `name` inside an open folder, never through a symlink, verified the same way. */
export function openChildFolder(
  parent: FileHandle,
  name: string,
  requested: string,
  roots: readonly Root[],
): Promise<FileHandle> {
  return openInRoots(fdPath(parent, name), requested, roots, FOLDER_FLAGS);
}
