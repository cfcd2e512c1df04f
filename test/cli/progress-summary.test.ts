import { describe, expect, it } from 'vitest';

import { summarizeProgress } from '../../src/cli/progress-summary.js';

describe('summarizeProgress', () => {
  it.each([
    ['task_started', { generation: 2, next: '/control/agents/editor/input' }, 'generation 2 · next editor'],
    ['task_started', { generation: 1, next: null }, 'generation 1 · last hop'],
    ['llm_request', { iteration: 1 }, 'iteration 1'],
    [
      'llm_response',
      {
        iteration: 2,
        duration_ms: 1500,
        finish_reason: 'tool_calls',
        tool_calls: 1,
        input_tokens: 10,
        output_tokens: 3,
      },
      'iteration 2 · 1.5 s · tool_calls · 1 tool call · tokens 10 in / 3 out',
    ],
    [
      'llm_response',
      {
        iteration: 1,
        duration_ms: 20,
        error: { code: 'AGENT_ERR_PROVIDER_REQUEST_FAILED', message: 'HTTP 500' },
      },
      'iteration 1 · 20 ms · failed AGENT_ERR_PROVIDER_REQUEST_FAILED: HTTP 500',
    ],
    ['tool_call', { tool: 'http_request', call_id: 'c', sandbox: 'subprocess' }, 'http_request [subprocess]'],
    [
      'tool_result',
      { tool: 'echo', call_id: 'c', duration_ms: 3, sandbox: 'module' },
      'echo [module] · 3 ms',
    ],
    [
      'tool_error',
      {
        tool: 'calc',
        call_id: 'c',
        duration_ms: 12,
        sandbox: 'script',
        code: 'AGENT_ERR_SCRIPT_TIMEOUT',
        message: 'timed out',
      },
      'calc [script] · 12 ms · AGENT_ERR_SCRIPT_TIMEOUT: timed out',
    ],
    ['budget_exhausted', { tool_calls: 15, iterations: 8 }, '15 tool calls · 8 iterations'],
    ['task_forwarded', { to: '/control/agents/writer/input', duration_ms: 410 }, 'to writer · 410 ms'],
    [
      'task_completed',
      { duration_ms: 2300, tool_calls: 0, llm_calls: 1 },
      '2.3 s · 1 LLM call · 0 tool calls',
    ],
    ['task_failed', { code: 'llm_error', message: 'boom', duration_ms: 5 }, 'llm_error: boom · 5 ms'],
    [
      'config_reloaded',
      { generation: 3, summary: 'llm.system_prompt changed' },
      'generation 3 · llm.system_prompt changed',
    ],
    [
      'config_rejected',
      { file: 'agent.toml', code: 'AGENT_ERR_CONFIG_INVALID', reason: 'bad' },
      'AGENT_ERR_CONFIG_INVALID: bad · in agent.toml',
    ],
  ])('%s %j', (event, data, expected) => {
    expect(summarizeProgress(event, data)).toBe(expected);
  });

  it('leaves out missing or mistyped fields instead of failing', () => {
    expect(summarizeProgress('tool_result', { tool: 'echo', duration_ms: 'fast' })).toBe('echo');
    expect(summarizeProgress('task_completed', null)).toBe('');
    expect(summarizeProgress('task_failed', 'nonsense')).toBe('');
  });

  it('shows the data of an unknown event as JSON, and is not fooled by prototype names', () => {
    expect(summarizeProgress('new_event', { a: 1 })).toBe('{"a":1}');
    expect(summarizeProgress('toString', {})).toBe('');
    expect(summarizeProgress('constructor', { b: 2 })).toBe('{"b":2}');
  });
});
