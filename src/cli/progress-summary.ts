// The key data of a progress event (docs/protocol.md §7) as a short phrase, tolerant of missing or odd fields.
import { isPlainObject } from '../core/protocol/envelope.js';
import { agentOfInputTopic, formatDuration, preview } from './display-text.js';

type Data = Record<string, unknown>;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

/** `n thing` / `n things`. */
function count(n: number | undefined, thing: string): string | undefined {
  return n === undefined ? undefined : `${n} ${thing}${n === 1 ? '' : 's'}`;
}

function ms(v: unknown): string | undefined {
  const n = num(v);
  return n === undefined ? undefined : formatDuration(n);
}

function join(...parts: Array<string | undefined>): string {
  return parts.filter((p): p is string => p !== undefined && p !== '').join(' · ');
}

/** `code: message` with the message cut short. */
function failure(d: Data): string | undefined {
  const code = text(d.code);
  const message = text(d.message);
  if (code === undefined && message === undefined) return undefined;
  return [code, message === undefined ? undefined : preview(message, 80)].filter(Boolean).join(': ');
}

function tool(d: Data): string | undefined {
  const name = text(d.tool);
  const sandbox = text(d.sandbox);
  if (name === undefined) return undefined;
  return sandbox === undefined ? name : `${name} [${sandbox}]`;
}

const SUMMARIES: Record<string, (d: Data) => string> = {
  task_started: (d) =>
    join(
      num(d.generation) === undefined ? undefined : `generation ${num(d.generation)}`,
      d.next === null
        ? 'last hop'
        : typeof d.next === 'string'
          ? `next ${agentOfInputTopic(d.next)}`
          : undefined,
    ),
  llm_request: (d) => join(num(d.iteration) === undefined ? undefined : `iteration ${num(d.iteration)}`),
  llm_response: (d) =>
    join(
      num(d.iteration) === undefined ? undefined : `iteration ${num(d.iteration)}`,
      ms(d.duration_ms),
      text(d.finish_reason),
      count(num(d.tool_calls), 'tool call'),
      num(d.input_tokens) === undefined && num(d.output_tokens) === undefined
        ? undefined
        : `tokens ${num(d.input_tokens) ?? '?'} in / ${num(d.output_tokens) ?? '?'} out`,
      isPlainObject(d.error) ? `failed ${failure(d.error) ?? ''}`.trim() : undefined,
    ),
  tool_call: (d) => join(tool(d)),
  tool_result: (d) => join(tool(d), ms(d.duration_ms)),
  tool_error: (d) => join(tool(d), ms(d.duration_ms), failure(d)),
  budget_exhausted: (d) => join(count(num(d.tool_calls), 'tool call'), count(num(d.iterations), 'iteration')),
  task_forwarded: (d) =>
    join(typeof d.to === 'string' ? `to ${agentOfInputTopic(d.to)}` : undefined, ms(d.duration_ms)),
  task_completed: (d) =>
    join(ms(d.duration_ms), count(num(d.llm_calls), 'LLM call'), count(num(d.tool_calls), 'tool call')),
  task_failed: (d) => join(failure(d), ms(d.duration_ms)),
  config_reloaded: (d) =>
    join(
      num(d.generation) === undefined ? undefined : `generation ${num(d.generation)}`,
      typeof d.summary === 'string' ? preview(d.summary, 80) : undefined,
    ),
  config_rejected: (d) =>
    join(
      failure({ code: d.code, message: d.reason }),
      text(d.file) === undefined ? undefined : `in ${text(d.file)}`,
    ),
};

/** A short phrase with the event's key data (tool, duration, code…); unknown events show their data as JSON. */
export function summarizeProgress(event: string, data: unknown): string {
  const d = isPlainObject(data) ? data : {};
  const summary = Object.hasOwn(SUMMARIES, event) ? SUMMARIES[event] : undefined;
  if (summary) return summary(d);
  return Object.keys(d).length === 0 ? '' : preview(JSON.stringify(d), 100);
}
