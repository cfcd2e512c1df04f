// Test helper: a local HTTP server speaking OpenAI's wire format, scripted per test with response queues.
import { startScriptedServer, type ScriptedResponse } from './scripted-http-server.js';

export type { ScriptedResponse } from './scripted-http-server.js';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** Request headers, with the authorization value removed. */
  readonly headers: Record<string, string | string[] | undefined>;
  /** True if an `Authorization: Bearer <something>` header was sent. */
  readonly hasAuthorization: boolean;
  /** Parsed JSON body, or undefined for GET. */
  readonly body: Record<string, unknown> | undefined;
}

export interface FakeOpenAiServer {
  /** Base URL including `/v1`, ready for `[llm] base_url`. */
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** Queue responses for POST /v1/chat/completions, served in order. */
  enqueue(...responses: ScriptedResponse[]): void;
  /** Queue responses for GET /v1/models[/:id]; when empty, answered from `models`. */
  enqueueModels(...responses: ScriptedResponse[]): void;
  /** Model ids the models endpoints know about (default: gpt-test). */
  models: string[];
  close(): Promise<void>;
}

export interface ToolCallSpec {
  readonly id: string;
  readonly name: string;
  /** Sent as-is if a string (possibly invalid JSON), else JSON-encoded. */
  readonly arguments: unknown;
}

/** A Chat Completions body answering with `text` and/or tool calls. */
export function chatBody(
  text: string | null,
  toolCalls: readonly ToolCallSpec[] = [],
  usage = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
): Record<string, unknown> {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'gpt-test',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text,
          ...(toolCalls.length > 0
            ? {
                tool_calls: toolCalls.map((tc) => ({
                  id: tc.id,
                  type: 'function',
                  function: {
                    name: tc.name,
                    arguments: typeof tc.arguments === 'string' ? tc.arguments : JSON.stringify(tc.arguments),
                  },
                })),
              }
            : {}),
        },
        finish_reason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
      },
    ],
    usage,
  };
}

/** An OpenAI-style error body. */
export function errorBody(message: string, type = 'invalid_request_error', code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

function modelsAnswer(path: string, models: readonly string[]): ScriptedResponse {
  const model = (id: string) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'test' });
  if (path === '/v1/models') return { body: { object: 'list', data: models.map(model) } };
  const id = decodeURIComponent(path.slice('/v1/models/'.length));
  if (models.includes(id)) return { body: model(id) };
  return {
    status: 404,
    body: errorBody(`The model '${id}' does not exist`, 'invalid_request_error', 'model_not_found'),
  };
}

export async function startFakeOpenAiServer(): Promise<FakeOpenAiServer> {
  const chat: ScriptedResponse[] = [];
  const modelQueue: ScriptedResponse[] = [];
  const requests: RecordedRequest[] = [];
  const fake = { models: ['gpt-test'] };
  const server = await startScriptedServer(({ method, path, headers: all, body }) => {
    const { authorization, ...headers } = all;
    requests.push({ method, path, headers, hasAuthorization: /^Bearer .+/.test(authorization ?? ''), body });
    if (method === 'POST' && path === '/v1/chat/completions') {
      return (
        chat.shift() ?? { status: 500, body: errorBody('fake server: chat queue empty', 'server_error') }
      );
    }
    if (method === 'GET' && path.startsWith('/v1/models'))
      return modelQueue.shift() ?? modelsAnswer(path, fake.models);
    return { status: 404, body: errorBody(`no route ${method} ${path}`) };
  });
  return {
    baseUrl: `${server.url}/v1`,
    requests,
    enqueue: (...r) => chat.push(...r),
    enqueueModels: (...r) => modelQueue.push(...r),
    get models() {
      return fake.models;
    },
    set models(ids: string[]) {
      fake.models = ids;
    },
    close: () => server.close(),
  };
}
