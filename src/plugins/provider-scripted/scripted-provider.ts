// The offline, deterministic `scripted` provider: answers with the task it got, calls a requested tool,
// or gives a scripted routing decision.
import type {
  GenerateRequestV1,
  GenerateResultV1,
  MessageV1,
  ProviderFactoryV1,
  ProviderV1,
} from '@agent2389/tool-sdk';

interface ToolRequest {
  name: string;
  parameters: unknown;
}

/** `{"tool_request": {"name": "...", "parameters": {...}}}` in the task input asks for one tool call. */
export function findToolRequest(input: unknown): ToolRequest | undefined {
  if (typeof input !== 'object' || input === null || !('tool_request' in input)) return undefined;
  const req = input.tool_request;
  if (typeof req !== 'object' || req === null) return undefined;
  const { name, parameters } = req as { name?: unknown; parameters?: unknown };
  return typeof name === 'string' ? { name, parameters: parameters ?? {} } : undefined;
}

/** The `{"scripted": {...}}` directive of a task input, if any. */
function directive(input: unknown): Record<string, unknown> | undefined {
  if (typeof input !== 'object' || input === null || !('scripted' in input)) return undefined;
  const d = input.scripted;
  return typeof d === 'object' && d !== null ? (d as Record<string, unknown>) : undefined;
}

/** `{"scripted": {"delay_ms": N}}` in the task input delays each answer (for timeout and drain tests). */
export function findDelayMs(input: unknown): number {
  const delay = directive(input)?.delay_ms;
  return typeof delay === 'number' && delay > 0 ? Math.min(delay, 3_600_000) : 0;
}

/** `{"scripted": {"reply": "system_prompt"}}`: answer with the system prompt (to see which config served). */
function repliesWithSystemPrompt(input: unknown): boolean {
  return directive(input)?.reply === 'system_prompt';
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** What the scripted provider answers when structured output is asked for without a plan. */
export const SCRIPTED_COMPLETE_DECISION = {
  workflow_complete: true,
  reasoning: 'scripted',
  next_agent: null,
  next_instruction: null,
} as const;

/**
 * Structured output (the llm router, whose task input is the routing request): when its
 * `original_query` is JSON holding `{"scripted": {"decisions": [d0, d1, …]}}`, the answer is
 * d[iteration_count] as JSON text (any value, so bad decisions can be scripted too); past the end of
 * the list, or without a plan, a complete decision.
 */
export function scriptedDecision(input: unknown): unknown {
  if (typeof input !== 'object' || input === null) return SCRIPTED_COMPLETE_DECISION;
  const { original_query: query, iteration_count: n } = input as Record<string, unknown>;
  let plan: unknown;
  try {
    plan = typeof query === 'string' ? directive(JSON.parse(query))?.decisions : undefined;
  } catch {
    return SCRIPTED_COMPLETE_DECISION; // a query that is not JSON
  }
  const index = typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : 0;
  return Array.isArray(plan) && index < plan.length ? plan[index] : SCRIPTED_COMPLETE_DECISION;
}

function lastToolResult(messages: readonly MessageV1[]): Extract<MessageV1, { role: 'tool' }> | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === 'tool') return m;
  }
  return undefined;
}

function answer(text: string): GenerateResultV1 {
  return { text, toolCalls: [], finishReason: 'stop', usage: { inputTokens: 0, outputTokens: 0 } };
}

/**
 * Rules: (0) with structured output asked for, a scripted routing decision (see scriptedDecision);
 * (1) after a tool round, answer with the last tool result (an empty answer if it failed, so the
 * task ends with tool_execution_failed); (2) `"scripted": {"reply": "system_prompt"}` answers with the
 * system prompt; (3) if the input holds a tool_request and tools are offered, call it; (4) otherwise
 * answer with the instruction and input (the first user message).
 */
export function scriptedGenerate(req: GenerateRequestV1): GenerateResultV1 {
  if (req.responseFormat) return answer(JSON.stringify(scriptedDecision(req.task?.input)) ?? 'null');
  const toolResult = lastToolResult(req.messages);
  if (toolResult) return answer(toolResult.isError ? '' : toolResult.content);
  if (repliesWithSystemPrompt(req.task?.input)) return answer(req.system ?? '');
  const request = findToolRequest(req.task?.input);
  if (request && req.tools.length > 0) {
    return {
      text: '',
      toolCalls: [{ id: 'scripted-call-1', name: request.name, input: request.parameters }],
      finishReason: 'tool_calls',
      usage: { inputTokens: 0, outputTokens: 0 },
    };
  }
  const first = req.messages.find((m) => m.role === 'user');
  return answer(first?.content ?? '');
}

export function createScriptedProvider(): ProviderV1 {
  return {
    specificationVersion: 'v1',
    id: 'scripted',
    doGenerate: async (req, opts) => {
      const delay = findDelayMs(req.task?.input);
      if (delay > 0) await sleep(delay, opts.signal);
      return scriptedGenerate(req);
    },
    verify: () => Promise.resolve(),
  };
}

export const scriptedProviderFactory: ProviderFactoryV1 = {
  id: 'scripted',
  requiresApiKey: false,
  create: () => createScriptedProvider(),
};
