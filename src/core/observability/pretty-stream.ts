// The human-readable log format: each written JSON line (already scrubbed, its control characters
// made visible by escapePrettyLogLine) is formatted by pino-pretty as exactly one output line.
import { createRequire } from 'node:module';

import { pino } from 'pino';
import type { prettyFactory as PrettyFactoryFn } from 'pino-pretty';

/** pino-pretty is loaded only when asked for (it is for humans; JSON logs never need it). */
function loadPrettyFactory(): typeof PrettyFactoryFn {
  const mod = createRequire(import.meta.url)('pino-pretty') as { prettyFactory: typeof PrettyFactoryFn };
  return mod.prettyFactory;
}

/** pino-pretty's own line breaks (it puts an error-like object's fields on lines of their own). */
const LINE_BREAKS = /[\r\n]+[ \t]*/g;

/** `text` as one line ending in a newline. */
function oneLine(text: string): string {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  return `${body.includes('\n') || body.includes('\r') ? body.replace(LINE_BREAKS, ' ') : body}\n`;
}

/** Every regular expression applied to a formatted line (checked for ReDoS by a test). */
export const PRETTY_STREAM_PATTERNS: readonly RegExp[] = [LINE_BREAKS];

/**
 * A pino destination writing each line through pino-pretty, synchronously, to `destination` (stdout
 * by default). Errors stay in the line's object (no error-like keys, which pino-pretty would write
 * on lines of their own); in colour when `colorize` (default: when stdout is a terminal).
 */
export function createPrettyStream(
  destination?: NodeJS.WritableStream,
  colorize = process.stdout.isTTY,
): { write(line: string): void } {
  const format = loadPrettyFactory()({
    colorize,
    singleLine: true,
    errorLikeObjectKeys: [],
  });
  const out = destination ?? pino.destination({ dest: 1, sync: true });
  return {
    write(line) {
      const text = format(line) as string | undefined;
      if (text) out.write(oneLine(text));
    },
  };
}
