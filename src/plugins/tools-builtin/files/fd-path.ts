// Linux descriptors as paths: what a descriptor is open on (/proc/self/fd/N), and openat()-like access.
import { constants } from 'node:fs';
import { open, readlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * O_PATH (the same value on every Linux architecture Node supports): a handle on a file or folder that does
 * not open it for I/O — opening a device has no side effect and a FIFO never blocks. fstat and
 * /proc/self/fd work on it; reopening `/proc/self/fd/N` opens exactly that file.
 */
export const O_PATH = 0o10000000;

/** A handle on the file or folder itself (never a symlink's target as the last component). */
export const PATH_FLAGS = O_PATH | constants.O_NOFOLLOW;
/** The same, and it must be a folder (a symlink in its place is ENOTDIR). */
export const FOLDER_FLAGS = PATH_FLAGS | constants.O_DIRECTORY;

/**
 * `/proc/self/fd/N`, or `name` inside the folder open as N: the kernel resolves it from that very folder,
 * wherever it is now, so no path component before `name` can be swapped (Node has no openat()).
 * `name` must be a single component; it is never followed if it is a symlink by callers using O_NOFOLLOW.
 */
export function fdPath(handle: FileHandle, name?: string): string {
  const own = `/proc/self/fd/${handle.fd}`;
  return name === undefined ? own : `${own}/${name}`;
}

/** /proc/self/fd could not say what a descriptor is open on (no Linux /proc): callers fail closed. */
export class UnverifiableError extends Error {
  override readonly name = 'UnverifiableError';
  constructor(readonly errno: string) {
    super(`cannot read /proc/self/fd (${errno})`);
  }
}

/**
 * The absolute path the kernel reports for what `handle` is open on (its place now, after any rename).
 * A file unlinked since keeps its last path with " (deleted)" appended.
 */
export async function openedPath(handle: FileHandle): Promise<string> {
  try {
    return await readlink(fdPath(handle));
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new UnverifiableError(typeof code === 'string' ? code : 'EIO');
  }
}

/**
 * At initialize: the file tools rely on O_PATH and /proc/self/fd (Linux). Refuse to start without them, and
 * check that each root's descriptor reports the root's real path (else every call would be refused).
 */
export async function checkFdPaths(roots: readonly string[]): Promise<void> {
  if (process.platform !== 'linux') {
    throw new Error(`file tools need Linux (O_PATH and /proc/self/fd); this host is ${process.platform}`);
  }
  for (const root of roots) {
    const handle = await open(root, FOLDER_FLAGS);
    try {
      const reported = await openedPath(handle);
      if (reported !== path.resolve(root)) {
        throw new Error(`allowed folder ${root} is reported as ${reported} by /proc/self/fd`);
      }
    } catch (err) {
      if (!(err instanceof UnverifiableError)) throw err;
      throw new Error(`file tools need /proc mounted to confine paths race-free (${err.errno})`);
    } finally {
      await handle.close();
    }
  }
}
