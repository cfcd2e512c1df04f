// How `agent2389 pipeline` prints its progress: one line per hop event, tool events indented (pure).
import { formatDuration, preview } from './display-text.js';
import type { HopEvent } from './pipeline-tracker.js';
import { summarizeProgress } from './progress-summary.js';
import type { Palette } from './terminal-style.js';

/** `· 412 ms` (the agent's figure) or `· ~412 ms` (measured here: the agent sent no progress event). */
function took(durationMs: number | undefined, measured: boolean): string {
  if (durationMs === undefined) return '';
  return ` · ${measured ? '~' : ''}${formatDuration(durationMs)}`;
}

/** `[2/3] writer  ` with the agent names padded to one width. */
function prefix(hop: number, agents: readonly string[], p: Palette): string {
  const width = Math.max(...agents.map((a) => a.length));
  return `${p.dim(`[${hop + 1}/${agents.length}]`)} ${p.bold((agents[hop] ?? '?').padEnd(width))}`;
}

/** The first line: the route, the task id and the conversation. */
export function pipelineHeader(agents: readonly string[], taskId: string, conversationId: string): string {
  return `pipeline ${agents.join(' → ')} · task ${taskId} · conversation ${conversationId}`;
}

/** One line for a hop event; undefined for `final` (the caller prints the outcome). */
export function formatHopEvent(e: HopEvent, agents: readonly string[], p: Palette): string | undefined {
  if (e.type === 'final') return undefined;
  const at = prefix(e.hop, agents, p);
  switch (e.type) {
    case 'received':
      return `${at}  ${p.dim('received the task')}`;
    case 'started':
      return `${at}  started`;
    case 'forwarded':
      return `${at}  ${p.cyan('forwarded')} to ${e.to}${took(e.durationMs, e.measured)}`;
    case 'completed': {
      const calls = summarizeProgress('task_completed', { llm_calls: e.llmCalls, tool_calls: e.toolCalls });
      return `${at}  ${p.green('completed')}${took(e.durationMs, e.measured)}${calls ? ` · ${calls}` : ''}`;
    }
    case 'failed': {
      const why = [e.code, e.message === undefined ? undefined : preview(e.message, 100)]
        .filter(Boolean)
        .join(': ');
      return `${at}  ${p.red('failed')}${why ? ` · ${why}` : ''}${took(e.durationMs, false)}`;
    }
    case 'activity': {
      const summary = summarizeProgress(e.event, e.data);
      return `${at}    ${p.magenta(e.event)}${summary ? ` ${summary}` : ''}`;
    }
    case 'intermediate':
      return `${at}  ${p.dim(`intermediate response: ${preview(e.text, 80)}`)}`;
  }
}
