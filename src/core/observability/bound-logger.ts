// A logger whose lines carry fixed fields (a task's ids) without creating a pino child logger.
//
// A pino child per task costs more than the one or two lines a task logs at the default level
// (its bindings are serialized and it is tracked so that a new level reaches it). This wrapper adds
// the fields to each line instead and asks the parent at each call, so it always logs at the
// parent's current level. `child()` makes a real child, for code that keeps a logger longer.
import type { LogFn, LoggerV1 } from '@agent2389/tool-sdk';

type Level = 'debug' | 'info' | 'warn' | 'error';

/** pino's, when the parent is a pino logger: lets a disabled level cost nothing. */
interface LevelAware {
  isLevelEnabled?(level: string): boolean;
}

/** `parent`, with `bindings` added to every line it writes. */
export function boundLogger(parent: LoggerV1, bindings: Readonly<Record<string, unknown>>): LoggerV1 {
  const enabled = (level: Level): boolean => (parent as LevelAware).isLevelEnabled?.(level) ?? true;
  const at =
    (level: Level): LogFn =>
    (objOrMsg: object | string, msg?: string): void => {
      if (!enabled(level)) return;
      // Object.assign, not `{ ...a, ...b }`: two spreads make a slow dictionary-mode object that
      // pino then serializes at twice the cost.
      const fields =
        typeof objOrMsg === 'string'
          ? bindings
          : objOrMsg instanceof Error
            ? Object.assign({}, bindings, { err: objOrMsg })
            : Object.assign({}, bindings, objOrMsg);
      const text = typeof objOrMsg === 'string' ? objOrMsg : msg;
      if (text === undefined) parent[level](fields);
      else parent[level](fields, text);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => parent.child({ ...bindings, ...more }),
  };
}
