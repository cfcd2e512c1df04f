// file_read: confine the path, verify the opened file, then a bounded read (at most max_file_size + 1 bytes).
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

import type { ToolCallContext } from '@agent2389/tool-sdk';
import { openInRoots } from './confined-fd.js';
import { fdPath } from './fd-path.js';
import type { FileToolState } from './file-config.js';
import { asFileErrors, notAFile, tooLarge } from './file-errors.js';
import { confinePath, displayPath, type Root } from './roots.js';

export interface FileReadInput {
  path: string;
  encoding?: 'utf8' | 'base64';
}

export interface FileReadOutput {
  path: string;
  size: number;
  encoding: 'utf8' | 'base64';
  content: string;
}

const CHUNK_SIZE = 64 * 1024;
/** Reopening a verified O_PATH handle: the same file whatever its path is now; a FIFO must not block. */
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** Read until EOF; more than `maxSize` bytes (even if the file grows meanwhile) is FILE_TOO_LARGE. */
async function readAtMost(
  handle: FileHandle,
  expected: number,
  maxSize: number,
  requested: string,
  signal: AbortSignal,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    signal.throwIfAborted();
    const want = Math.min(maxSize + 1 - total, Math.max(CHUNK_SIZE, expected + 1 - total));
    const buffer = Buffer.allocUnsafe(want);
    const { bytesRead } = await handle.read(buffer, 0, want, null);
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    chunks.push(buffer.subarray(0, bytesRead));
    total += bytesRead;
    if (total > maxSize) throw tooLarge(requested, maxSize);
  }
}

/**
 * The content of the regular file at `real` (confined by path): an O_PATH handle verified inside the roots
 * through its descriptor, then that very file reopened for reading — a swapped folder is never read through.
 */
export async function readRegularFile(
  real: string,
  requested: string,
  roots: readonly Root[],
  maxSize: number,
  signal: AbortSignal,
): Promise<Buffer> {
  const ref = await openInRoots(real, requested, roots);
  try {
    // Checked before opening too, so a directory or FIFO is refused without being opened.
    const before = await ref.stat();
    if (!before.isFile()) throw notAFile(requested);
    if (before.size > maxSize) throw tooLarge(requested, maxSize);
    const handle = await open(fdPath(ref), READ_FLAGS);
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw notAFile(requested);
      if (stats.size > maxSize) throw tooLarge(requested, maxSize);
      return await readAtMost(handle, stats.size, maxSize, requested, signal);
    } finally {
      await handle.close();
    }
  } finally {
    await ref.close();
  }
}

export async function runFileRead(
  input: FileReadInput,
  { settings, roots }: FileToolState,
  ctx: ToolCallContext,
): Promise<FileReadOutput> {
  const encoding = input.encoding ?? 'utf8';
  return asFileErrors(input.path, 'read', ctx, async () => {
    const real = await confinePath(input.path, roots);
    const bytes = await readRegularFile(real, input.path, roots, settings.maxFileSize, ctx.signal);
    const content = bytes.toString(encoding);
    return { path: displayPath(real, roots), size: bytes.length, encoding, content };
  });
}
