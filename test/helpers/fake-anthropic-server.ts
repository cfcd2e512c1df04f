// Test helper: a local HTTP server speaking Anthropic's wire format, scripted per test with a response queue.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ScriptedResponse {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  /** Sent as JSON unless `raw` is given. */
  readonly body?: unknown;
  /** Sent verbatim (content-type application/json), e.g. a malformed body. */
  readonly raw?: string;
  /** Wait this long before answering (for timeouts). */
  readonly delayMs?: number;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** True if the key came as `x-api-key` or `Authorization: Bearer`. */
  readonly hasApiKey: boolean;
  readonly apiKey: string | undefined;
  /** Parsed JSON body, or undefined for GET. */
  readonly body: Record<string, unknown> | undefined;
}

export interface FakeAnthropicServer {
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** Queue responses; they are served in order to any path. */
  enqueue(...responses: ScriptedResponse[]): void;
  close(): Promise<void>;
}

/** A successful Messages API body with the given content blocks. */
export function messageBody(
  content: unknown[],
  stopReason = 'end_turn',
  usage = { input_tokens: 10, output_tokens: 5 },
): Record<string, unknown> {
  return {
    id: 'msg_test',
    type: 'message',
    role: 'assistant',
    model: 'claude-test',
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage,
  };
}

export const textBlock = (text: string) => ({ type: 'text', text });
export const toolUseBlock = (id: string, name: string, input: unknown) => ({
  type: 'tool_use',
  id,
  name,
  input,
});

/** An Anthropic-style error body. */
export function errorBody(type: string, message: string): Record<string, unknown> {
  return { type: 'error', error: { type, message } };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startFakeAnthropicServer(): Promise<FakeAnthropicServer> {
  const queue: ScriptedResponse[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = await readBody(req);
    // SDK 1.x sends the key as `Authorization: Bearer <key>`; older ones used `x-api-key`.
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const xKey = req.headers['x-api-key'];
    const key = typeof xKey === 'string' ? xKey : bearer;
    requests.push({
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0] ?? '',
      hasApiKey: typeof key === 'string' && key.length > 0,
      apiKey: typeof key === 'string' ? key : undefined,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    });
    const next = queue.shift() ?? { status: 500, body: { type: 'error', error: { message: 'queue empty' } } };
    if (next.delayMs) await new Promise((r) => setTimeout(r, next.delayMs));
    if (res.destroyed) return;
    res.writeHead(next.status ?? 200, { 'content-type': 'application/json', ...next.headers });
    res.end(next.raw ?? JSON.stringify(next.body ?? {}));
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...r) => queue.push(...r),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
