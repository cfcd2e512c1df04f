import { describe, expect, it } from 'vitest';

import { formatHopEvent, pipelineHeader } from '../../src/cli/pipeline-format.js';
import type { HopEvent } from '../../src/cli/pipeline-tracker.js';
import { createPalette } from '../../src/cli/terminal-style.js';

const AGENTS = ['researcher', 'writer', 'editor'];
const p = createPalette(false);
const line = (e: HopEvent) => formatHopEvent(e, AGENTS, p);

describe('formatHopEvent', () => {
  it('one line per hop event, agent names aligned, times from the agent or measured (~)', () => {
    expect(line({ type: 'started', hop: 0 })).toBe('[1/3] researcher  started');
    expect(line({ type: 'received', hop: 1 })).toBe('[2/3] writer      received the task');
    expect(line({ type: 'forwarded', hop: 0, to: 'writer', durationMs: 412, measured: false })).toBe(
      '[1/3] researcher  forwarded to writer · 412 ms',
    );
    expect(line({ type: 'forwarded', hop: 1, to: 'editor', durationMs: 1500, measured: true })).toBe(
      '[2/3] writer      forwarded to editor · ~1.5 s',
    );
    expect(
      line({ type: 'completed', hop: 2, durationMs: 200, measured: false, llmCalls: 1, toolCalls: 2 }),
    ).toBe('[3/3] editor      completed · 200 ms · 1 LLM call · 2 tool calls');
    expect(line({ type: 'completed', hop: 2, durationMs: 20, measured: true })).toBe(
      '[3/3] editor      completed · ~20 ms',
    );
    expect(line({ type: 'failed', hop: 1, code: 'llm_error', message: 'down', durationMs: 5 })).toBe(
      '[2/3] writer      failed · llm_error: down · 5 ms',
    );
    expect(line({ type: 'intermediate', hop: 0, text: 'some\nnotes' })).toBe(
      '[1/3] researcher  intermediate response: some notes',
    );
  });

  it('tool events are indented under their hop with their key data', () => {
    expect(
      line({ type: 'activity', hop: 0, event: 'tool_result', data: { tool: 'web_search', duration_ms: 30 } }),
    ).toBe('[1/3] researcher    tool_result web_search · 30 ms');
  });

  it('prints nothing for the final event (the command prints the outcome)', () => {
    expect(
      line({ type: 'final', outcome: { kind: 'response', agent: 'editor', text: 't', raw: '{}' } }),
    ).toBeUndefined();
  });

  it('the header names the route, the task and the conversation', () => {
    expect(pipelineHeader(AGENTS, 'T', 'C')).toBe(
      'pipeline researcher → writer → editor · task T · conversation C',
    );
  });
});
