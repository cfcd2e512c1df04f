// Turns SDK failures into short, redacted messages: status and reason, never the key, URL path or body.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';

import { systemErrorCode } from '../../../tool-sdk/src/index.js';
import { MalformedResponseError } from './response-parsing.js';

export interface ErrorContext {
  readonly host: string;
  readonly timeoutSeconds: number;
  readonly maxRetries: number;
  readonly model: string;
  /** 'verify' maps 404 to an unknown model. */
  readonly phase: 'request' | 'verify';
}

/** The host (and port) of a base URL, never its path or query. */
export function hostOf(baseUrl: string | undefined): string {
  if (!baseUrl) return 'api.openai.com';
  try {
    return new URL(baseUrl).host;
  } catch {
    return 'the configured base_url';
  }
}

const retried = (n: number): string => (n > 0 ? ` after ${n} ${n === 1 ? 'retry' : 'retries'}` : '');

function statusReason(status: number, ctx: ErrorContext): string {
  if (status === 401) return 'invalid API key';
  if (status === 403) return 'permission denied';
  if (status === 404) return ctx.phase === 'verify' ? `unknown model "${ctx.model}"` : 'not found';
  if (status === 400) return 'bad request';
  if (status === 422) return 'unprocessable request';
  if (status === 429) return `rate limited${retried(ctx.maxRetries)}`;
  if (status === 408 || status === 409 || status >= 500) return `server error${retried(ctx.maxRetries)}`;
  return 'request rejected';
}

/** The message the agent reports (and logs); the SDK error stays as `cause`. */
export function describeError(err: unknown, ctx: ErrorContext): string {
  const prefix = ctx.phase === 'verify' ? 'OpenAI check failed' : 'OpenAI request failed';
  if (err instanceof APIUserAbortError) return `${prefix}: aborted`;
  if (err instanceof APIConnectionTimeoutError) {
    return `${prefix}: timed out after ${ctx.timeoutSeconds}s${retried(ctx.maxRetries)}`;
  }
  if (err instanceof APIConnectionError) {
    const code = systemErrorCode(err);
    return `${prefix}: cannot reach ${ctx.host}${code ? ` (${code})` : ''}${retried(ctx.maxRetries)}`;
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    return `${prefix}: ${err.status} ${statusReason(err.status, ctx)}`;
  }
  if (err instanceof MalformedResponseError) return `${prefix}: ${err.message}`;
  if (err instanceof SyntaxError) return `${prefix}: malformed response: body is not valid JSON`;
  return `${prefix}: unexpected error${err instanceof Error ? ` (${err.name})` : ''}`;
}

export function toProviderError(err: unknown, ctx: ErrorContext): Error {
  return new Error(describeError(err, ctx), { cause: err });
}
