// Test helpers for http_request: a full config, a call context, and local servers that record what reached them.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';

import type { ToolCallContext } from '@agent2389/tool-sdk';
import { silentLogger } from '../../../../src/core/observability/silent-logger.js';
import { listenLoopback, readBody } from '../../../helpers/loopback-server.js';
import {
  createHttpRequestTool,
  type HttpRequestInput,
  type HttpRequestResult,
  type HttpRequestToolOptions,
} from '../../../../src/plugins/tools-builtin/http/http-request-tool.js';

export interface HttpToolConfig {
  max_response_size: number;
  timeout_seconds: number;
  allowed_hosts: string[];
  denied_hosts: string[];
  allow_private_networks: boolean;
  allowed_private_cidrs: string[];
  max_redirects: number;
}

/** The config the host would pass: every default spelled out, then `overrides`. */
export function configWith(overrides: Partial<HttpToolConfig> = {}): HttpToolConfig {
  return {
    max_response_size: 1_048_576,
    timeout_seconds: 10,
    allowed_hosts: [],
    denied_hosts: [],
    allow_private_networks: false,
    allowed_private_cidrs: [],
    max_redirects: 5,
    ...overrides,
  };
}

export function callContext(signal: AbortSignal = new AbortController().signal): ToolCallContext {
  return { callId: 'c1', signal, log: silentLogger };
}

/** An initialized tool and a function that calls it. */
export async function httpTool(
  overrides: Partial<HttpToolConfig> = {},
  options: HttpRequestToolOptions = {},
): Promise<(input: HttpRequestInput, signal?: AbortSignal) => Promise<HttpRequestResult>> {
  const tool = createHttpRequestTool(options);
  const init = { log: silentLogger, signal: new AbortController().signal, agentId: 'a1', dataDir: '/tmp/x' };
  await tool.initialize?.({ ...configWith(overrides) }, init);
  return async (input, signal) => tool.execute(input, callContext(signal));
}

export { toolError } from '../../../helpers/thrown.js';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface LocalServer {
  /** `http://<host>:<port>` */
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** TCP connections accepted so far (0 proves nothing reached the server). */
  readonly connections: () => number;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** Listen on `host` (default 127.0.0.1), port 0; every request is recorded, then handed to `handler`. */
export async function startServer(handler: Handler, host = '127.0.0.1'): Promise<LocalServer> {
  const requests: RecordedRequest[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    void readBody(req).then(
      (body) => {
        requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        handler(req, res, body);
      },
      () => res.destroy(),
    );
  });
  server.on('connection', () => connections++);
  const { url, port, close } = await listenLoopback(server, host);
  return { url, port, requests, connections: () => connections, close };
}

/** A handler answering `status` with a text body. */
export function answer(status: number, body = '', headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(body);
  };
}
