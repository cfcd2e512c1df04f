// pino logger: JSON by default, pretty for humans; errors serialized with code, data and cause.
import { pino, stdSerializers, type Logger } from 'pino';

import { batchedStdout } from './log-destination.js';
import { escapeJsonLogLine, escapePrettyLogLine } from './log-escape.js';
import { scrubLogLine } from './log-scrub.js';
import { createPrettyStream } from './pretty-stream.js';

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  level: string;
  format: LogFormat;
  /** Defaults to stdout (fd 1). */
  destination?: NodeJS.WritableStream;
  bindings?: Record<string, unknown>;
  /** Pretty format only: colours (pino-pretty's own). Default: when stdout is a terminal. */
  colorize?: boolean;
  /** Extra paths to censor (`[log] redact`, pino redact syntax: `task.input.ssn`, `*.card`). */
  redact?: readonly string[];
}

/** Every child of a root logger made here, so that a new level reaches the children that exist. */
const childrenOf = new WeakMap<Logger, Set<WeakRef<Logger>>>();

function trackChildren(): { set: Set<WeakRef<Logger>>; onChild: (child: Logger) => void } {
  const set = new Set<WeakRef<Logger>>();
  let added = 0;
  const onChild = (child: Logger): void => {
    set.add(new WeakRef(child));
    // Children that come and go (a plugin's per-call child, say): drop the collected ones now and then.
    if (++added % 1024 === 0) for (const ref of set) if (ref.deref() === undefined) set.delete(ref);
  };
  return { set, onChild };
}

/**
 * Change the level of `root` and of every child logger made from it (pino children keep the level
 * they were created with): `[log] level` applies live on a reload.
 */
export function setLogLevel(root: Logger, level: string): void {
  root.level = level;
  for (const ref of childrenOf.get(root) ?? []) {
    const child = ref.deref();
    if (child) child.level = level;
  }
}

/** pino's isoTime, formatted once per millisecond: under load many lines share one. */
function isoTimeOncePerMs(): () => string {
  let ms = NaN;
  let text = '';
  return () => {
    const now = Date.now();
    if (now !== ms) {
      ms = now;
      text = `,"time":"${new Date(now).toISOString()}"`;
    }
    return text;
  };
}

export function createLogger(opts: LoggerOptions): Logger {
  const children = trackChildren();
  const base = {
    level: opts.level,
    onChild: children.onChild,
    base: opts.bindings ?? {},
    timestamp: isoTimeOncePerMs(),
    serializers: { err: stdSerializers.errWithCause, error: stdSerializers.errWithCause },
    formatters: { level: (label: string) => ({ level: label }) },
    // Fields named like secrets are masked by scrubLogLine on every line; pino's redact (a cost on
    // every line) only for the paths the operator adds.
    ...(opts.redact?.length ? { redact: { paths: [...opts.redact], censor: '***' } } : {}),
    // The last line of defence: whatever was logged, secrets are masked in the written line, and
    // control characters are escaped so that one call writes one line (no forged lines, no
    // terminal escape sequences from data).
    hooks: {
      streamWrite:
        opts.format === 'pretty'
          ? (line: string) => escapePrettyLogLine(scrubLogLine(line))
          : (line: string) => escapeJsonLogLine(scrubLogLine(line)),
    },
  };
  if (opts.format === 'pretty') {
    const logger = pino(base, createPrettyStream(opts.destination, opts.colorize));
    childrenOf.set(logger, children.set);
    return logger;
  }
  const logger = pino(base, opts.destination ?? batchedStdout());
  childrenOf.set(logger, children.set);
  return logger;
}
