// Test helper: a local HTTP server speaking Anthropic's wire format, scripted per test with a response queue.
import { startScriptedServer, type ScriptedResponse } from './scripted-http-server.js';

export type { ScriptedResponse } from './scripted-http-server.js';

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

export async function startFakeAnthropicServer(): Promise<FakeAnthropicServer> {
  const queue: ScriptedResponse[] = [];
  const requests: RecordedRequest[] = [];
  const server = await startScriptedServer(({ method, path, headers, body }) => {
    // SDK 1.x sends the key as `Authorization: Bearer <key>`; older ones used `x-api-key`.
    const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
    const xKey = headers['x-api-key'];
    const key = typeof xKey === 'string' ? xKey : bearer;
    requests.push({
      method,
      path,
      hasApiKey: typeof key === 'string' && key.length > 0,
      apiKey: typeof key === 'string' ? key : undefined,
      body,
    });
    return queue.shift() ?? { status: 500, body: { type: 'error', error: { message: 'queue empty' } } };
  });
  return {
    baseUrl: server.url,
    requests,
    enqueue: (...r) => queue.push(...r),
    close: () => server.close(),
  };
}
