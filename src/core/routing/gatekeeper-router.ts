// The gatekeeper router: POSTs the routing request to the operator's HTTP service ([routing.gatekeeper])
// and validates its decision. Retries 5xx and network errors with backoff; 4xx and timeouts fail at once.
import { setTimeout as delay } from 'node:timers/promises';

import type { LoggerV1 } from '@agent2389/tool-sdk';
import { AgentError, ERR_ROUTER_BAD_DECISION, ERR_ROUTER_FAILED, reasonOf } from '../errors.js';
import { parseDecision, type Router, type RoutingDecision, type RoutingRequest } from './decision.js';

/** `[routing.gatekeeper]` as parsed from the config. */
export interface GatekeeperOptions {
  readonly url: string;
  /** Per attempt, from sending the request to the end of the response body. */
  readonly timeout_ms: number;
  /** Retries after the first attempt, on 5xx and network errors only. */
  readonly retry_attempts: number;
}

export const MAX_GATEKEEPER_BODY_BYTES = 1_048_576;
/** Backoff before retry n (0-based) is FIRST_BACKOFF_MS × 2^n, at most MAX_BACKOFF_MS. */
export const FIRST_BACKOFF_MS = 100;
export const MAX_BACKOFF_MS = 10_000;

const ROUTER = 'gatekeeper';

/** A failure worth another attempt (5xx, network error). */
interface Retryable {
  readonly retry: string;
  readonly status?: number;
}

type Failure = ConstructorParameters<typeof ERR_ROUTER_FAILED>[0];
const failed = (d: Omit<Failure, 'router'>, cause?: unknown): Error =>
  new ERR_ROUTER_FAILED({ router: ROUTER, ...d }, cause === undefined ? undefined : { cause });

/** The caller's abort reason: that, not a fetch AbortError, is the outcome of a cancelled decision. */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : failed({ reason: 'aborted' }, reason);
}

/** Read at most `maxBytes` of a body; undefined (and the stream cancelled) if it is longer. */
async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<Buffer | undefined> {
  if (!body) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks, size);
    size += value.byteLength;
    if (size > maxBytes) {
      reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
}

/** A 2xx body: at most MAX_GATEKEEPER_BODY_BYTES of JSON holding a valid decision. */
async function decisionOf(res: Response, attempts: number): Promise<RoutingDecision> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  const bytes =
    declared > MAX_GATEKEEPER_BODY_BYTES ? undefined : await readCapped(res.body, MAX_GATEKEEPER_BODY_BYTES);
  if (bytes === undefined) {
    res.body?.cancel().catch(() => undefined);
    throw failed({
      reason: `response body over ${MAX_GATEKEEPER_BODY_BYTES} bytes`,
      status: res.status,
      attempts,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ERR_ROUTER_BAD_DECISION(
      { router: ROUTER, field: '', problem: 'the response is not JSON' },
      { cause: err },
    );
  }
  return parseDecision(value, ROUTER);
}

/** One POST under its own timeout: a decision, a retryable failure, or a thrown final error. */
async function attempt(
  opts: GatekeeperOptions,
  body: string,
  signal: AbortSignal,
  attempts: number,
): Promise<RoutingDecision | Retryable> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), opts.timeout_ms);
  const both = AbortSignal.any([signal, timeout.signal]);
  const settle = (err: unknown, what: string): Retryable => {
    if (signal.aborted) throw abortReason(signal);
    if (timeout.signal.aborted)
      throw failed({ reason: `no answer within ${opts.timeout_ms} ms`, attempts, timedOut: true }, err);
    if (AgentError.is(err)) throw err; // our own coded errors (body too large, bad decision)
    const cause: unknown = err instanceof Error ? err.cause : undefined;
    return { retry: `${what}: ${reasonOf(cause ?? err)}` };
  };
  try {
    let res: Response;
    try {
      res = await fetch(opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body,
        signal: both,
        redirect: 'manual',
      });
    } catch (err) {
      return settle(err, 'network error');
    }
    if (res.status >= 500) {
      res.body?.cancel().catch(() => undefined);
      return { retry: `HTTP ${res.status}`, status: res.status };
    }
    if (res.status < 200 || res.status >= 300) {
      res.body?.cancel().catch(() => undefined);
      throw failed({ reason: `HTTP ${res.status}`, status: res.status, attempts });
    }
    try {
      return await decisionOf(res, attempts);
    } catch (err) {
      return settle(err, 'reading the response');
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A Router that asks the gatekeeper service. Its URL is operator config (trusted), so loopback and
 * private addresses are allowed on purpose: unlike tool requests, no address policy applies.
 */
export function createGatekeeperRouter(
  opts: GatekeeperOptions,
  deps: { log?: LoggerV1; /** Tests only. */ firstBackoffMs?: number } = {},
): Router {
  const firstBackoffMs = deps.firstBackoffMs ?? FIRST_BACKOFF_MS;
  let url: URL;
  try {
    url = new URL(opts.url);
  } catch (err) {
    throw failed({ reason: 'the url is not a valid URL' }, err);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw failed({ reason: `the url must be http(s), not ${url.protocol}` });
  if (url.username || url.password) throw failed({ reason: 'the url must not carry credentials' });

  return {
    kind: ROUTER,
    async decide(req: RoutingRequest, signal: AbortSignal): Promise<RoutingDecision> {
      const body = JSON.stringify(req);
      for (let n = 0; ; n++) {
        if (signal.aborted) throw abortReason(signal);
        const outcome = await attempt(opts, body, signal, n + 1);
        if (!('retry' in outcome)) return outcome;
        if (n >= opts.retry_attempts) {
          const status = outcome.status === undefined ? {} : { status: outcome.status };
          throw failed({ reason: outcome.retry, attempts: n + 1, ...status });
        }
        const wait = Math.min(firstBackoffMs * 2 ** n, Math.max(MAX_BACKOFF_MS, firstBackoffMs));
        deps.log?.warn({ attempt: n + 1, reason: outcome.retry, retryInMs: wait }, 'gatekeeper: retrying');
        try {
          await delay(wait, undefined, { signal });
        } catch {
          throw abortReason(signal);
        }
      }
    },
  };
}
