// `agent2389 pipeline` hop lines when an event carries only part of its data.
import { describe, expect, it } from 'vitest';

import { formatHopEvent } from '../../src/cli/pipeline-format.js';
import { createPalette } from '../../src/cli/terminal-style.js';

const plain = createPalette(false);
const agents = ['researcher', 'writer'];

describe('hop lines with partial data', () => {
  it('a forward or completion without a duration shows no time; a completion without counts no counts', () => {
    expect(formatHopEvent({ type: 'forwarded', hop: 0, to: 'writer', measured: true }, agents, plain)).toBe(
      '[1/2] researcher  forwarded to writer',
    );
    expect(formatHopEvent({ type: 'completed', hop: 1, measured: false }, agents, plain)).toBe(
      '[2/2] writer      completed',
    );
  });

  it('a failure shows the code and message it has, and its time when known', () => {
    expect(formatHopEvent({ type: 'failed', hop: 1, code: 'tool_execution_failed' }, agents, plain)).toBe(
      '[2/2] writer      failed · tool_execution_failed',
    );
    expect(formatHopEvent({ type: 'failed', hop: 1, message: 'boom', durationMs: 1500 }, agents, plain)).toBe(
      '[2/2] writer      failed · boom · 1.5 s',
    );
    expect(formatHopEvent({ type: 'failed', hop: 1 }, agents, plain)).toBe('[2/2] writer      failed');
  });

  it('an activity without data shows the event name alone; received and intermediate lines', () => {
    expect(formatHopEvent({ type: 'activity', hop: 0, event: 'llm_request', data: {} }, agents, plain)).toBe(
      '[1/2] researcher    llm_request',
    );
    expect(formatHopEvent({ type: 'received', hop: 1 }, agents, plain)).toBe(
      '[2/2] writer      received the task',
    );
    expect(formatHopEvent({ type: 'intermediate', hop: 0, text: 'draft' }, agents, plain)).toBe(
      '[1/2] researcher  intermediate response: draft',
    );
  });

  it('an event for a hop beyond the route names the agent ?', () => {
    expect(formatHopEvent({ type: 'started', hop: 2 }, agents, plain)).toBe('[3/2] ?           started');
  });
});
