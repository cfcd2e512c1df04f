// Test helper: a LoggerV1 that keeps every line (level, child bindings, object, message).
import type { LogFn, LoggerV1 } from '@agent2389/tool-sdk';

export interface LogEntry {
  level: string;
  bindings: Record<string, unknown>;
  obj: object | undefined;
  msg: string | undefined;
}

/** Lines are pushed to `entries` (also `log.entries`); children share it and add their bindings. */
export function recordingLogger(
  entries: LogEntry[] = [],
  bindings: Record<string, unknown> = {},
): LoggerV1 & { readonly entries: LogEntry[] } {
  const at =
    (level: string): LogFn =>
    (objOrMsg: object | string, msg?: string) =>
      entries.push(
        typeof objOrMsg === 'string'
          ? { level, bindings, obj: undefined, msg: objOrMsg }
          : { level, bindings, obj: objOrMsg, msg },
      );
  return {
    entries,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => recordingLogger(entries, { ...bindings, ...more }),
  };
}
