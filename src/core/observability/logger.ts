// pino logger: JSON by default, pretty for humans; errors serialized with code, data and cause.
import { pino, stdSerializers, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';

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
    const stream = PinoPretty({
      colorize: process.stdout.isTTY,
      sync: true,
      destination: opts.destination ?? 1,
    });
    return pino(base, stream);
  }
  return pino(base, opts.destination ?? pino.destination({ dest: 1, sync: true }));
}
