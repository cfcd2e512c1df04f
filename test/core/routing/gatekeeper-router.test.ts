// The gatekeeper router against a real node:http server on 127.0.0.1.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';

import { afterEach, describe, expect, it } from 'vitest';

import type { RoutingRequest } from '../../../src/core/routing/decision.js';
import {
  MAX_GATEKEEPER_BODY_BYTES,
  createGatekeeperRouter,
  type GatekeeperOptions,
} from '../../../src/core/routing/gatekeeper-router.js';
import { listenLoopback, readBody, type Listening } from '../../helpers/loopback-server.js';
import { recordingLogger } from '../../helpers/recording-logger.js';
import { rejected, thrown } from '../../helpers/thrown.js';

const request: RoutingRequest = {
  original_query: 'Write a blog post about MQTT',
  workflow_history: [{ agent_id: 'researcher', action: 'researched', timestamp: '2025-01-01T00:00:00Z' }],
  current_output: 'notes…',
  available_agents: [{ agent_id: 'writer', capabilities: ['writing'], load: 0.25 }],
  iteration_count: 1,
};
const forward = { workflow_complete: false, next_agent: 'writer', next_instruction: 'draft it' };

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** Each request is answered by the next handler (the last one repeats); every request is recorded. */
type Handler = (res: ServerResponse) => void;
const json =
  (status: number, body: unknown): Handler =>
  (res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
const never: Handler = () => undefined;

let server: Listening | undefined;
afterEach(() => server?.close());

async function gatekeeper(...handlers: Handler[]): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const http = createServer((req, res) => {
    void readBody(req).then((text) => {
      seen.push({ method: req.method!, path: req.url!, headers: req.headers, body: JSON.parse(text) });
      (handlers[seen.length - 1] ?? handlers.at(-1)!)(res);
    });
  });
  server = await listenLoopback(http);
  return { url: `${server.url}/route`, seen };
}

const options = (url: string, over: Partial<GatekeeperOptions> = {}): GatekeeperOptions => ({
  url,
  timeout_ms: 5000,
  retry_attempts: 3,
  ...over,
});
const live = (): AbortSignal => new AbortController().signal;

describe('gatekeeper router', () => {
  it('POSTs the request as JSON and returns the decision', async () => {
    const { url, seen } = await gatekeeper(json(200, { ...forward, reasoning: 'needs a draft', extra: 1 }));
    const router = createGatekeeperRouter(options(url));
    expect(router.kind).toBe('gatekeeper');
    expect(await router.decide(request, live())).toEqual({ ...forward, reasoning: 'needs a draft' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/route', body: request });
    expect(seen[0]!.headers['content-type']).toBe('application/json');
  });

  it('a 5xx then a success: retried once', async () => {
    const log = recordingLogger();
    const { url, seen } = await gatekeeper(
      json(503, { error: 'busy' }),
      json(200, { workflow_complete: true }),
    );
    const decision = await createGatekeeperRouter(options(url), { log }).decide(request, live());
    expect(decision).toEqual({ workflow_complete: true });
    expect(seen).toHaveLength(2);
    expect(log.entries.filter((e) => e.level === 'warn').map((e) => e.obj)).toEqual([
      { attempt: 1, reason: 'HTTP 503', retryInMs: 100 },
    ]);
  });

  it('a network error (connection dropped) then a success: retried', async () => {
    const { url, seen } = await gatekeeper(
      (res) => res.socket?.destroy(),
      json(200, { workflow_complete: true }),
    );
    expect(await createGatekeeperRouter(options(url)).decide(request, live())).toEqual({
      workflow_complete: true,
    });
    expect(seen).toHaveLength(2);
  });

  it('5xx on every attempt: fails after retry_attempts retries with the last status', async () => {
    const { url, seen } = await gatekeeper(json(500, {}));
    const err = await rejected(
      createGatekeeperRouter(options(url, { retry_attempts: 2 })).decide(request, live()),
    );
    expect(err.code).toBe('AGENT_ERR_ROUTER_FAILED');
    expect(err.data).toMatchObject({ router: 'gatekeeper', status: 500, attempts: 3 });
    expect(seen).toHaveLength(3);
  });

  it('retry_attempts = 0: one attempt only', async () => {
    const { url, seen } = await gatekeeper(json(502, {}));
    const err = await rejected(
      createGatekeeperRouter(options(url, { retry_attempts: 0 })).decide(request, live()),
    );
    expect(err.data).toMatchObject({ status: 502, attempts: 1 });
    expect(seen).toHaveLength(1);
  });

  it('unreachable (connection refused) on every attempt: fails, not retried forever', async () => {
    const { url } = await gatekeeper(json(200, {}));
    await server!.close();
    const err = await rejected(
      createGatekeeperRouter(options(url, { retry_attempts: 1 })).decide(request, live()),
    );
    expect(err.code).toBe('AGENT_ERR_ROUTER_FAILED');
    expect(err.data).toMatchObject({ attempts: 2 });
    expect(err.data).not.toHaveProperty('status');
  });

  it.each([400, 404, 422, 301])('HTTP %i fails at once (one request seen)', async (status) => {
    const { url, seen } = await gatekeeper((res) => {
      res.writeHead(status, { location: '/elsewhere' });
      res.end();
    });
    const err = await rejected(createGatekeeperRouter(options(url)).decide(request, live()));
    expect(err.code).toBe('AGENT_ERR_ROUTER_FAILED');
    expect(err.data).toMatchObject({ status, attempts: 1 });
    expect(seen).toHaveLength(1);
  });

  it('a timeout fails at once, without a retry', async () => {
    const { url } = await gatekeeper(never);
    const err = await rejected(
      createGatekeeperRouter(options(url, { timeout_ms: 50 })).decide(request, live()),
    );
    expect(err.code).toBe('AGENT_ERR_ROUTER_FAILED');
    expect(err.data).toMatchObject({ timedOut: true, attempts: 1 });
  });

  it('a timeout while the body is still arriving also fails at once', async () => {
    const { url } = await gatekeeper((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"workflow_complete":');
    });
    const err = await rejected(
      createGatekeeperRouter(options(url, { timeout_ms: 100 })).decide(request, live()),
    );
    expect(err.data).toMatchObject({ timedOut: true, attempts: 1 });
  });

  it.each([
    ['streamed', false],
    ['declared in content-length', true],
  ])('a body over 1 MiB (%s) fails without retry', async (_, declare) => {
    const big = JSON.stringify({ workflow_complete: true, reasoning: 'x'.repeat(MAX_GATEKEEPER_BODY_BYTES) });
    const { url, seen } = await gatekeeper((res) => {
      res.writeHead(200, declare ? { 'content-length': Buffer.byteLength(big) } : {});
      res.end(big);
    });
    const err = await rejected(createGatekeeperRouter(options(url)).decide(request, live()));
    expect(err.code).toBe('AGENT_ERR_ROUTER_FAILED');
    expect(err.data).toMatchObject({ status: 200, attempts: 1 });
    expect(seen).toHaveLength(1);
  });

  it('a body of exactly 1 MiB is read', async () => {
    const head = JSON.stringify({ workflow_complete: true, reasoning: '' });
    const body = head.slice(0, -2) + '"' + ' '.repeat(MAX_GATEKEEPER_BODY_BYTES - head.length) + '}';
    expect(Buffer.byteLength(body)).toBe(MAX_GATEKEEPER_BODY_BYTES);
    const { url } = await gatekeeper(json(200, body));
    expect(await createGatekeeperRouter(options(url)).decide(request, live())).toEqual({
      workflow_complete: true,
      reasoning: '',
    });
  });

  it.each([
    ['not JSON', 'Service OK', ''],
    ['an invalid decision', '{"workflow_complete": "no"}', 'workflow_complete'],
    ['a forward to a non-id', JSON.stringify({ ...forward, next_agent: '../x' }), 'next_agent'],
  ])('%s → AGENT_ERR_ROUTER_BAD_DECISION, not retried', async (_, body, field) => {
    const { url, seen } = await gatekeeper(json(200, body));
    const err = await rejected(createGatekeeperRouter(options(url)).decide(request, live()));
    expect(err.code).toBe('AGENT_ERR_ROUTER_BAD_DECISION');
    expect(err.data).toMatchObject({ router: 'gatekeeper', field });
    expect(seen).toHaveLength(1);
  });

  it('abort while waiting for the answer: rejects with the abort reason', async () => {
    let answered!: () => void;
    const requested = new Promise<void>((resolve) => (answered = resolve));
    const { url } = await gatekeeper(() => answered());
    const ac = new AbortController();
    const decision = createGatekeeperRouter(options(url)).decide(request, ac.signal);
    await requested;
    const reason = new Error('task cancelled');
    ac.abort(reason);
    await expect(decision).rejects.toBe(reason);
  });

  it('abort during the backoff: rejects at once with the abort reason, no further request', async () => {
    const ac = new AbortController();
    const reason = new Error('shutting down');
    const log = { ...recordingLogger(), warn: () => ac.abort(reason) };
    const { url, seen } = await gatekeeper(json(503, {}), json(200, { workflow_complete: true }));
    // A one-hour backoff: if it were not abortable, this test would time out.
    const router = createGatekeeperRouter(options(url), { log, firstBackoffMs: 3_600_000 });
    await expect(router.decide(request, ac.signal)).rejects.toBe(reason);
    expect(seen).toHaveLength(1);
  });

  it('an already aborted signal sends nothing', async () => {
    const { url, seen } = await gatekeeper(json(200, { workflow_complete: true }));
    const reason = new Error('gone');
    await expect(
      createGatekeeperRouter(options(url)).decide(request, AbortSignal.abort(reason)),
    ).rejects.toBe(reason);
    expect(seen).toHaveLength(0);
  });

  it.each(['not a url', 'ftp://127.0.0.1/route', 'http://user:secret@127.0.0.1/route'])(
    'url %s is refused when the router is made',
    (url) => {
      expect(thrown(() => createGatekeeperRouter(options(url))).code).toBe('AGENT_ERR_ROUTER_FAILED');
    },
  );
});
