// The LLM provider contract: one versioned `doGenerate` call plus a token-free `verify`.
import type { LoggerV1 } from './logger.js';
import type { ToolDescriptionV1 } from './tool.js';

export interface ToolCallV1 {
  /** Provider-assigned id, echoed back in the tool result. */
  readonly id: string;
  readonly name: string;
  /** Parsed arguments. */
  readonly input: unknown;
  /** Set when the model's arguments could not be parsed; the host returns an error result. */
  readonly inputError?: string;
}

export type MessageV1 =
  | { readonly role: 'user'; readonly content: string }
  | { readonly role: 'assistant'; readonly content: string; readonly toolCalls?: readonly ToolCallV1[] }
  | {
      readonly role: 'tool';
      readonly toolCallId: string;
      readonly toolName: string;
      readonly content: string;
      readonly isError: boolean;
    };

export interface GenerateRequestV1 {
  readonly system?: string;
  readonly messages: readonly MessageV1[];
  /** Empty when the host wants a final, tool-less answer. */
  readonly tools: readonly ToolDescriptionV1[];
  /** The task as received, for deterministic providers (e.g. `scripted`); LLM providers use `messages`. */
  readonly task?: { readonly instruction: string | null; readonly input: unknown };
  /**
   * Structured output: answer with one JSON object matching `schema`, returned as JSON text in `text`
   * (no tool calls). Optional for providers: one that ignores it answers as usual, and the host then
   * looks for the JSON object in the text. `name` matches `^[a-zA-Z0-9_-]{1,64}$`.
   */
  readonly responseFormat?: ResponseFormatV1;
}

/** A JSON Schema the answer must match (OpenAI `response_format: json_schema`, strict mode subset). */
export interface ResponseFormatV1 {
  readonly type: 'json_schema';
  readonly name: string;
  readonly schema: Readonly<Record<string, unknown>>;
}

export interface UsageV1 {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export interface GenerateResultV1 {
  readonly text: string;
  readonly toolCalls: readonly ToolCallV1[];
  readonly finishReason: 'stop' | 'tool_calls' | 'length' | 'other';
  readonly usage?: UsageV1;
}

export interface CallOptions {
  readonly signal: AbortSignal;
}

export interface ProviderV1 {
  readonly specificationVersion: 'v1';
  readonly id: string;
  doGenerate(req: GenerateRequestV1, opts: CallOptions): Promise<GenerateResultV1>;
  /** Startup check that spends no tokens (e.g. list models). Throws with a clear reason on failure. */
  verify?(opts: CallOptions): Promise<void>;
}

/** Settings a provider receives from `[llm]`, with the API key already resolved from its env var. */
export interface ProviderSettingsV1 {
  readonly model: string;
  readonly apiKey?: string;
  readonly baseUrl?: string;
  readonly temperature?: number;
  readonly maxTokens?: number;
  readonly options: Readonly<Record<string, unknown>>;
}

export interface ProviderFactoryV1 {
  readonly id: string;
  /** True if `[llm] api_key_env` must name a set variable for this provider. */
  readonly requiresApiKey: boolean;
  create(settings: ProviderSettingsV1, ctx: { log: LoggerV1 }): ProviderV1;
}
