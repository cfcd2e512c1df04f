// A WHATWG `fetch` for the MCP HTTP client that obeys the http_request address policy: the URL is checked
// before connecting (scheme, IP-literal host), the socket goes only to addresses the guarded lookup
// approved, redirects are returned, never followed, and the body streams (SSE) as it arrives.
import type { IncomingMessage } from 'node:http';
import { pipeline, Readable } from 'node:stream';

import { checkTarget, sendRequest, type HttpConfig } from '@agent2389/tool-sdk/http';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

import { toError } from '../errors.js';
import { boundedBody, MAX_MESSAGE_BYTES } from './bounded-body.js';

/** Statuses whose Response must have a null body (the Response constructor throws otherwise). */
const NULL_BODY = new Set([101, 204, 205, 304]);

function requestHeaders(init: RequestInit | undefined, body: Buffer | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, name) => {
    headers[name] = value;
  });
  if (body !== undefined) headers['content-length'] = String(body.length);
  return headers;
}

function responseHeaders(res: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

/** Aborting `signal` after the response head still tears the body (an SSE stream) down. */
function destroyOnAbort(res: IncomingMessage, signal: AbortSignal | undefined | null): void {
  if (!signal) return;
  const onAbort = (): void => {
    res.destroy(toError(signal.reason));
  };
  if (signal.aborted) return onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  res.once('close', () => signal.removeEventListener('abort', onAbort));
}

/**
 * A fetch that connects only where `config`'s address policy allows (refusals reject with its ToolError),
 * whose response body, or SSE event, may not exceed `maxMessageBytes`.
 */
export function policyFetch(config: HttpConfig, maxMessageBytes = MAX_MESSAGE_BYTES): FetchLike {
  return async (input, init) => {
    const url = new URL(String(input));
    checkTarget(url, config);
    const body =
      init?.body === undefined || init.body === null
        ? undefined
        : Buffer.from(await new Response(init.body).arrayBuffer());
    const method = (init?.method ?? 'GET').toUpperCase();
    const signal = init?.signal ?? new AbortController().signal;
    const res = await sendRequest(
      { url, method, headers: requestHeaders(init, body), body },
      config.lookup,
      signal,
    );
    destroyOnAbort(res, signal);
    // Node hands 1xx to 'information', never here; a status the Response constructor refuses rejects the fetch.
    const status = res.statusCode ?? 0;
    let stream: ReadableStream | null = null;
    if (NULL_BODY.has(status) || method === 'HEAD') res.resume();
    else {
      const sse = String(res.headers['content-type'] ?? '').startsWith('text/event-stream');
      // pipeline: a body over the cap destroys the response (its socket) too.
      const guarded = pipeline(res, boundedBody(maxMessageBytes, sse), () => {});
      stream = Readable.toWeb(guarded) as ReadableStream;
    }
    return new Response(stream as ReadableStream<Uint8Array> | null, {
      status,
      statusText: res.statusMessage ?? '',
      headers: responseHeaders(res),
    });
  };
}
