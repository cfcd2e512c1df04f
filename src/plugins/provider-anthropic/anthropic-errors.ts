// Maps SDK and transport failures to short, redacted Error messages (no key, no request body).
import { APIConnectionError, APIConnectionTimeoutError, APIError } from '@anthropic-ai/sdk';

export interface ErrorContext {
  /** Host of the API, named when it cannot be reached. */
  readonly host: string;
  readonly timeoutSeconds: number;
  /** Removed from any text taken from the server. */
  readonly apiKey?: string | undefined;
}

const MAX_REASON = 160;

function statusReason(status: number): string {
  if (status === 401) return 'invalid API key';
  if (status === 403) return 'permission denied';
  if (status === 404) return 'not found';
  if (status === 408) return 'request timeout';
  if (status === 413) return 'request too large';
  if (status === 429) return 'rate limited';
  if (status === 529) return 'overloaded';
  if (status >= 500) return 'server error';
  return 'bad request';
}

function clean(text: string, ctx: ErrorContext): string {
  let out = text.replace(/\s+/g, ' ').trim();
  if (ctx.apiKey) out = out.split(ctx.apiKey).join('[redacted]');
  out = out.replace(/sk-ant-[\w-]+/g, '[redacted]');
  return out.length > MAX_REASON ? `${out.slice(0, MAX_REASON)}…` : out;
}

/** The reason alone, e.g. `401 invalid API key`, `timed out after 60s`, `cannot reach api.anthropic.com`. */
export function describeFailure(err: unknown, ctx: ErrorContext): string {
  if (err instanceof APIConnectionTimeoutError) return `timed out after ${ctx.timeoutSeconds}s`;
  if (err instanceof APIConnectionError) return `cannot reach ${ctx.host}`;
  if (err instanceof APIError && typeof err.status === 'number') {
    const status = err.status;
    const reason = statusReason(status);
    // For 400/422 the server's own message (e.g. "roles must alternate") is the useful part.
    const detail =
      (status === 400 || status === 422) && typeof err.apiMessage === 'string' && err.apiMessage
        ? `: ${clean(err.apiMessage, ctx)}`
        : '';
    return `${status} ${reason}${detail}`;
  }
  if (err instanceof SyntaxError) return 'malformed response: body is not valid JSON';
  if (err instanceof Error) return clean(err.message, ctx);
  return 'unknown error';
}

/** An Error for doGenerate: `Anthropic request failed: <reason>`. */
export function toRequestError(err: unknown, ctx: ErrorContext): Error {
  return new Error(`Anthropic request failed: ${describeFailure(err, ctx)}`, { cause: err });
}

export function hostOf(baseUrl: string | undefined): string {
  if (!baseUrl) return 'api.anthropic.com';
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}
