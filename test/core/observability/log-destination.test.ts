import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import {
  LOG_BATCH_CHARS,
  LOG_FLUSH_MS,
  batchedLines,
  type LineSink,
} from '../../../src/core/observability/log-destination.js';

function recordingSink(): LineSink & { writes: string[] } {
  const writes: string[] = [];
  return { writes, write: (text) => writes.push(text), writeSyncAtExit: (text) => writes.push(text) };
}

const info = (i: number): string =>
  `{"level":"info","time":"t","i":"${String(i).padStart(5, '0')}","msg":"line"}\n`; // all of one length

describe('batchedLines (the default JSON log destination)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hands the lines of a burst on together, in order, once they reach LOG_BATCH_CHARS', () => {
    const sink = recordingSink();
    const dest = batchedLines(sink);
    const perBatch = Math.ceil(LOG_BATCH_CHARS / info(0).length);
    for (let i = 0; i < perBatch - 1; i++) dest.write(info(i));
    expect(sink.writes).toEqual([]);
    dest.write(info(perBatch - 1));
    expect(sink.writes).toHaveLength(1);
    expect(sink.writes[0]).toBe(Array.from({ length: perBatch }, (_, i) => info(i)).join(''));
  });

  it('a line waits at most LOG_FLUSH_MS; an idle timer writes nothing', () => {
    const sink = recordingSink();
    const dest = batchedLines(sink);
    vi.advanceTimersByTime(LOG_FLUSH_MS * 3);
    expect(sink.writes).toEqual([]); // not even an empty write
    dest.write(info(1));
    vi.advanceTimersByTime(LOG_FLUSH_MS - 1);
    vi.advanceTimersByTime(1);
    expect(sink.writes).toEqual([info(1)]);
  });

  it.each(['warn', 'error', 'fatal'])(
    'a %s line goes out at once, after the lines waiting before it',
    (level) => {
      const sink = recordingSink();
      const dest = batchedLines(sink);
      dest.write(info(1));
      const urgent = `{"level":"${level}","time":"t","msg":"broken"}\n`;
      dest.write(urgent);
      expect(sink.writes).toEqual([info(1) + urgent]);
    },
  );

  it('a sink that throws (stdout closed) loses the lines, not the caller', () => {
    const dest = batchedLines({
      write: () => {
        throw new Error('EPIPE');
      },
      writeSyncAtExit: () => undefined,
    });
    expect(() => dest.write('{"level":"error","msg":"x"}\n')).not.toThrow();
  });
});
