// `duration_ms` in logs and progress events is a whole number of milliseconds everywhere
// (docs/observability.md): this one helper rounds it. Metrics keep the exact duration.

/** A duration in ms as logged and reported: rounded to a whole, non-negative number (NaN → 0). */
export function wholeMs(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : 0;
}

/** Whole milliseconds since `startedAt` (a performance.now() reading). */
export function wholeMsSince(startedAt: number, now = performance.now()): number {
  return wholeMs(now - startedAt);
}
