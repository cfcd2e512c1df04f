// The system error code (ECONNREFUSED, ENOTFOUND, …) behind a failure, without its message.

/**
 * The first `E…` code in `err`'s cause chain (up to 5 deep). Use it to report why I/O failed
 * without passing on the error's message, which may hold paths, URLs or secrets.
 */
export function systemErrorCode(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur instanceof Error; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    cur = cur.cause;
  }
  return undefined;
}
