// How `agent2389 monitor` prints one message: pretty (coloured, one or two lines), compact (one short line)
// or json (one object per line).
import { isPlainObject } from '../core/protocol/envelope.js';
import { agentOfInputTopic, clockTime, preview } from './display-text.js';
import type { MessageKind, ObservedMessage } from './observed-message.js';
import { summarizeProgress } from './progress-summary.js';
import type { Palette } from './terminal-style.js';

export const MONITOR_FORMATS = ['pretty', 'compact', 'json'] as const;
export type MonitorFormat = (typeof MONITOR_FORMATS)[number];

const INDENT = ' '.repeat(24);
/** Agent ids are padded to this width so that most lines line up. */
const AGENT_WIDTH = 12;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
const shortId = (id: string | undefined): string | undefined => id?.slice(0, 8);

/** The agents (or topics) a task's `next` chain goes to, in order. */
export function nextHops(task: Record<string, unknown>): string[] {
  const hops: string[] = [];
  let node: unknown = task.next;
  while (isPlainObject(node) && hops.length < 32) {
    hops.push(typeof node.topic === 'string' ? agentOfInputTopic(node.topic) : '?');
    node = node.next;
  }
  return hops;
}

/** The JSON line: {time, kind, topic, retained, agent_id?, conversation_id?, task_id?, payload}. */
export function formatJson(msg: ObservedMessage): string {
  let payload: unknown = msg.raw;
  try {
    payload = JSON.parse(msg.raw);
  } catch {
    // not JSON: the raw text
  }
  return JSON.stringify({
    time: msg.time.toISOString(),
    kind: msg.kind,
    topic: msg.topic,
    retained: msg.retained,
    ...(msg.agentId !== undefined && { agent_id: msg.agentId }),
    ...(msg.conversationId !== undefined && { conversation_id: msg.conversationId }),
    ...(msg.taskId !== undefined && { task_id: msg.taskId }),
    payload,
  });
}

function statusWord(status: string, p: Palette): string {
  return status === 'available' ? p.green(status) : p.red(status);
}

function statusDetails(b: Record<string, unknown>, p: Palette): string[] {
  const caps = list(b.capabilities);
  const tools = list(b.tools);
  return [
    statusWord(String(b.status), p),
    typeof b.load === 'number' ? `load ${b.load.toFixed(2)}` : undefined,
    caps.length ? `capabilities ${caps.join(', ')}` : undefined,
    tools.length ? `tools ${tools.join(', ')}` : 'no tools',
    str(b.version) === undefined ? undefined : `v${str(b.version)}`,
  ].filter((x): x is string => x !== undefined);
}

function ids(msg: ObservedMessage): string[] {
  return [
    msg.taskId === undefined ? undefined : `task ${shortId(msg.taskId)}`,
    msg.conversationId === undefined ? undefined : `conv ${msg.conversationId}`,
  ].filter((x): x is string => x !== undefined);
}

/** The coloured label and icon of a kind. */
function label(kind: MessageKind, p: Palette): string {
  const padded = kind.padEnd(9);
  switch (kind) {
    case 'status':
      return p.cyan(`● ${padded}`);
    case 'task':
      return p.blue(`→ ${padded}`);
    case 'response':
      return p.green(`✓ ${padded}`);
    case 'error':
      return p.red(`✗ ${padded}`);
    case 'progress':
      return p.magenta(`· ${padded}`);
    case 'malformed':
      return p.yellow(`? ${padded}`);
  }
}

/** Line 1 details and an optional line 2 for each kind. */
function prettyBody(msg: ObservedMessage, p: Palette): { details: string[]; second?: string } {
  const b = msg.body ?? {};
  switch (msg.kind) {
    case 'status':
      return { details: statusDetails(b, p) };
    case 'task': {
      const hops = nextHops(b);
      const instruction = str(b.instruction);
      const input = b.input === undefined || b.input === null ? undefined : JSON.stringify(b.input);
      const second = [
        instruction === undefined ? undefined : `"${preview(instruction, 70)}"`,
        input === undefined ? undefined : p.dim(`input ${preview(input, 60)}`),
      ].filter((x): x is string => x !== undefined);
      return {
        details: [...ids(msg), hops.length ? `next ${hops.join(' → ')}` : 'last hop'],
        ...(second.length && { second: second.join('  ') }),
      };
    }
    case 'response': {
      const text = String(b.response);
      return { details: [...ids(msg), `${text.length} chars`], second: preview(text, 100) };
    }
    case 'error': {
      const e = isPlainObject(b.error) ? b.error : {};
      return { details: [...ids(msg), p.red(String(e.code))], second: preview(String(e.message), 100) };
    }
    case 'progress': {
      const event = String(b.event);
      const summary = summarizeProgress(event, b.data);
      return { details: [p.bold(event), ...(summary ? [summary] : []), ...ids(msg)] };
    }
    case 'malformed':
      return {
        details: [msg.topic, `(${msg.problem ?? 'malformed'})`],
        second: p.dim(preview(msg.raw, 100)),
      };
  }
}

/** One or two readable, optionally coloured lines. */
export function formatPretty(msg: ObservedMessage, p: Palette): string {
  const { details, second } = prettyBody(msg, p);
  const who = msg.kind === 'malformed' ? '' : `${p.bold((msg.agentId ?? '?').padEnd(AGENT_WIDTH))} `;
  const retained = msg.retained ? `  ${p.yellow('(retained)')}` : '';
  const first = `${p.dim(clockTime(msg.time))} ${label(msg.kind, p)} ${who}${details.join(' · ')}${retained}`;
  return second === undefined ? first : `${first}\n${INDENT}${second}`;
}

/** The few words compact shows after the kind and agent. */
function compactBody(msg: ObservedMessage): string {
  const b = msg.body ?? {};
  switch (msg.kind) {
    case 'status':
      return [
        String(b.status),
        typeof b.load === 'number' ? `load=${b.load}` : undefined,
        `tools=${list(b.tools).length}`,
      ]
        .filter(Boolean)
        .join(' ');
    case 'task': {
      const hops = nextHops(b);
      const instruction = str(b.instruction);
      return [
        hops.length ? `next=${hops.join(',')}` : undefined,
        instruction === undefined ? undefined : JSON.stringify(preview(instruction, 40)),
      ]
        .filter(Boolean)
        .join(' ');
    }
    case 'response':
      return JSON.stringify(preview(String(b.response), 50));
    case 'error':
      return String(isPlainObject(b.error) ? b.error.code : '');
    case 'progress': {
      const event = String(b.event);
      const summary = summarizeProgress(event, b.data);
      return summary ? `${event} ${summary}` : event;
    }
    case 'malformed':
      return `${msg.topic} ${msg.problem ?? ''}`.trim();
  }
}

/** One short line: time, kind, agent, short task id, a few words. */
export function formatCompact(msg: ObservedMessage, p: Palette): string {
  const parts = [
    clockTime(msg.time),
    p.bold(msg.kind),
    msg.kind === 'malformed' ? undefined : (msg.agentId ?? '?'),
    shortId(msg.taskId),
    compactBody(msg),
    msg.retained ? 'retained' : undefined,
  ];
  return parts.filter((x): x is string => x !== undefined && x !== '').join(' ');
}

export function formatMessage(msg: ObservedMessage, format: MonitorFormat, p: Palette): string {
  if (format === 'json') return formatJson(msg);
  return format === 'compact' ? formatCompact(msg, p) : formatPretty(msg, p);
}
