// The web_search failures as ToolErrors: stable codes, short messages, never the API key or full URL.
import { ToolError } from '@agent2389/tool-sdk';

/** Who was asked: the backend name and the endpoint's host (never its path or query, which may hold a token). */
export interface SearchTarget {
  readonly backend: string;
  readonly host: string;
}

/** What a failed status looked like. */
export interface StatusDetails {
  readonly status: number;
  /** The Retry-After header, if any. */
  readonly retryAfter?: string;
  /** The Location header of a redirect, if any. */
  readonly location?: string;
  /** The start of the error body, already redacted and shortened. */
  readonly body?: string;
  /** Backend-specific advice (e.g. SearXNG's 403 when JSON is off); replaces the generic reason. */
  readonly hint?: string;
}

const where = (t: SearchTarget): string => `${t.backend} at ${t.host}`;
const base = (t: SearchTarget): Record<string, unknown> => ({ backend: t.backend, host: t.host });

export function notConfigured(variable: string): ToolError {
  return new ToolError(
    'SEARCH_NOT_CONFIGURED',
    `web search is not configured: the environment variable ${variable} (the API key) is not set`,
    { env: variable },
  );
}

export function aborted(t: SearchTarget): ToolError {
  return new ToolError('SEARCH_ABORTED', 'search aborted: the task was cancelled or timed out', base(t));
}

export function timedOut(t: SearchTarget, timeoutSeconds: number): ToolError {
  return new ToolError('SEARCH_TIMEOUT', `search timed out after ${timeoutSeconds}s (${where(t)})`, {
    ...base(t),
    timeout_seconds: timeoutSeconds,
  });
}

/** A connection-level failure; `code` is a system error code such as ECONNREFUSED, never a message. */
export function unreachable(t: SearchTarget, code: string | undefined): ToolError {
  return new ToolError('SEARCH_BACKEND_FAILED', `cannot reach ${where(t)}${code ? ` (${code})` : ''}`, {
    ...base(t),
    ...(code ? { cause: code } : {}),
  });
}

function genericReason(d: StatusDetails): string {
  if (d.status >= 300 && d.status < 400) {
    return `redirected${d.location ? ` to ${d.location}` : ''}; set the endpoint to the final URL`;
  }
  if (d.status === 401) return 'unauthorized';
  if (d.status === 403) return 'forbidden';
  if (d.status === 429) return `rate limited${d.retryAfter ? `, retry after ${d.retryAfter}` : ''}`;
  if (d.status >= 500) return 'server error';
  return 'request rejected';
}

export function statusFailed(t: SearchTarget, d: StatusDetails): ToolError {
  const reason = d.hint ?? genericReason(d);
  const quoted = d.body ? `: ${JSON.stringify(d.body)}` : '';
  return new ToolError(
    'SEARCH_BACKEND_FAILED',
    `${where(t)} answered HTTP ${d.status} (${reason})${quoted}`,
    {
      ...base(t),
      status: d.status,
      ...(d.retryAfter ? { retry_after: d.retryAfter } : {}),
      ...(d.location ? { location: d.location } : {}),
      ...(d.body ? { body: d.body } : {}),
    },
  );
}

export function badResponse(t: SearchTarget, reason: string, data: Record<string, unknown> = {}): ToolError {
  return new ToolError('SEARCH_BAD_RESPONSE', `${where(t)} sent an unusable response: ${reason}`, {
    ...base(t),
    ...data,
  });
}
