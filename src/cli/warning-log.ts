// A LoggerV1 `warn` for CLI commands: each warning one `warning: <where>: <message> (key=value, …)` line on stderr.
import type { LoggerV1 } from '@agent2389/tool-sdk';

/** One log call as a line: the message, then its fields (strings as they are, other values as JSON). */
export function warningLine(where: string, obj: object | string, msg?: string): string {
  if (typeof obj === 'string') return `warning: ${where}: ${obj}`;
  const fields = Object.entries(obj)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
  return `warning: ${where}: ${msg ?? ''}${fields ? ` (${fields})` : ''}`;
}

/** Warnings of `where` (a file, a server) written to stderr as they come. */
export function stderrWarnings(where: string): Pick<LoggerV1, 'warn'> {
  return {
    warn: (obj: object | string, msg?: string): void => {
      process.stderr.write(`${warningLine(where, obj, msg)}\n`);
    },
  };
}
