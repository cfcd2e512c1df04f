// duration_ms as logged and reported: whole, non-negative milliseconds.
import { describe, expect, it } from 'vitest';

import { wholeMs, wholeMsSince } from '../../../src/core/observability/duration-ms.js';

describe('wholeMs', () => {
  it.each([
    [41.4, 41],
    [41.5, 42],
    [0.3, 0],
    [1200.5, 1201],
    [0, 0],
    [-3, 0], // a clock step backwards
    [Number.NaN, 0],
  ])('%d ms is logged as %d', (ms, logged) => {
    expect(wholeMs(ms)).toBe(logged);
  });

  it('wholeMsSince measures from a performance.now() reading', () => {
    expect(wholeMsSince(100.2, 350.9)).toBe(251);
    expect(Number.isInteger(wholeMsSince(performance.now() - 12.34))).toBe(true);
  });
});
