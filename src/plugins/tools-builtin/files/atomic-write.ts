// Atomic replacement inside an open, verified folder: a private temp file, fsynced, then renamed (or linked) in.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';

import { fdPath } from './fd-path.js';

export interface AtomicWriteOptions {
  /** Permission bits of the new file. */
  readonly mode: number;
  /** Fail with EEXIST instead of replacing an existing entry (race-free: link(2) never replaces). */
  readonly exclusive: boolean;
  readonly signal: AbortSignal;
  /** Throws unless what the handle is open on is where the caller allows (inside the roots). */
  readonly verify: (handle: FileHandle) => Promise<unknown>;
}

/** Longest piece of the target's name kept in the temp name (names are limited to 255 bytes). */
const MAX_NAME_PART = 100;

/** Create only a new file, never through a symlink. */
const TEMP_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** `.<name>.<random>.tmp` next to the target: same file system, so rename and link are atomic. */
export function tempNameFor(name: string): string {
  return `.${name.slice(0, MAX_NAME_PART)}.${randomBytes(8).toString('hex')}.tmp`;
}

/** Fill the freshly created temp file and make its content durable. */
async function fillTemp(handle: FileHandle, data: Uint8Array, opts: AtomicWriteOptions): Promise<void> {
  await handle.writeFile(data, { signal: opts.signal });
  await handle.chmod(opts.mode); // exactly `mode`, whatever the umask
  await handle.sync();
}

/** Best effort: persist the rename itself (not every file system can fsync a folder). */
async function syncFolder(folder: FileHandle): Promise<void> {
  try {
    const handle = await open(fdPath(folder), constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // durability only; the write itself succeeded
  }
}

const removeQuietly = (file: string): Promise<void> => unlink(file).catch(() => undefined);

/** Undo a placement: remove `name` from the folder if it is still the file we wrote. */
async function removeIfOurs(folder: FileHandle, name: string, ours: FileHandle): Promise<void> {
  const mine = await ours.stat();
  const there = await lstat(fdPath(folder, name)).catch(() => undefined);
  if (there?.dev === mine.dev && there.ino === mine.ino) await removeQuietly(fdPath(folder, name));
}

/**
 * Make `name` in the open `folder` hold exactly `data`: readers and concurrent writers see the old or one
 * complete new content, never a mix. Every step goes through the folder's descriptor, so no path component
 * can be swapped; the folder (and the temp file in it) is verified before data is written, before the
 * rename/link and after it — a folder moved out of the roots meanwhile gets its new entry removed again.
 * Exclusive mode links the temp file in (EEXIST if anything exists there). The temp file never outlives the call.
 */
export async function atomicWrite(
  folder: FileHandle,
  name: string,
  data: Uint8Array,
  opts: AtomicWriteOptions,
): Promise<void> {
  const temp = fdPath(folder, tempNameFor(name));
  const target = fdPath(folder, name);
  const handle = await open(temp, TEMP_FLAGS, opts.mode);
  let placed = false;
  try {
    await opts.verify(handle);
    await fillTemp(handle, data, opts);
    opts.signal.throwIfAborted();
    await opts.verify(folder);
    if (opts.exclusive) await link(temp, target);
    else await rename(temp, target);
    placed = true;
    await opts.verify(folder).catch(async (err: unknown) => {
      await removeIfOurs(folder, name, handle);
      throw err;
    });
  } finally {
    if (opts.exclusive || !placed) await removeQuietly(temp);
    await handle.close();
  }
  await syncFolder(folder);
}
