// host.fetch, host side (in the script-host child): one call's requests under its tool's URL policy.
// Loaded by the script host only when a script declares fetch (node:http/https cost ~100 ms to load
// without the startup snapshot).
import {
  fetchWithPolicy,
  parseHttpConfig,
  type HttpConfig,
  type PolicyRequest,
} from '@agent2389/tool-sdk/http';
import { ToolError } from '@agent2389/tool-sdk';
import type { FetchPolicy } from '../../config/fetch-policy.js';

/** A tool's policy, parsed once per loaded script. */
export interface FetchSetup {
  readonly policy: FetchPolicy;
  readonly config: HttpConfig;
  /** The state of one call's requests; `onRequest` gets a one-line summary of each. */
  startCall(onRequest: (summary: string) => void): CallFetches;
}

export function createFetchSetup(policy: FetchPolicy): FetchSetup {
  const setup: FetchSetup = {
    policy,
    config: parseHttpConfig(policy),
    startCall: (onRequest) => new CallFetches(setup, onRequest),
  };
  return setup;
}

/** The JSON text handed back to the isolate's wrapper, which turns `ok: false` into a thrown Error. */
type Reply = { ok: true; response: unknown } | { ok: false; code: string; message: string };

const INIT_KEYS = new Set(['method', 'headers', 'body', 'timeout_seconds']);

const invalid = (message: string): ToolError => new ToolError('FETCH_INVALID_REQUEST', message);

/** Check what the script passed (any JSON value) and turn it into a request; throws FETCH_INVALID_REQUEST. */
export function parseFetchRequest(url: string, initJson: string): PolicyRequest {
  const init: unknown = JSON.parse(initJson);
  if (init === null || typeof init !== 'object' || Array.isArray(init))
    throw invalid('the second argument of host.fetch must be an object');
  const o = init as Record<string, unknown>;
  for (const key of Object.keys(o))
    if (!INIT_KEYS.has(key))
      throw invalid(`unknown option "${key}" (host.fetch takes method, headers, body, timeout_seconds)`);
  const { method, headers, body, timeout_seconds } = o;
  if (method !== undefined && typeof method !== 'string') throw invalid('method must be a string');
  if (body !== undefined && typeof body !== 'string') throw invalid('body must be a string');
  if (timeout_seconds !== undefined && (typeof timeout_seconds !== 'number' || !(timeout_seconds > 0)))
    throw invalid('timeout_seconds must be a positive number');
  if (headers !== undefined) {
    if (headers === null || typeof headers !== 'object' || Array.isArray(headers))
      throw invalid('headers must be an object of strings');
    for (const [name, value] of Object.entries(headers))
      if (typeof value !== 'string') throw invalid(`header "${name}" must be a string`);
  }
  return {
    url,
    ...(method !== undefined ? { method } : {}),
    ...(headers !== undefined ? { headers: headers as Record<string, string> } : {}),
    ...(body !== undefined ? { body } : {}),
    ...(timeout_seconds !== undefined ? { timeout_seconds } : {}),
  };
}

/**
 * The requests of one call: counted against `max_requests`, aborted when the call ends, and timed,
 * so the call's wall clock can leave out the time it spent waiting on the network.
 */
export class CallFetches {
  readonly #abort = new AbortController();
  #requests = 0;
  #inFlight = 0;
  #since = 0;
  #waitedMs = 0;

  constructor(
    private readonly setup: FetchSetup,
    private readonly onRequest: (summary: string) => void,
  ) {}

  /** Milliseconds during which at least one request was in flight. */
  waitedMs(now = performance.now()): number {
    return this.#waitedMs + (this.#inFlight > 0 ? now - this.#since : 0);
  }

  /** The call is over: abort whatever is still in flight. */
  end(): void {
    this.#abort.abort(new ToolError('FETCH_CALL_ENDED', 'the tool call ended before the request finished'));
  }

  /** One host.fetch; never rejects (the reply says how it failed). */
  async request(url: string, initJson: string): Promise<string> {
    const reply = await this.#request(url, initJson).then(
      (response): Reply => ({ ok: true, response }),
      (e: unknown): Reply =>
        ToolError.is(e)
          ? { ok: false, code: e.code, message: e.message }
          : { ok: false, code: 'HTTP_REQUEST_FAILED', message: 'the request failed' },
    );
    return JSON.stringify(reply);
  }

  async #request(url: string, initJson: string): Promise<unknown> {
    const max = this.setup.policy.max_requests;
    if (this.#requests >= max)
      throw new ToolError('FETCH_LIMIT', `host.fetch may be called at most ${max} times per call`);
    this.#requests++;
    const req = parseFetchRequest(url, initJson);
    if (this.#inFlight++ === 0) this.#since = performance.now();
    const t0 = performance.now();
    let outcome = 'failed';
    try {
      const res = await fetchWithPolicy(req, this.setup.config, this.#abort.signal);
      outcome = String(res.status);
      return res;
    } catch (e) {
      if (ToolError.is(e)) outcome = e.code;
      throw e;
    } finally {
      if (--this.#inFlight === 0) this.#waitedMs += performance.now() - this.#since;
      const host = URL.canParse(url) ? new URL(url).host : '(invalid URL)';
      const ms = Math.round(performance.now() - t0);
      this.onRequest(`host.fetch ${(req.method ?? 'GET').toUpperCase()} ${host} → ${outcome} (${ms} ms)`);
    }
  }
}
