// Small text helpers shared by the operator commands: one-line previews, durations, clock times, "4s ago".

/** Collapse whitespace runs (newlines included) to one space and cut to `max` characters with an ellipsis. */
export function preview(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, Math.max(0, max - 1))}…`;
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Text from the wire made safe for a terminal: one line (whitespace collapsed, cut to `max` as by
 * preview), every other C0/C1 control character (escape sequences: clearing the screen, setting the
 * title, forging lines) shown as `?`.
 */
export function terminalText(text: string, max: number): string {
  return preview(text, max).replace(CONTROL, '?');
}

/** `41 ms`, `1.2 s`, `2m 05s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}

/** Local wall-clock time `HH:MM:SS.mmm`. */
export function clockTime(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.` +
    String(date.getMilliseconds()).padStart(3, '0')
  );
}

/** Milliseconds from the RFC 3339 `timestamp` to `now`, or undefined if it does not parse. */
export function ageMs(timestamp: unknown, now: number): number | undefined {
  if (typeof timestamp !== 'string') return undefined;
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? undefined : now - t;
}

/** `4s ago`, `3m ago`, `2h ago`, `5d ago`; a time in the future (clock skew) reads `just now`. */
export function relativeAge(ms: number | undefined): string {
  if (ms === undefined) return 'unknown';
  if (ms < 0) return 'just now';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/** The agent id of an input topic (`/control/agents/<id>/input`), or the topic itself when it is not one. */
export function agentOfInputTopic(topic: string): string {
  const m = /^\/+control\/+agents\/+([^/]+)\/+input\/*$/.exec(topic);
  return m?.[1] ?? topic;
}
