// One JSON request to a search API: timeout and abort, redirects refused, bounded reads, status and JSON checks.
import { systemErrorCode, ToolError } from '@agent2389/tool-sdk';
import { quoteBody, readCapped, type CappedBody } from './bounded-body.js';
import {
  aborted,
  badResponse,
  statusFailed,
  timedOut,
  unreachable,
  type SearchTarget,
} from './search-errors.js';

/** The most response body read; a larger answer is not downloaded further (SEARCH_BAD_RESPONSE). */
export const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

export interface JsonRequest {
  readonly target: SearchTarget;
  readonly url: URL;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly timeoutSeconds: number;
  /** The call's signal (task timeout, shutdown). */
  readonly signal: AbortSignal;
  /** Removed from any error body we quote (a server may echo it). */
  readonly secret?: string;
  /** Backend-specific advice for a failed status, e.g. SearXNG's 403. */
  readonly statusHint?: (status: number) => string | undefined;
}

function transportError(err: unknown, req: JsonRequest, timeout: AbortSignal): Error {
  if (req.signal.aborted) return aborted(req.target);
  if (timeout.aborted) return timedOut(req.target, req.timeoutSeconds);
  return unreachable(req.target, systemErrorCode(err));
}

/** A redirect target without its query or fragment (which may carry tokens). */
function safeLocation(location: string | null, base: URL): string | undefined {
  if (!location) return undefined;
  try {
    const url = new URL(location, base);
    return `${url.origin}${url.pathname}`;
  } catch {
    return undefined;
  }
}

async function statusError(response: Response, req: JsonRequest): Promise<Error> {
  const retryAfter = response.headers.get('retry-after')?.slice(0, 64) || undefined;
  return statusFailed(req.target, {
    status: response.status,
    retryAfter,
    location: safeLocation(response.headers.get('location'), req.url),
    body: await quoteBody(response, req.secret),
    hint: req.statusHint?.(response.status),
  });
}

function tooLarge(req: JsonRequest): Error {
  return badResponse(req.target, `larger than ${MAX_RESPONSE_BYTES} bytes`, {
    limit_bytes: MAX_RESPONSE_BYTES,
  });
}

function parseJson(bytes: Buffer, req: JsonRequest, contentType: string | null): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    const type = contentType ?? 'none';
    throw badResponse(req.target, `not JSON (content-type ${type}); is the endpoint the search API URL?`, {
      content_type: type,
    });
  }
}

/**
 * Send the request and return the parsed JSON answer. Redirects are not followed (an API key header
 * must not travel to another host); every failure is a ToolError with a SEARCH_* code.
 */
export async function requestJson(req: JsonRequest): Promise<unknown> {
  if (req.signal.aborted) throw aborted(req.target);
  const timeout = AbortSignal.timeout(Math.ceil(req.timeoutSeconds * 1000));
  const signal = AbortSignal.any([req.signal, timeout]);
  let response: Response;
  let body: CappedBody;
  try {
    response = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal,
      redirect: 'manual',
    });
    if (response.status < 200 || response.status > 299) throw await statusError(response, req);
    if (Number(response.headers.get('content-length') ?? 0) > MAX_RESPONSE_BYTES) {
      response.body?.cancel().catch(() => undefined);
      throw tooLarge(req);
    }
    body = await readCapped(response.body, MAX_RESPONSE_BYTES);
  } catch (err) {
    if (ToolError.is(err)) throw err;
    throw transportError(err, req, timeout);
  }
  if (body.truncated) throw tooLarge(req);
  return parseJson(body.bytes, req, response.headers.get('content-type'));
}
