// MockProvider: a ProviderV1 that answers from a script and records every request (after AI SDK's MockLanguageModel).
import type {
  CallOptions,
  GenerateRequestV1,
  GenerateResultV1,
  ProviderFactoryV1,
  ProviderSettingsV1,
  ProviderV1,
  ToolCallV1,
  UsageV1,
} from '../spec/provider.js';

/** One scripted tool call; `id` defaults to `mock-call-N` (N counts from 1 per provider). */
export interface MockToolCall {
  readonly name: string;
  readonly input?: unknown;
  readonly id?: string;
}

/** One scripted answer: a final text, a tool-call turn, or a function of the request (it may throw). */
export type MockStep =
  | { readonly text: string; readonly usage?: UsageV1 }
  | { readonly toolCalls: readonly MockToolCall[]; readonly text?: string; readonly usage?: UsageV1 }
  | ((req: GenerateRequestV1, index: number) => GenerateResultV1 | Promise<GenerateResultV1>);

/** `verify()`: succeed (default), or fail with this message (as a provider with a bad key would). */
export type MockVerify = 'ok' | { readonly fail: string };

export interface MockProviderOptions {
  readonly id?: string;
  readonly verify?: MockVerify;
  /** The settings a factory created this provider with (see `mockProviderFactory`). */
  readonly settings?: ProviderSettingsV1;
}

/** Snapshot a request: the loop keeps appending to its `messages` array after the call. */
function snapshot(req: GenerateRequestV1): GenerateRequestV1 {
  return { ...req, messages: [...req.messages], tools: [...req.tools] };
}

export class MockProvider implements ProviderV1 {
  readonly specificationVersion = 'v1';
  readonly id: string;
  readonly settings: ProviderSettingsV1 | undefined;
  /** Every request received by `doGenerate`, in order (copies, safe to inspect after the run). */
  readonly calls: GenerateRequestV1[] = [];
  /** How many times `verify()` ran. */
  verifyCalls = 0;
  readonly #steps: MockStep[];
  readonly #verify: MockVerify;
  #callIds = 0;

  constructor(script: readonly MockStep[] = [], options: MockProviderOptions = {}) {
    this.id = options.id ?? 'mock';
    this.settings = options.settings;
    this.#steps = [...script];
    this.#verify = options.verify ?? 'ok';
  }

  /** Steps not yet consumed. */
  get remaining(): number {
    return this.#steps.length;
  }

  /** Append steps to the script. */
  push(...steps: MockStep[]): this {
    this.#steps.push(...steps);
    return this;
  }

  async doGenerate(req: GenerateRequestV1, opts: CallOptions): Promise<GenerateResultV1> {
    opts.signal.throwIfAborted();
    const index = this.calls.length;
    this.calls.push(snapshot(req));
    const step = this.#steps.shift();
    if (step === undefined) {
      throw new Error(
        `MockProvider "${this.id}": script exhausted, call #${index + 1} has no scripted step ` +
          `(${index} step(s) were consumed); add more steps or expect fewer model calls`,
      );
    }
    if (typeof step === 'function') return step(req, index);
    const usage = step.usage ? { usage: step.usage } : {};
    if ('toolCalls' in step) {
      const toolCalls: ToolCallV1[] = step.toolCalls.map((c) => ({
        id: c.id ?? `mock-call-${++this.#callIds}`,
        name: c.name,
        input: c.input ?? {},
      }));
      return { text: step.text ?? '', toolCalls, finishReason: 'tool_calls', ...usage };
    }
    return { text: step.text, toolCalls: [], finishReason: 'stop', ...usage };
  }

  verify(opts: CallOptions): Promise<void> {
    opts.signal.throwIfAborted();
    this.verifyCalls++;
    const v = this.#verify;
    return v === 'ok' ? Promise.resolve() : Promise.reject(new Error(v.fail));
  }
}

/** A ProviderFactoryV1 whose every `create()` makes a fresh MockProvider running its own copy of `script`. */
export function mockProviderFactory(
  id: string,
  script: readonly MockStep[] = [],
  options: Omit<MockProviderOptions, 'id' | 'settings'> & { readonly requiresApiKey?: boolean } = {},
): ProviderFactoryV1 & { readonly instances: readonly MockProvider[] } {
  const instances: MockProvider[] = [];
  return {
    id,
    requiresApiKey: options.requiresApiKey ?? false,
    instances,
    create(settings) {
      const { requiresApiKey: _ignored, ...rest } = options;
      const provider = new MockProvider(script, { ...rest, id, settings });
      instances.push(provider);
      return provider;
    },
  };
}
