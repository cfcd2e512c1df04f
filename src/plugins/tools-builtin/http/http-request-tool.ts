// `http_request`: an HTTP(S) request to a public address, with redirect, size and time limits.
import type { IncomingMessage } from 'node:http';

import type { ToolCallContext, ToolV1 } from '../../../../tool-sdk/src/index.js';
import { describeFromManifest } from '../manifest-tools.js';
import { startDeadline } from './deadline.js';
import { readLimited, sendRequest, type HopRequest } from './fetch-limited.js';
import type { Resolver } from './guarded-lookup.js';
import { parseHttpConfig, type HttpConfig } from './http-config.js';
import { nextHop, redirectTarget, tooManyRedirects } from './redirects.js';
import { buildRequestHeaders } from './request-headers.js';
import { decodeBody, plainHeaders, type BodyEncoding } from './response-body.js';
import { checkTarget, parseRequestUrl } from './target-checks.js';

export interface HttpRequestInput {
  readonly url: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeout_seconds?: number;
}

export interface HttpRequestResult {
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

function firstHop(input: HttpRequestInput): HopRequest {
  const url = parseRequestUrl(input.url);
  const method = (input.method ?? 'GET').toUpperCase();
  const body = input.body === undefined ? undefined : Buffer.from(input.body, 'utf8');
  return { url, method, headers: buildRequestHeaders(input.headers, body), body };
}

/** The call's timeout: the caller may only lower the operator's ceiling. */
function timeoutMs(input: HttpRequestInput, config: HttpConfig): number {
  const asked = input.timeout_seconds;
  const seconds =
    typeof asked === 'number' && asked > 0 ? Math.min(asked, config.timeoutSeconds) : config.timeoutSeconds;
  return seconds * 1000;
}

async function toResult(
  hop: HopRequest,
  res: IncomingMessage,
  redirects: number,
  config: HttpConfig,
  signal: AbortSignal,
): Promise<HttpRequestResult> {
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

/** Follow the request through at most `maxRedirects` redirects, checking every hop before it connects. */
async function follow(
  input: HttpRequestInput,
  config: HttpConfig,
  signal: AbortSignal,
  ctx: ToolCallContext,
) {
  let hop = firstHop(input);
  for (let redirects = 0; ; redirects++) {
    checkTarget(hop.url, config);
    const res = await sendRequest(hop, config.lookup, signal);
    ctx.log.debug({ host: hop.url.host, method: hop.method, status: res.statusCode }, 'http_request hop');
    const target = redirectTarget(res, hop.url);
    if (!target) return toResult(hop, res, redirects, config, signal);
    res.destroy(); // the body of a redirect is never read
    if (redirects >= config.maxRedirects) throw tooManyRedirects(config.maxRedirects, hop.url);
    hop = nextHop(hop, res.statusCode ?? 0, target);
  }
}

export interface HttpRequestToolOptions {
  /** DNS resolution (tests inject one); default: the system resolver, every address. */
  readonly resolve?: Resolver;
}

export function createHttpRequestTool(
  options: HttpRequestToolOptions = {},
): ToolV1<HttpRequestInput, HttpRequestResult> {
  let config: HttpConfig | undefined;
  return {
    specificationVersion: 'v1',
    describe: () => describeFromManifest('http_request'),
    initialize(raw) {
      config = parseHttpConfig(raw, options.resolve);
    },
    async execute(input, ctx) {
      config ??= parseHttpConfig({}, options.resolve); // not initialized: the safe defaults
      const deadline = startDeadline(ctx.signal, timeoutMs(input, config));
      try {
        return await follow(input, config, deadline.signal, ctx);
      } finally {
        deadline.dispose();
      }
    },
  };
}
