// Progress events with only some of their fields: each phrase keeps what is there and nothing else.
import { describe, expect, it } from 'vitest';

import { summarizeProgress } from '../../src/cli/progress-summary.js';

describe('summarizeProgress with partial data', () => {
  it.each([
    ['task_started', { next: null }, 'last hop'],
    ['task_started', { generation: 3, next: '/control/agents/editor/input' }, 'generation 3 · next editor'],
    ['task_started', { generation: 'x', next: { topic: 'nested' } }, ''],
    ['llm_request', {}, ''],
    ['llm_response', { input_tokens: 12 }, 'tokens 12 in / ? out'],
    ['llm_response', { output_tokens: 7, tool_calls: 1 }, '1 tool call · tokens ? in / 7 out'],
    ['llm_response', { iteration: 2, error: {} }, 'iteration 2 · failed'],
    ['llm_response', { error: { code: 'rate_limited' } }, 'failed rate_limited'],
    ['llm_response', { error: { message: 'slow down' } }, 'failed slow down'],
    ['tool_call', { tool: 'fetch', sandbox: 'bwrap' }, 'fetch [bwrap]'],
    ['tool_call', { sandbox: 'bwrap' }, ''],
    ['tool_error', { tool: 'fetch', code: 404, message: true }, 'fetch · 404: true'],
    ['budget_exhausted', { tool_calls: 1, iterations: 1 }, '1 tool call · 1 iteration'],
    ['task_forwarded', { to: 42, duration_ms: 5 }, '5 ms'],
    ['task_completed', { llm_calls: 1 }, '1 LLM call'],
    ['config_reloaded', { summary: 'tools: +echo' }, 'tools: +echo'],
    ['config_reloaded', { generation: 4 }, 'generation 4'],
    ['config_rejected', { code: 'AGENT_ERR_CONFIG_INVALID' }, 'AGENT_ERR_CONFIG_INVALID'],
    ['config_rejected', { reason: 'bad key', file: '/etc/a.toml' }, 'bad key · in /etc/a.toml'],
  ])('%s %j → %j', (event, data, expected) => {
    expect(summarizeProgress(event, data)).toBe(expected);
  });
});
