// The file tools' ToolErrors: fixed codes, and messages that never carry a resolved path or a raw fs message.
import { ToolError, type ToolCallContext } from '@agent2389/tool-sdk';

export type FileErrorCode =
  | 'FILE_INVALID_PATH'
  | 'FILE_OUTSIDE_ROOTS'
  | 'FILE_NOT_FOUND'
  | 'FILE_NOT_A_FILE'
  | 'FILE_NOT_A_DIRECTORY'
  | 'FILE_TOO_LARGE'
  | 'FILE_EXISTS'
  | 'FILE_READ_ONLY'
  | 'FILE_PARENT_MISSING'
  | 'FILE_IO_FAILED';

export type FileAction = 'read' | 'write' | 'list';

/** A ToolError whose data names only the path exactly as the caller gave it. */
export function fileError(
  code: FileErrorCode,
  requested: string,
  message: string,
  data: Record<string, unknown> = {},
): ToolError {
  return new ToolError(code, message, { path: requested, ...data });
}

export const outsideRoots = (requested: string): ToolError =>
  fileError('FILE_OUTSIDE_ROOTS', requested, `"${requested}" is outside the allowed folders`);

export const notAFile = (requested: string): ToolError =>
  fileError('FILE_NOT_A_FILE', requested, `"${requested}" is not a regular file`);

export const tooLarge = (requested: string, maxFileSize: number): ToolError =>
  fileError('FILE_TOO_LARGE', requested, `"${requested}" is larger than ${maxFileSize} bytes`, {
    max_file_size: maxFileSize,
  });

/** /proc/self/fd could not say where an open file is: the call fails closed. */
export const unverifiable = (requested: string, errno: string): ToolError =>
  fileError('FILE_IO_FAILED', requested, `cannot verify where "${requested}" is (is /proc mounted?)`, {
    errno,
  });

/** The errno code (EACCES, ENOENT…) of a Node fs failure, if it is one. */
export function errnoOf(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

const IO_REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many levels of symbolic links',
  EBUSY: 'resource busy',
  EIO: 'input/output error',
};

function notFound(requested: string, action: FileAction): ToolError {
  if (action === 'write') {
    return fileError('FILE_PARENT_MISSING', requested, `the folder of "${requested}" does not exist`);
  }
  return fileError('FILE_NOT_FOUND', requested, `"${requested}" does not exist`);
}

/** Map any failure to a file ToolError; ToolErrors pass through unchanged. */
export function toFileError(err: unknown, requested: string, action: FileAction): ToolError {
  if (ToolError.is(err)) return err;
  const errno = errnoOf(err);
  if (errno === 'ENOENT' || errno === 'ENOTDIR') return notFound(requested, action);
  if (errno === 'EISDIR') return notAFile(requested);
  if (errno === 'EEXIST' && action === 'write') {
    return fileError('FILE_EXISTS', requested, `"${requested}" already exists`);
  }
  const reason = (errno !== undefined && IO_REASONS[errno]) || 'I/O error';
  return fileError('FILE_IO_FAILED', requested, `cannot ${action} "${requested}": ${reason}`, {
    ...(errno !== undefined ? { errno } : {}),
  });
}

/**
 * Run one call: a failure becomes a file ToolError, unless the call was aborted (then the abort reason).
 * An unexpected failure is logged for the operator with its raw error; the caller sees only the ToolError.
 */
export async function asFileErrors<T>(
  requested: string,
  action: FileAction,
  ctx: Pick<ToolCallContext, 'signal' | 'log'>,
  run: () => Promise<T>,
): Promise<T> {
  try {
    ctx.signal.throwIfAborted();
    return await run();
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const failure = toFileError(err, requested, action);
    if (failure.code === 'FILE_IO_FAILED') ctx.log.warn({ err, action }, 'file tool I/O failure');
    throw failure;
  }
}
