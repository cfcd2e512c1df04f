// pino logger: JSON by default, pretty for humans; errors serialized with code, data and cause.
import { createRequire } from 'node:module';

import { pino, stdSerializers, type Logger } from 'pino';
import type { PinoPretty as PinoPrettyFn } from 'pino-pretty';

/** pino-pretty is loaded only when asked for (it is for humans; JSON logs never need it). */
function loadPretty(): typeof PinoPrettyFn {
  return (createRequire(import.meta.url)('pino-pretty') as { PinoPretty: typeof PinoPrettyFn }).PinoPretty;
}

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  level: string;
  format: LogFormat;
  /** Defaults to stdout (fd 1). */
  destination?: NodeJS.WritableStream;
  bindings?: Record<string, unknown>;
}

export function createLogger(opts: LoggerOptions): Logger {
  const base = {
    level: opts.level,
    base: opts.bindings ?? {},
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: stdSerializers.errWithCause, error: stdSerializers.errWithCause },
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (opts.format === 'pretty') {
    const stream = loadPretty()({
      colorize: process.stdout.isTTY,
      singleLine: true,
      sync: true,
      destination: opts.destination ?? 1,
    });
    return pino(base, stream);
  }
  return pino(base, opts.destination ?? pino.destination({ dest: 1, sync: true }));
}
