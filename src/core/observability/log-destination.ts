// Where JSON log lines go by default: stdout, in batches. A write per line costs more than the rest of a
// trivial task (the system call, and waking the reader of the pipe), and sonic-boom's own buffer
// re-measures the whole buffered string at each line; so lines are gathered here and handed on as one
// string. A line waits at most LOG_FLUSH_MS; warnings and errors go at once, with what waits before them;
// what waits when the process exits is written synchronously then.
import { writeSync } from 'node:fs';

import { pino, type DestinationStream } from 'pino';

/**
 * Gathered lines are handed on once they reach this many characters, or by the timer, whichever is
 * first. 64 KiB (a Linux pipe's whole buffer) rather than 8: `npm run bench` measured 4 µs of agent CPU
 * per task less, nearly all the write cost (a write per 8 KiB: ~25 tasks' lines at 10 000 tasks/s).
 */
export const LOG_BATCH_CHARS = 64 * 1024;
/** The most a line waits. */
export const LOG_FLUSH_MS = 100;
/** A reader so slow that this much piles up loses lines rather than the agent growing without bound. */
export const LOG_MAX_BUFFER_BYTES = 16 * 1024 * 1024;

/** A line of this level or above is written at once, with whatever waits before it. */
const URGENT_PREFIXES = ['{"level":"warn"', '{"level":"error"', '{"level":"fatal"'];

/** What a batch is handed to: sonic-boom, asynchronous; at exit, written synchronously after what it holds. */
export interface LineSink {
  write(text: string): unknown;
  /** At exit: what the sink holds, then `text`, synchronously. */
  writeSyncAtExit(text: string): void;
}

/** The flush of every batching destination of the process, at exit (one listener for them all). */
const atExit = new Set<() => void>();

function flushAtExit(flush: () => void): void {
  if (atExit.size === 0) process.once('exit', () => atExit.forEach((f) => f()));
  atExit.add(flush);
}

/**
 * Lines gathered in memory and handed to `sink` together: every `flushMs`, at LOG_BATCH_CHARS, at a
 * warning or error, and at exit. For the process's few loggers (the timer and the exit hook stay).
 */
export function batchedLines(sink: LineSink, flushMs = LOG_FLUSH_MS): DestinationStream {
  let lines: string[] = [];
  let chars = 0;
  const flush = (exiting: boolean): void => {
    const text = lines.join('');
    lines = [];
    chars = 0;
    try {
      if (exiting) sink.writeSyncAtExit(text);
      else if (text !== '') sink.write(text);
    } catch {
      // stdout is gone: the lines are lost, the agent goes on
    }
  };
  setInterval(() => flush(false), flushMs).unref();
  flushAtExit(() => flush(true));
  return {
    write(line: string): void {
      lines.push(line);
      chars += line.length;
      if (chars >= LOG_BATCH_CHARS || URGENT_PREFIXES.some((p) => line.startsWith(p))) flush(false);
    },
  };
}

/** stdout (fd 1), written asynchronously in batches. */
export function batchedStdout(): DestinationStream {
  // Registered before pino's own exit hook (which ends the stream), so the last lines go out first.
  const batched = batchedLines({
    write: (text) => sonic.write(text),
    writeSyncAtExit: (text) => {
      sonic.flushSync();
      if (text !== '') writeSync(1, text);
    },
  });
  const sonic = pino.destination({ dest: 1, sync: false, maxLength: LOG_MAX_BUFFER_BYTES });
  return batched;
}
