// ToolError: a tool failure with a stable code the host reports alongside the message.

/** Tool error codes: upper-case words joined by `_`, e.g. `FILE_OUTSIDE_ROOTS`. */
export const TOOL_ERROR_CODE_PATTERN = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

/**
 * Throw this from `execute` to fail a call with a stable, documented code. The LLM sees
 * `tool "x" failed: [CODE] message`; hosts and tests read `code` (and `data`) instead of parsing text.
 * The message must not reveal anything the caller may not know (paths outside roots, secrets).
 */
export class ToolError extends Error {
  override readonly name = 'ToolError';
  readonly code: string;
  readonly data: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, data: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    if (!TOOL_ERROR_CODE_PATTERN.test(code))
      throw new TypeError(`invalid ToolError code ${JSON.stringify(code)}`);
    this.code = code;
    this.data = data;
  }

  /**
   * True for a ToolError, optionally with the given code. By shape, not `instanceof`: a plugin installed
   * with its own copy of this package in its node_modules throws that copy's class, and the host must
   * still read its code (the contract in docs/plugins.md): an Error named `ToolError` with a valid code.
   */
  static is(err: unknown, code?: string): err is ToolError {
    if (!(err instanceof Error) || err.name !== 'ToolError') return false;
    const c = (err as { code?: unknown }).code;
    return typeof c === 'string' && TOOL_ERROR_CODE_PATTERN.test(c) && (code === undefined || c === code);
  }
}
