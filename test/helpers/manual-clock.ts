// Test helper: an McpClock whose time moves only when the test says so (no sleeps, no wall clock).
import type { McpClock } from '../../src/core/mcp/supervisor.js';

interface Timer {
  readonly at: number;
  readonly ms: number;
  readonly fn: () => void;
}

export interface ManualClock extends McpClock {
  /** Delays (ms) of the timers not yet fired or cancelled, in the order they fall due. */
  pending(): number[];
  /** Resolves with the delay of the next timer scheduled from now on (or already pending, if `any`). */
  scheduled(opts?: { any?: boolean }): Promise<number>;
  /** Move time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void;
  /** Fire the earliest pending timer (time jumps to it); throws if none is pending. */
  fireNext(): number;
}

export function manualClock(): ManualClock {
  let now = 0;
  const timers = new Set<Timer>();
  const waiters: ((ms: number) => void)[] = [];
  const due = (): Timer[] => [...timers].sort((a, b) => a.at - b.at);
  const fire = (t: Timer): void => {
    timers.delete(t);
    now = Math.max(now, t.at);
    t.fn();
  };
  return {
    now: () => now,
    schedule(ms, fn) {
      const timer: Timer = { at: now + ms, ms, fn };
      timers.add(timer);
      for (const w of waiters.splice(0)) w(ms);
      return () => void timers.delete(timer);
    },
    pending: () => due().map((t) => t.ms),
    scheduled({ any = false } = {}) {
      const first = due()[0];
      if (any && first) return Promise.resolve(first.ms);
      return new Promise((resolve) => waiters.push(resolve));
    },
    advance(ms) {
      const until = now + ms;
      for (let t = due()[0]; t && t.at <= until; t = due()[0]) fire(t);
      now = until;
    },
    fireNext() {
      const t = due()[0];
      if (!t) throw new Error('manual clock: no timer pending');
      fire(t);
      return t.ms;
    },
  };
}
