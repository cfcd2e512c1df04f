// Atomic replacement: write a private temp file in the target's folder, fsync it, then rename (or link) it in.
import { randomBytes } from 'node:crypto';
import { link, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

export interface AtomicWriteOptions {
  /** Permission bits of the new file. */
  readonly mode: number;
  /** Fail with EEXIST instead of replacing an existing entry (race-free: link(2) never replaces). */
  readonly exclusive: boolean;
  readonly signal: AbortSignal;
}

/** Longest piece of the target's name kept in the temp name (names are limited to 255 bytes). */
const MAX_NAME_PART = 100;

/** `.<name>.<random>.tmp` next to `target`: same file system, so rename and link are atomic. */
export function tempPathFor(target: string): string {
  const name = path.basename(target).slice(0, MAX_NAME_PART);
  return path.join(path.dirname(target), `.${name}.${randomBytes(8).toString('hex')}.tmp`);
}

/** Fill the freshly created temp file and make its content durable. */
async function fillTemp(handle: FileHandle, data: Uint8Array, opts: AtomicWriteOptions): Promise<void> {
  try {
    await handle.writeFile(data, { signal: opts.signal });
    await handle.chmod(opts.mode); // exactly `mode`, whatever the umask
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Best effort: persist the rename itself (not every file system can fsync a folder). */
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
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

/**
 * Make `target` hold exactly `data`: readers and concurrent writers see the old or one complete new content,
 * never a mix. Exclusive mode links the temp file in (EEXIST if anything exists there, even if created by a
 * concurrent call a moment ago). The temp file never outlives the call.
 */
export async function atomicWrite(target: string, data: Uint8Array, opts: AtomicWriteOptions): Promise<void> {
  const temp = tempPathFor(target);
  // 'wx' is O_CREAT | O_EXCL: never opens an existing file or follows a symlink.
  const handle = await open(temp, 'wx', opts.mode);
  let placed = false;
  try {
    await fillTemp(handle, data, opts);
    opts.signal.throwIfAborted();
    if (opts.exclusive) await link(temp, target);
    else await rename(temp, target);
    placed = true;
  } finally {
    if (opts.exclusive || !placed) await removeQuietly(temp);
  }
  await syncFolder(path.dirname(target));
}
