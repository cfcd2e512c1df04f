import { describe, expect, it } from 'vitest';

import {
  formatCompact,
  formatJson,
  formatMessage,
  formatPretty,
  nextHops,
} from '../../src/cli/monitor-format.js';
import { observe } from '../../src/cli/observed-message.js';
import { createPalette } from '../../src/cli/terminal-style.js';

const plain = createPalette(false);
const colour = createPalette(true);
const at = new Date(2026, 10, 25, 10, 15, 30, 123); // local time: the clock column is local
const TASK = '4b0c7d1e-9a3f-4e52-8c11-2f6d0a9b7e35';
const m = (topic: string, payload: unknown, retain = false) =>
  observe(
    { topic, payload: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)), retain },
    at,
  );

const status = m(
  '/control/agents/writer/status',
  {
    agent_id: 'writer',
    status: 'available',
    timestamp: '2026-11-25T10:15:30.123Z',
    capabilities: ['writing'],
    tools: ['http_request', 'current_time'],
    load: 0.25,
    version: '0.1.0',
  },
  true,
);
const task = m('/control/agents/writer/input', {
  task_id: TASK,
  conversation_id: 'conv-7',
  topic: '/control/agents/writer/input',
  instruction: 'Summarise',
  input: { text: 'abc' },
  next: {
    topic: '/control/agents/editor/input',
    instruction: 'Polish',
    input: null,
    next: { topic: '/control/agents/pub/input' },
  },
});
const response = m('/conversations/conv-7/editor', {
  task_id: TASK,
  response: `the final text\n${'x'.repeat(300)}`,
});
const error = m('/conversations/conv-7/editor', {
  task_id: TASK,
  error: { code: 'tool_execution_failed', message: 'tool "nope" is not in the allow-list' },
});
const progress = m('/control/agents/writer/progress', {
  agent_id: 'writer',
  task_id: TASK,
  conversation_id: 'conv-7',
  timestamp: '2026-11-25T10:15:30.123Z',
  event: 'tool_result',
  data: { tool: 'http_request', call_id: 'c1', duration_ms: 41, sandbox: 'subprocess' },
});
const malformed = m('/control/agents/writer/input', '{oops');

describe('nextHops', () => {
  it('lists the agents of the next chain in order', () => {
    expect(nextHops(task.body!)).toEqual(['editor', 'pub']);
    expect(nextHops({ next: null })).toEqual([]);
    expect(nextHops({ next: { topic: '/odd/topic' } })).toEqual(['/odd/topic']);
  });
});

describe('formatJson', () => {
  it('prints {time, kind, topic, retained, ids, payload} with the payload parsed', () => {
    expect(JSON.parse(formatJson(task))).toEqual({
      time: at.toISOString(),
      kind: 'task',
      topic: '/control/agents/writer/input',
      retained: false,
      agent_id: 'writer',
      conversation_id: 'conv-7',
      task_id: TASK,
      payload: task.body,
    });
    expect(JSON.parse(formatJson(status))).toMatchObject({
      kind: 'status',
      retained: true,
      agent_id: 'writer',
    });
    expect(JSON.parse(formatJson(status))).not.toHaveProperty('task_id');
  });

  it('keeps a malformed payload as its raw text, on one line', () => {
    const line = formatJson(m('/control/agents/w/input', '{oops\nmore'));
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toMatchObject({ kind: 'malformed', payload: '{oops\nmore' });
  });
});

describe('formatPretty', () => {
  it('a status: state, load, capabilities, tools, version, retained mark', () => {
    const line = formatPretty(status, plain);
    expect(line).toContain('10:15:30.123');
    expect(line).toMatch(
      /status +writer +available · load 0\.25 · capabilities writing · tools http_request, current_time · v0\.1\.0 +\(retained\)/,
    );
    expect(line).not.toContain('\n');
  });

  it('a task: ids and next hops, then the instruction and input on a second line', () => {
    const [first, second, more] = formatPretty(task, plain).split('\n');
    expect(first).toMatch(/→ task +writer +task 4b0c7d1e · conv conv-7 · next editor → pub$/);
    expect(second).toMatch(/^ +"Summarise" +input \{"text":"abc"\}$/);
    expect(more).toBeUndefined();
    expect(formatPretty(m('/control/agents/w/input', { task_id: TASK }), plain)).toContain('last hop');
  });

  it('a response: its length and a truncated one-line preview', () => {
    const [first, second] = formatPretty(response, plain).split('\n');
    expect(first).toContain('✓ response');
    expect(first).toContain('315 chars');
    expect(second!.trim()).toMatch(/^the final text x+…$/);
    expect(second!.trim().length).toBe(100);
  });

  it('an error: the code, then the message', () => {
    const [first, second] = formatPretty(error, plain).split('\n');
    expect(first).toMatch(/✗ error +editor +task 4b0c7d1e · conv conv-7 · tool_execution_failed$/);
    expect(second!.trim()).toBe('tool "nope" is not in the allow-list');
  });

  it('a progress event: its name and key data', () => {
    expect(formatPretty(progress, plain)).toMatch(
      /progress +writer +tool_result · http_request \[subprocess\] · 41 ms · task 4b0c7d1e · conv conv-7$/,
    );
  });

  it('a malformed payload: topic, reason and the raw text', () => {
    const [first, second] = formatPretty(malformed, plain).split('\n');
    expect(first).toMatch(/\? malformed +\/control\/agents\/writer\/input · \(not JSON\)$/);
    expect(second!.trim()).toBe('{oops');
  });

  it('colours only with a colouring palette', () => {
    expect(formatPretty(status, plain)).not.toContain('\u001b[');
    const coloured = formatPretty(status, colour);
    expect(coloured).toContain('\u001b[32mavailable\u001b[39m');
    expect(formatPretty(error, colour)).toContain('\u001b[31m');
  });
});

describe('formatCompact', () => {
  it('one short line per kind', () => {
    const lines = [status, task, response, error, progress, malformed].map((x) => formatCompact(x, plain));
    for (const l of lines) expect(l).not.toContain('\n');
    expect(lines).toEqual([
      '10:15:30.123 status writer available load=0.25 tools=2 retained',
      '10:15:30.123 task writer 4b0c7d1e next=editor,pub "Summarise"',
      expect.stringMatching(/^10:15:30\.123 response editor 4b0c7d1e "the final text x+…"$/),
      '10:15:30.123 error editor 4b0c7d1e tool_execution_failed',
      '10:15:30.123 progress writer 4b0c7d1e tool_result http_request [subprocess] · 41 ms',
      '10:15:30.123 malformed /control/agents/writer/input not JSON',
    ]);
  });
});

describe('formatMessage', () => {
  it('dispatches on the format', () => {
    expect(formatMessage(task, 'json', plain)).toBe(formatJson(task));
    expect(formatMessage(task, 'compact', plain)).toBe(formatCompact(task, plain));
    expect(formatMessage(task, 'pretty', plain)).toBe(formatPretty(task, plain));
  });
});
