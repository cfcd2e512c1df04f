// One request under a URL policy: every hop checked before it connects, redirects followed, body capped.
import type { IncomingMessage } from 'node:http';

import { startDeadline } from './deadline.js';
import { readLimited, sendRequest, type HopRequest } from './fetch-limited.js';
import type { HttpConfig } from './http-config.js';
import { nextHop, redirectTarget, tooManyRedirects } from './redirects.js';
import { buildRequestHeaders } from './request-headers.js';
import { decodeBody, plainHeaders, type BodyEncoding } from './response-body.js';
import { checkTarget, parseRequestUrl } from './target-checks.js';

export interface PolicyRequest {
  readonly url: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** May only lower the policy's `timeoutSeconds`. */
  readonly timeout_seconds?: number;
}

export interface PolicyResponse {
  /** The final URL, after redirects. */
  readonly url: string;
  readonly status: number;
  readonly status_text: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly body_encoding: BodyEncoding;
  readonly truncated: boolean;
  /** How many redirects were followed. */
  readonly redirects: number;
}

/** Called once per hop after its response head arrived (for debug logging). */
export type HopObserver = (hop: { host: string; method: string; status: number | undefined }) => void;

function firstHop(input: PolicyRequest): HopRequest {
  const url = parseRequestUrl(input.url);
  const method = (input.method ?? 'GET').toUpperCase();
  const body = input.body === undefined ? undefined : Buffer.from(input.body, 'utf8');
  return { url, method, headers: buildRequestHeaders(input.headers, body), body };
}

/** The request's timeout: the caller may only lower the operator's ceiling. */
function timeoutMs(input: PolicyRequest, config: HttpConfig): number {
  const asked = input.timeout_seconds;
  const seconds =
    typeof asked === 'number' && asked > 0 ? Math.min(asked, config.timeoutSeconds) : config.timeoutSeconds;
  return seconds * 1000;
}

async function toResponse(
  hop: HopRequest,
  res: IncomingMessage,
  redirects: number,
  config: HttpConfig,
  signal: AbortSignal,
): Promise<PolicyResponse> {
  const { body, truncated } = await readLimited(res, config.maxResponseSize, hop.url, signal);
  return {
    url: hop.url.href,
    status: res.statusCode ?? 0,
    status_text: res.statusMessage ?? '',
    headers: plainHeaders(res),
    ...decodeBody(body, res, truncated),
    truncated,
    redirects,
  };
}

async function follow(
  input: PolicyRequest,
  config: HttpConfig,
  signal: AbortSignal,
  onHop: HopObserver | undefined,
): Promise<PolicyResponse> {
  let hop = firstHop(input);
  for (let redirects = 0; ; redirects++) {
    checkTarget(hop.url, config);
    const res = await sendRequest(hop, config.lookup, signal);
    onHop?.({ host: hop.url.host, method: hop.method, status: res.statusCode });
    const target = redirectTarget(res, hop.url);
    if (!target) return toResponse(hop, res, redirects, config, signal);
    res.destroy(); // the body of a redirect is never read
    if (redirects >= config.maxRedirects) throw tooManyRedirects(config.maxRedirects, hop.url);
    hop = nextHop(hop, res.statusCode ?? 0, target);
  }
}

/**
 * Send `input` under `config` (see parseHttpConfig): only public addresses unless allowed, host
 * globs, at most `maxRedirects` redirects each checked again, at most `maxResponseSize` body bytes,
 * and one deadline over the whole chain. Non-2xx statuses are responses; refusals and transport
 * failures throw ToolError with a stable code (HTTP_PRIVATE_ADDRESS, HTTP_TIMEOUT, …).
 */
export async function fetchWithPolicy(
  input: PolicyRequest,
  config: HttpConfig,
  signal: AbortSignal,
  onHop?: HopObserver,
): Promise<PolicyResponse> {
  const deadline = startDeadline(signal, timeoutMs(input, config));
  try {
    return await follow(input, config, deadline.signal, onHop);
  } finally {
    deadline.dispose();
  }
}
