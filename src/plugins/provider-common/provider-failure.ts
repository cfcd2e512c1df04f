// How a provider call failed, whatever the SDK (openai and @anthropic-ai/sdk are generated alike: the same
// error classes, each its own copy), and the short, redacted reason reported for it: status and reason,
// what the SDK retried, never the key, the URL path or the request body.
import { systemErrorCode } from '@agent2389/tool-sdk';

export type ProviderFailure =
  | { readonly kind: 'aborted' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'unreachable'; readonly code?: string | undefined }
  | { readonly kind: 'status'; readonly status: number; readonly serverMessage?: string | undefined }
  | { readonly kind: 'malformed'; readonly reason: string }
  | { readonly kind: 'unexpected'; readonly name?: string | undefined };

type ErrorClass<E = Error> = abstract new (...args: never[]) => E;

/** The error classes an SDK client exports as statics (`OpenAI.APIError`, `Anthropic.APIError`, …). */
export interface SdkErrors {
  readonly APIError: ErrorClass<Error & { readonly status: number | undefined; readonly error?: unknown }>;
  readonly APIConnectionError: ErrorClass;
  readonly APIConnectionTimeoutError: ErrorClass;
  readonly APIUserAbortError: ErrorClass;
}

/** Thrown by a response parser when the body is not what the API sends (HTML, truncated JSON, …). */
export class MalformedResponseError extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(`malformed response: ${reason}`);
    this.reason = reason;
    this.name = 'MalformedResponseError';
  }
}

/** The server's own explanation: `error.message` of the body (anthropic also offers it as apiMessage). */
function serverMessage(err: { readonly error?: unknown }): string | undefined {
  const api = (err as { apiMessage?: unknown }).apiMessage;
  if (typeof api === 'string' && api) return api;
  const body = err.error;
  const msg = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : undefined;
  return typeof msg === 'string' && msg ? msg : undefined;
}

/** What `err`, thrown by a call through an SDK with these error classes, means. */
export function failureOf(err: unknown, sdk: SdkErrors): ProviderFailure {
  if (err instanceof sdk.APIUserAbortError) return { kind: 'aborted' };
  if (err instanceof sdk.APIConnectionTimeoutError) return { kind: 'timeout' };
  if (err instanceof sdk.APIConnectionError) return { kind: 'unreachable', code: systemErrorCode(err) };
  if (err instanceof sdk.APIError && typeof err.status === 'number')
    return { kind: 'status', status: err.status, serverMessage: serverMessage(err) };
  if (err instanceof MalformedResponseError) return { kind: 'malformed', reason: err.reason };
  if (err instanceof SyntaxError) return { kind: 'malformed', reason: 'body is not valid JSON' };
  return { kind: 'unexpected', name: err instanceof Error ? err.name : undefined };
}

export interface FailureContext {
  /** Host of the API, named when it cannot be reached. */
  readonly host: string;
  readonly timeoutSeconds: number;
  readonly maxRetries: number;
  readonly model: string;
  /** Removed from any text taken from the server. */
  readonly apiKey?: string | undefined;
  /** `verify` reads a 404 as an unknown model. */
  readonly phase: 'request' | 'verify';
}

/** Longest server text kept (400/422 only). */
const MAX_SERVER_TEXT = 160;
/** Key-shaped strings (OpenAI `sk-…`, `sk-proj-…`; Anthropic `sk-ant-…`). */
const KEY_SHAPED = /sk-[\w-]{8,}/g;

/** Server text, one line, without the key or anything shaped like one, clipped. */
export function redact(text: string, apiKey?: string): string {
  let out = text.replace(/\s+/g, ' ').trim();
  if (apiKey) out = out.split(apiKey).join('[redacted]');
  out = out.replace(KEY_SHAPED, '[redacted]');
  return out.length > MAX_SERVER_TEXT ? `${out.slice(0, MAX_SERVER_TEXT)}…` : out;
}

/** The statuses the SDKs retry (besides network errors and timeouts). */
export const isRetriedStatus = (status: number): boolean =>
  status === 408 || status === 409 || status === 429 || status >= 500;

const REASONS: Readonly<Record<number, string>> = {
  400: 'bad request',
  401: 'invalid API key',
  403: 'permission denied',
  404: 'not found',
  408: 'request timeout',
  409: 'conflict',
  413: 'request too large',
  422: 'unprocessable request',
  429: 'rate limited',
  529: 'overloaded',
};

/** A few words for an HTTP status. */
export const statusReason = (status: number): string =>
  REASONS[status] ?? (status >= 500 ? 'server error' : 'request rejected');

const retried = (n: number): string => (n > 0 ? ` after ${n} ${n === 1 ? 'retry' : 'retries'}` : '');

/** The reason alone, e.g. `429 rate limited after 2 retries`, `cannot reach api.openai.com (ECONNREFUSED)`. */
export function describeFailure(f: ProviderFailure, ctx: FailureContext): string {
  switch (f.kind) {
    case 'aborted':
      return 'aborted';
    case 'timeout':
      return `timed out after ${ctx.timeoutSeconds}s${retried(ctx.maxRetries)}`;
    case 'unreachable':
      return `cannot reach ${ctx.host}${f.code ? ` (${f.code})` : ''}${retried(ctx.maxRetries)}`;
    case 'status': {
      const { status } = f;
      const reason =
        status === 404 && ctx.phase === 'verify' && ctx.model
          ? `unknown model "${ctx.model}"`
          : statusReason(status);
      const after = isRetriedStatus(status) ? retried(ctx.maxRetries) : '';
      // For 400/422 the server's own words (e.g. "roles must alternate") are the useful part.
      const said =
        (status === 400 || status === 422) && f.serverMessage
          ? `: ${redact(f.serverMessage, ctx.apiKey)}`
          : '';
      return `${status} ${reason}${after}${said}`;
    }
    case 'malformed':
      return `malformed response: ${f.reason}`;
    case 'unexpected':
      return `unexpected error${f.name ? ` (${f.name})` : ''}`;
  }
}
