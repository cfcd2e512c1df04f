// file_read: confine the path, then a bounded read of a regular file (never more than max_file_size + 1 bytes).
import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';

import type { ToolCallContext } from '../../../../tool-sdk/src/index.js';
import type { FileToolState } from './file-config.js';
import { asFileErrors, notAFile, tooLarge } from './file-errors.js';
import { confinePath, displayPath } from './roots.js';

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
/** No symlink as the last component (the path is already real); a FIFO must not block the open. */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

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

/** The content of the regular file at the verified real path `real`. */
export async function readRegularFile(
  real: string,
  requested: string,
  maxSize: number,
  signal: AbortSignal,
): Promise<Buffer> {
  // Checked before opening too, so a directory or FIFO is refused without being opened.
  const before = await stat(real);
  if (!before.isFile()) throw notAFile(requested);
  if (before.size > maxSize) throw tooLarge(requested, maxSize);
  const handle = await open(real, READ_FLAGS);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw notAFile(requested);
    if (stats.size > maxSize) throw tooLarge(requested, maxSize);
    return await readAtMost(handle, stats.size, maxSize, requested, signal);
  } finally {
    await handle.close();
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
    const bytes = await readRegularFile(real, input.path, settings.maxFileSize, ctx.signal);
    const content = bytes.toString(encoding);
    return { path: displayPath(real, roots), size: bytes.length, encoding, content };
  });
}
