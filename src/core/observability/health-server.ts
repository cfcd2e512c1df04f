// The HTTP server for orchestrators and scrapers: /live, /ready, /health, /metrics (JSON or Prometheus).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { LoggerV1 } from '@agent2389/tool-sdk';
import { ERR_HEALTH_LISTEN } from '../errors.js';
import type { HealthReport } from './health-report.js';

export interface HealthSource {
  /** True once `available` is published, while connected and not draining. */
  ready(): { ready: boolean; reason?: string };
  health(): HealthReport;
  metricsJson(): Record<string, unknown> | Promise<Record<string, unknown>>;
  prometheus(): Promise<{ contentType: string; body: string }>;
}

/** The q-value an Accept header gives the first of `types` it names (0 when it names none). */
function quality(accept: string, types: readonly string[]): number {
  let best = 0;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (!types.includes(type)) continue;
    const q = params.find((p) => p.startsWith('q='));
    best = Math.max(best, q === undefined ? 1 : Number(q.slice(2)) || 0);
  }
  return best;
}

/**
 * Prometheus text when asked for: `?format=prometheus`, or an Accept header that prefers text/plain
 * or OpenMetrics to JSON (a Prometheus server's does; `application/json, text/plain, * / *` does not).
 */
export function wantsPrometheus(req: IncomingMessage, url: URL): boolean {
  const format = url.searchParams.get('format');
  if (format) return format === 'prometheus' || format === 'text';
  const accept = req.headers.accept ?? '';
  const text = quality(accept, ['text/plain', 'application/openmetrics-text']);
  return text > 0 && text > quality(accept, ['application/json']);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

async function route(source: HealthSource, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return send(res, 405, { error: 'method not allowed' });
  }
  switch (url.pathname) {
    case '/live':
      return send(res, 200, { status: 'ok' });
    case '/ready': {
      const r = source.ready();
      return send(
        res,
        r.ready ? 200 : 503,
        r.ready ? { status: 'ready' } : { status: 'not_ready', reason: r.reason },
      );
    }
    case '/health': {
      const h = source.health();
      return send(res, h.status === 'healthy' ? 200 : 503, h);
    }
    case '/metrics': {
      if (!wantsPrometheus(req, url)) return send(res, 200, await source.metricsJson());
      const { contentType, body } = await source.prometheus();
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
      res.end(body);
      return;
    }
    default:
      return send(res, 404, { error: 'not found', endpoints: ['/live', '/ready', '/health', '/metrics'] });
  }
}

export interface HealthServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Listen on host:port (0 = any free port); rejects with ERR_HEALTH_LISTEN if it cannot. */
export function startHealthServer(
  source: HealthSource,
  opts: { host: string; port: number; log: LoggerV1 },
): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    route(source, req, res).catch((err: unknown) => {
      opts.log.warn({ err, path: req.url }, 'health server request failed');
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.end();
    });
  });
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new ERR_HEALTH_LISTEN(
          { host: opts.host, port: opts.port, reason: err.code ?? err.message },
          { cause: err },
        ),
      ),
    );
    server.listen(opts.port, opts.host, () => {
      const { port } = server.address() as AddressInfo;
      const host = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
      server.unref();
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
