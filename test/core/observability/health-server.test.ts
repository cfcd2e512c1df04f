import { Agent, IncomingMessage, request } from 'node:http';
import { Socket } from 'node:net';

import { describe, expect, it, onTestFinished } from 'vitest';

import {
  startHealthServer,
  wantsPrometheus,
  type HealthServer,
  type HealthSource,
} from '../../../src/core/observability/health-server.js';
import type { HealthReport } from '../../../src/core/observability/health-report.js';
import { recordingLogger } from '../../helpers/recording-logger.js';
import { rejected } from '../../helpers/thrown.js';

const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const PROM_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const PROM_BODY = '# HELP agent2389_info x\n# TYPE agent2389_info gauge\nagent2389_info 1\n';

function report(status: HealthReport['status']): HealthReport {
  const check = { status: status === 'healthy' ? 'ok' : 'degraded' } as const;
  return {
    status,
    agent_id: 'writer-1',
    version: '0.1.0',
    state: 'running',
    generation: 1,
    uptime_seconds: 5,
    checks: {
      mqtt: { status: 'ok' },
      provider: check,
      tools: { status: 'ok' },
      task_processing: check,
      dedupe: { status: 'ok' },
    },
    routable_agents: [],
  };
}

interface SourceState {
  ready: boolean;
  reason?: string;
  status: HealthReport['status'];
}

type FakeSource = HealthSource & { state: SourceState; scrapes: number };

/** A HealthSource whose answers a test sets through `state`; `scrapes` counts Prometheus renders. */
function fakeSource(over: Partial<HealthSource> = {}): FakeSource {
  const source: FakeSource = {
    state: { ready: true, status: 'healthy' },
    scrapes: 0,
    ready: () =>
      source.state.ready ? { ready: true } : { ready: false, reason: source.state.reason ?? 'unknown' },
    health: () => report(source.state.status),
    metricsJson: () => ({ tasks: { tasks_received: 3 } }),
    prometheus: () => {
      source.scrapes++;
      return Promise.resolve({ contentType: PROM_TYPE, body: PROM_BODY });
    },
    ...over,
  };
  return source;
}

/** Start a server on a free port of 127.0.0.1, closed when the test ends. */
async function serve(
  source: HealthSource,
  log = recordingLogger(),
): Promise<HealthServer & { log: ReturnType<typeof recordingLogger> }> {
  const server = await startHealthServer(source, { host: '127.0.0.1', port: 0, log });
  onTestFinished(() => server.close());
  return Object.assign(server, { log });
}

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, init);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  return { status: res.status, body: await res.json() };
}

describe('startHealthServer', () => {
  it('listens on a free port and reports its URL', async () => {
    const server = await serve(fakeSource());
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('answers /live with 200, uncached', async () => {
    const server = await serve(fakeSource());
    const res = await fetch(`${server.url}/live`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers /ready with 200 when ready and 503 with the reason when not', async () => {
    const source = fakeSource();
    const server = await serve(source);
    expect(await getJson(`${server.url}/ready`)).toEqual({ status: 200, body: { status: 'ready' } });
    source.state = { ready: false, reason: 'draining', status: 'healthy' };
    expect(await getJson(`${server.url}/ready`)).toEqual({
      status: 503,
      body: { status: 'not_ready', reason: 'draining' },
    });
  });

  it('answers /health with the report: 200 when healthy, 503 when degraded', async () => {
    const source = fakeSource();
    const server = await serve(source);
    expect(await getJson(`${server.url}/health`)).toEqual({ status: 200, body: report('healthy') });
    source.state.status = 'degraded';
    const degraded = await getJson(`${server.url}/health`);
    expect(degraded.status).toBe(503);
    expect(degraded.body).toMatchObject({ status: 'degraded', agent_id: 'writer-1' });
  });

  it('answers /metrics in JSON by default and for Accept: application/json', async () => {
    const source = fakeSource();
    const server = await serve(source);
    const json = { status: 200, body: { tasks: { tasks_received: 3 } } };
    expect(await getJson(`${server.url}/metrics`)).toEqual(json);
    expect(await getJson(`${server.url}/metrics`, { headers: { accept: 'application/json' } })).toEqual(json);
    expect(await getJson(`${server.url}/metrics`, { headers: { accept: '*/*' } })).toEqual(json);
    expect(source.scrapes).toBe(0);
  });

  it.each([
    ['Accept: text/plain', '/metrics', { accept: 'text/plain' }],
    ["the Prometheus server's Accept header", '/metrics', { accept: PROMETHEUS_ACCEPT }],
    ['Accept: application/openmetrics-text', '/metrics', { accept: 'application/openmetrics-text' }],
    ['?format=prometheus', '/metrics?format=prometheus', {}],
    [
      '?format=prometheus over Accept: application/json',
      '/metrics?format=prometheus',
      { accept: 'application/json' },
    ],
  ])('answers /metrics in Prometheus text for %s', async (_what, path, headers) => {
    const source = fakeSource();
    const server = await serve(source);
    const res = await fetch(`${server.url}${path}`, { headers });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(PROM_TYPE);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toBe(PROM_BODY);
    expect(source.scrapes).toBe(1);
  });

  it('answers /metrics?format=json in JSON whatever the Accept header says', async () => {
    const source = fakeSource();
    const server = await serve(source);
    const { status, body } = await getJson(`${server.url}/metrics?format=json`, {
      headers: { accept: PROMETHEUS_ACCEPT },
    });
    expect(status).toBe(200);
    expect(body).toEqual({ tasks: { tasks_received: 3 } });
    expect(source.scrapes).toBe(0);
  });

  it('answers an unknown path with 404 and the list of endpoints', async () => {
    const server = await serve(fakeSource());
    for (const path of ['/', '/nope', '/metrics/extra', '/LIVE']) {
      expect(await getJson(`${server.url}${path}`)).toEqual({
        status: 404,
        body: { error: 'not found', endpoints: ['/live', '/ready', '/health', '/metrics'] },
      });
    }
  });

  it('answers a POST (or any method but GET and HEAD) with 405', async () => {
    const server = await serve(fakeSource());
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await getJson(`${server.url}/health`, { method, body: method === 'DELETE' ? null : '{}' });
      expect(res).toEqual({ status: 405, body: { error: 'method not allowed' } });
      const raw = await fetch(`${server.url}/health`, { method });
      expect(raw.headers.get('allow')).toBe('GET, HEAD');
    }
  });

  it('answers HEAD like GET, without a body', async () => {
    const source = fakeSource();
    source.state.ready = false;
    const server = await serve(source);
    const res = await fetch(`${server.url}/ready`, { method: 'HEAD' });
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('');
  });

  it('answers 500 when the source throws, logs it, and keeps serving', async () => {
    const server = await serve(
      fakeSource({
        health: () => {
          throw new Error('report broke');
        },
        prometheus: () => Promise.reject(new Error('scrape broke')),
      }),
    );
    expect(await getJson(`${server.url}/health`)).toEqual({ status: 500, body: { error: 'internal error' } });
    expect(await getJson(`${server.url}/metrics?format=prometheus`)).toEqual({
      status: 500,
      body: { error: 'internal error' },
    });
    expect((await fetch(`${server.url}/live`)).status).toBe(200);
    const warnings = server.log.entries.filter((e) => e.level === 'warn');
    expect(warnings.map((w) => (w.obj as { path: string }).path)).toEqual([
      '/health',
      '/metrics?format=prometheus',
    ]);
    expect((warnings[0]!.obj as { err: Error }).err.message).toBe('report broke');
  });

  it('rejects with AGENT_ERR_HEALTH_LISTEN when the port is in use', async () => {
    const first = await serve(fakeSource());
    const err = await rejected(
      startHealthServer(fakeSource(), { host: '127.0.0.1', port: first.port, log: recordingLogger() }),
    );
    expect(err.code).toBe('AGENT_ERR_HEALTH_LISTEN');
    expect(err.data).toEqual({ host: '127.0.0.1', port: first.port, reason: 'EADDRINUSE' });
    expect((err.cause as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
    // The first server is unaffected.
    expect((await fetch(`${first.url}/live`)).status).toBe(200);
  });

  it('closes with an idle keep-alive connection open, and stops listening', async () => {
    const server = await startHealthServer(fakeSource(), {
      host: '127.0.0.1',
      port: 0,
      log: recordingLogger(),
    });
    const agent = new Agent({ keepAlive: true });
    onTestFinished(() => agent.destroy());
    const status = await new Promise<number>((resolve, reject) => {
      request(`${server.url}/live`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(200);
    await waitForIdleSocket(agent);
    await server.close();
    await expect(fetch(`${server.url}/live`)).rejects.toThrow();
  });

  it('closes with a request still in progress (the connection is cut)', async () => {
    let scrapeStarted!: () => void;
    const started = new Promise<void>((r) => (scrapeStarted = r));
    const server = await startHealthServer(
      fakeSource({
        prometheus: () => {
          scrapeStarted();
          return new Promise(() => undefined); // never answers
        },
      }),
      { host: '127.0.0.1', port: 0, log: recordingLogger() },
    );
    const pending = fetch(`${server.url}/metrics?format=prometheus`);
    await started;
    await server.close();
    await expect(pending).rejects.toThrow();
  });
});

/** Wait until the agent holds an idle (kept-alive) socket. */
async function waitForIdleSocket(agent: Agent): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (Object.values(agent.freeSockets).some((list) => (list?.length ?? 0) > 0)) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the keep-alive socket never became idle');
}

describe('wantsPrometheus', () => {
  function req(accept?: string): IncomingMessage {
    const msg = new IncomingMessage(new Socket());
    if (accept !== undefined) msg.headers = { accept };
    return msg;
  }
  const url = (query = ''): URL => new URL(`http://localhost/metrics${query}`);

  it('is false without an Accept header or a format', () => {
    expect(wantsPrometheus(req(), url())).toBe(false);
  });

  it.each([
    ['application/json', false],
    ['*/*', false],
    ['text/html', false],
    ['text/plain', true],
    ['text/plain; version=0.0.4', true],
    ['application/openmetrics-text; version=1.0.0', true],
    [PROMETHEUS_ACCEPT, true],
    // axios's default: JSON first, at the same quality — JSON wins
    ['application/json, text/plain, */*', false],
    ['text/plain;q=0', false],
    ['application/json;q=0.5, text/plain', true],
  ])('for Accept: %s is %s', (accept, expected) => {
    expect(wantsPrometheus(req(accept), url())).toBe(expected);
  });

  it('follows ?format over the Accept header', () => {
    expect(wantsPrometheus(req('application/json'), url('?format=prometheus'))).toBe(true);
    expect(wantsPrometheus(req('application/json'), url('?format=text'))).toBe(true);
    expect(wantsPrometheus(req('text/plain'), url('?format=json'))).toBe(false);
    expect(wantsPrometheus(req(PROMETHEUS_ACCEPT), url('?format=json'))).toBe(false);
  });

  it('treats an unknown ?format as JSON', () => {
    expect(wantsPrometheus(req('text/plain'), url('?format=xml'))).toBe(false);
  });
});
