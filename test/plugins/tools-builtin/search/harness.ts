// Shared fixtures for the web_search tests: a loopback fake search API per test, tool builders, a recording logger.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';

import { afterEach, beforeEach } from 'vitest';

import { silentLogger } from '../../../../src/core/observability/silent-logger.js';
import { listenLoopback } from '../../../helpers/loopback-server.js';
import {
  createWebSearchTool,
  type WebSearchInput,
  type WebSearchOutput,
} from '../../../../src/plugins/tools-builtin/search/web-search-tool.js';
import type { LoggerV1, ToolError, ToolV1 } from '@agent2389/tool-sdk';

export const KEY = 'serper-secret-key-4711';

export interface RecordedRequest {
  readonly method: string;
  /** The full request URL (path and query) against the server's address. */
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface FakeAnswer {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  /** Sent as JSON unless `raw` is given. */
  readonly body?: unknown;
  readonly raw?: string;
  /** Wait this long before answering. */
  readonly delayMs?: number;
  /** Take over the response entirely (streaming, stalling, …). */
  readonly respond?: (res: ServerResponse) => void;
}

export interface FakeSearchServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** What the next requests are answered with (default: 200 `{}`). */
  answer(route: FakeAnswer | ((req: RecordedRequest) => FakeAnswer)): void;
  /** Resolves when a request has arrived (its body read). */
  nextRequest(): Promise<RecordedRequest>;
  close(): Promise<void>;
}

async function send(res: ServerResponse, a: FakeAnswer, timers: Set<NodeJS.Timeout>): Promise<void> {
  if (a.delayMs) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => (timers.delete(t), resolve()), a.delayMs);
      timers.add(t);
    });
  }
  if (res.destroyed) return;
  if (a.respond) return a.respond(res);
  res.writeHead(a.status ?? 200, { 'content-type': 'application/json', ...a.headers });
  res.end(a.raw ?? JSON.stringify(a.body ?? {}));
}

export async function startFakeSearchServer(): Promise<FakeSearchServer> {
  const requests: RecordedRequest[] = [];
  const waiters: ((r: RecordedRequest) => void)[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let route: (req: RecordedRequest) => FakeAnswer = () => ({});
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: new URL(req.url ?? '/', 'http://127.0.0.1'),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      waiters.splice(0).forEach((w) => w(recorded));
      send(res, route(recorded), timers).catch(() => res.destroy());
    });
  });
  const listening = await listenLoopback(server);
  return {
    url: listening.url,
    requests,
    answer: (next) => {
      route = typeof next === 'function' ? next : () => next;
    },
    nextRequest: () => new Promise((resolve) => waiters.push(resolve)),
    close: () => {
      for (const t of timers) clearTimeout(t);
      return listening.close();
    },
  };
}

/** Start a fresh fake server before every test and close it after. */
export function useFakeSearchServer(): { readonly server: FakeSearchServer } {
  let server: FakeSearchServer | undefined;
  beforeEach(async () => {
    server = await startFakeSearchServer();
  });
  afterEach(() => server?.close());
  return {
    get server() {
      return server!;
    },
  };
}

export type WebSearchTool = ToolV1<WebSearchInput, WebSearchOutput>;

/** A tool initialized with `config` (as the host would pass it: defaults filled in) and `env`. */
export async function initTool(
  config: Record<string, unknown>,
  env: Record<string, string | undefined> = { SERPER_API_KEY: KEY },
  log: LoggerV1 = silentLogger,
): Promise<WebSearchTool> {
  const tool = createWebSearchTool({ env });
  await tool.initialize?.(
    { backend: 'serper', timeout_seconds: 15, ...config },
    { log, signal: new AbortController().signal, agentId: 'a', dataDir: '/tmp/x' },
  );
  return tool;
}

export function search(
  tool: WebSearchTool,
  input: WebSearchInput,
  signal: AbortSignal = new AbortController().signal,
): Promise<WebSearchOutput> {
  return Promise.resolve(tool.execute(input, { callId: 'c1', signal, log: silentLogger }));
}

export { toolError } from '../../../helpers/thrown.js';

/** Everything about an error that could reach a log or the LLM. */
export const exposed = (err: ToolError): string =>
  JSON.stringify({ ...err, message: err.message, stack: err.stack, data: err.data });

export { recordingLogger } from '../../../helpers/recording-logger.js';
