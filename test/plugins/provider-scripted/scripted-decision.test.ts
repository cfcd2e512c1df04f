// The scripted provider's structured output: a routing decision scripted in the original query.
import { describe, expect, it } from 'vitest';

import type { GenerateRequestV1 } from '@agent2389/tool-sdk';
import {
  SCRIPTED_COMPLETE_DECISION,
  scriptedDecision,
  scriptedGenerate,
} from '../../../src/plugins/provider-scripted/scripted-provider.js';

const forward = { workflow_complete: false, next_agent: 'writer', next_instruction: 'draft it' };
const routing = (original_query: string, iteration_count: unknown = 0) => ({
  original_query,
  iteration_count,
});
const plan = JSON.stringify({ scripted: { decisions: [forward, 'anything'] } });

describe('scripted provider: structured output', () => {
  it('decision n of the plan for iteration n; past the end: complete', () => {
    expect(scriptedDecision(routing(plan, 0))).toEqual(forward);
    expect(scriptedDecision(routing(plan, 1))).toBe('anything');
    expect(scriptedDecision(routing(plan, 2))).toEqual(SCRIPTED_COMPLETE_DECISION);
  });

  it.each([
    ['a query that is not JSON', routing('write a post')],
    ['JSON without a plan', routing('{"scripted": {"delay_ms": 5}}')],
    ['no routing request', undefined],
    ['decisions not a list', routing('{"scripted": {"decisions": {"0": 1}}}')],
  ])('%s: complete', (_, input) => {
    expect(scriptedDecision(input)).toEqual(SCRIPTED_COMPLETE_DECISION);
  });

  it('a bad iteration_count counts as 0', () => {
    expect(scriptedDecision(routing(plan, -1))).toEqual(forward);
    expect(scriptedDecision(routing(plan, 'x'))).toEqual(forward);
  });

  it('with responseFormat the answer is the decision as JSON text, even with tools offered', () => {
    const req: GenerateRequestV1 = {
      messages: [{ role: 'user', content: 'route this' }],
      tools: [{ name: 'echo', description: 'echo', parameters: { type: 'object' } }],
      task: { instruction: null, input: routing(plan) },
      responseFormat: { type: 'json_schema', name: 'routing_decision', schema: { type: 'object' } },
    };
    const r = scriptedGenerate(req);
    expect(r).toMatchObject({ toolCalls: [], finishReason: 'stop' });
    expect(JSON.parse(r.text)).toEqual(forward);
  });

  it('without responseFormat nothing changes: the prompt is echoed', () => {
    const r = scriptedGenerate({ messages: [{ role: 'user', content: plan }], tools: [] });
    expect(r.text).toBe(plan);
  });
});
