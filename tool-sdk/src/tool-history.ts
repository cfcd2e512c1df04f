// Provider helper: for a request that offers no tools (the budget's final call), replay tool turns as text.
// Tool blocks in a request without tool definitions risk a 400; the model still sees what happened.
import type { MessageV1 } from './spec/provider.js';

type TextMessage = { role: 'user' | 'assistant'; content: string };

/** Rewrite assistant tool calls and tool results as text; merge neighbours so roles alternate. */
export function flattenToolHistory(messages: readonly MessageV1[]): MessageV1[] {
  const out: TextMessage[] = [];
  const push = (role: TextMessage['role'], text: string): void => {
    const last = out[out.length - 1];
    if (last?.role === role) last.content = `${last.content}\n\n${text}`;
    else out.push({ role, content: text });
  };
  for (const m of messages) {
    if (m.role === 'tool') {
      push('user', `[result of tool ${m.toolName}${m.isError ? ' (failed)' : ''}]\n${m.content}`);
    } else if (m.role === 'assistant' && m.toolCalls?.length) {
      const calls = m.toolCalls.map((c) => `[called tool ${c.name} with ${JSON.stringify(c.input ?? {})}]`);
      push('assistant', [m.content, ...calls].filter(Boolean).join('\n'));
    } else {
      push(m.role, m.content);
    }
  }
  return out;
}

/** True if any message carries tool calls or results. */
export function hasToolHistory(messages: readonly MessageV1[]): boolean {
  return messages.some(
    (m) => m.role === 'tool' || (m.role === 'assistant' && (m.toolCalls?.length ?? 0) > 0),
  );
}
