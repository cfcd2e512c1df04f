// Test helper: a loopback HTTP server whose answers come from a route function (for fake LLM APIs).
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';

import { listenLoopback, readBody } from './loopback-server.js';

export interface ScriptedResponse {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  /** Sent as JSON unless `raw` is given. */
  readonly body?: unknown;
  /** Sent verbatim (content-type application/json unless headers say otherwise), e.g. a malformed body. */
  readonly raw?: string;
  /** Wait this long before answering (for timeouts). */
  readonly delayMs?: number;
}

export interface IncomingRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined when empty (GET). */
  readonly body: Record<string, unknown> | undefined;
}

export interface ScriptedServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Close the server and drop open keep-alive sockets. */
  close(): Promise<void>;
}

async function reply(res: ServerResponse, next: ScriptedResponse): Promise<void> {
  if (next.delayMs) await new Promise((r) => setTimeout(r, next.delayMs));
  if (res.destroyed) return;
  res.writeHead(next.status ?? 200, { 'content-type': 'application/json', ...next.headers });
  res.end(next.raw ?? JSON.stringify(next.body ?? {}));
}

/** Listen on a free loopback port; every request is answered with what `route` returns for it. */
export async function startScriptedServer(
  route: (req: IncomingRequest) => ScriptedResponse,
): Promise<ScriptedServer> {
  const server = createServer((req, res) => {
    void (async () => {
      const text = await readBody(req);
      const incoming: IncomingRequest = {
        method: req.method ?? '',
        path: (req.url ?? '').split('?')[0] ?? '',
        headers: req.headers,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
      };
      await reply(res, route(incoming));
    })().catch(() => res.destroy());
  });
  const { url, close } = await listenLoopback(server);
  return { url, close };
}
