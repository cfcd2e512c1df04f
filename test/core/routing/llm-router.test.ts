// The llm router through the real OpenAI and Anthropic SDKs against local fake servers, and the scripted provider.
import { afterEach, describe, expect, it } from 'vitest';

import type { ProviderV1 } from '@agent2389/tool-sdk';
import { DECISION_JSON_SCHEMA, type RoutingRequest } from '../../../src/core/routing/decision.js';
import { PROMPT_LIMITS, createLlmRouter, routingPrompt } from '../../../src/core/routing/llm-router.js';
import { createAnthropicProvider } from '../../../src/plugins/provider-anthropic/anthropic-provider.js';
import { createOpenAiProvider } from '../../../src/plugins/provider-openai/openai-provider.js';
import { createScriptedProvider } from '../../../src/plugins/provider-scripted/scripted-provider.js';
import {
  messageBody,
  startFakeAnthropicServer,
  textBlock,
  toolUseBlock,
  type FakeAnthropicServer,
} from '../../helpers/fake-anthropic-server.js';
import {
  chatBody,
  errorBody,
  startFakeOpenAiServer,
  type FakeOpenAiServer,
} from '../../helpers/fake-openai-server.js';
import { rejected } from '../../helpers/thrown.js';

const request: RoutingRequest = {
  original_query: 'Write a short post about MQTT retained messages',
  workflow_history: [{ agent_id: 'researcher', action: 'researched', timestamp: '2025-01-01T00:00:00Z' }],
  current_output: 'Retained messages are kept by the broker…',
  available_agents: [
    { agent_id: 'writer', capabilities: ['writing', 'drafting'], load: 0.25 },
    { agent_id: 'editor', capabilities: ['editing'], load: 0 },
  ],
  iteration_count: 1,
};
const forward = {
  workflow_complete: false,
  reasoning: 'the notes need a draft',
  next_agent: 'writer',
  next_instruction: 'Draft the post from these notes',
};
const live = (): AbortSignal => new AbortController().signal;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function openai(): Promise<{ server: FakeOpenAiServer; provider: ProviderV1 }> {
  const server = await startFakeOpenAiServer();
  closers.push(() => server.close());
  const provider = createOpenAiProvider({
    model: 'gpt-test',
    apiKey: 'sk-test',
    baseUrl: server.baseUrl,
    temperature: 0.1,
    options: { max_retries: 0 },
  });
  return { server, provider };
}

async function anthropic(): Promise<{ server: FakeAnthropicServer; provider: ProviderV1 }> {
  const server = await startFakeAnthropicServer();
  closers.push(() => server.close());
  const provider = createAnthropicProvider({
    model: 'claude-test',
    apiKey: 'sk-ant-test',
    baseUrl: server.baseUrl,
    options: { max_retries: 0 },
  });
  return { server, provider };
}

describe('llm router with the OpenAI SDK', () => {
  it('asks with response_format json_schema (strict) and parses the schema’d decision', async () => {
    const { server, provider } = await openai();
    server.enqueue({ body: chatBody(JSON.stringify(forward)) });
    expect(await createLlmRouter(provider).decide(request, live())).toEqual(forward);
    const body = server.requests[0]!.body!;
    expect(body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'routing_decision', schema: DECISION_JSON_SCHEMA, strict: true },
    });
    expect(body).not.toHaveProperty('tools');
    expect(body).toMatchObject({ model: 'gpt-test', temperature: 0.1 });
    const [system, user] = body.messages as { role: string; content: string }[];
    expect(system!.role).toBe('system');
    expect(user!.content).toContain(request.original_query);
    expect(user!.content).toContain(request.current_output);
    expect(user!.content).toContain('- writer (capabilities: writing, drafting; load 0.25)');
    expect(user!.content).toContain('1. researcher: researched');
  });

  it('a complete decision with nulls (what strict mode sends)', async () => {
    const { server, provider } = await openai();
    const done = { workflow_complete: true, reasoning: 'answered', next_agent: null, next_instruction: null };
    server.enqueue({ body: chatBody(JSON.stringify(done)) });
    expect(await createLlmRouter(provider).decide(request, live())).toEqual({
      workflow_complete: true,
      reasoning: 'answered',
    });
  });

  it('a server that ignores response_format: the decision is found in fenced text', async () => {
    const { server, provider } = await openai();
    server.enqueue({ body: chatBody('Sure!\n```json\n' + JSON.stringify(forward) + '\n```') });
    expect(await createLlmRouter(provider).decide(request, live())).toEqual(forward);
  });

  it('a bad decision → AGENT_ERR_ROUTER_BAD_DECISION', async () => {
    const { server, provider } = await openai();
    server.enqueue({ body: chatBody(JSON.stringify({ ...forward, next_agent: 'not/an id' })) });
    const err = await rejected(createLlmRouter(provider).decide(request, live()));
    expect(err.code).toBe('AGENT_ERR_ROUTER_BAD_DECISION');
    expect(err.data).toMatchObject({ router: 'llm', field: 'next_agent' });
  });

  it('no JSON at all → AGENT_ERR_ROUTER_BAD_DECISION', async () => {
    const { server, provider } = await openai();
    server.enqueue({ body: chatBody('I would send it to the writer.') });
    const err = await rejected(createLlmRouter(provider).decide(request, live()));
    expect(err.code).toBe('AGENT_ERR_ROUTER_BAD_DECISION');
  });

  it('a provider failure → AGENT_ERR_ROUTER_FAILED with the cause', async () => {
    const { server, provider } = await openai();
    server.enqueue({ status: 400, body: errorBody('bad schema') });
    const err = await rejected(createLlmRouter(provider).decide(request, live()));
    expect(err.code).toBe('AGENT_ERR_ROUTER_FAILED');
    expect(err.data).toMatchObject({ router: 'llm' });
    expect(err.cause).toBeInstanceOf(Error);
  });
});

describe('llm router with the Anthropic SDK', () => {
  it('forces a tool call (tool_choice) whose input is the decision', async () => {
    const { server, provider } = await anthropic();
    server.enqueue({ body: messageBody([toolUseBlock('toolu_1', 'routing_decision', forward)], 'tool_use') });
    expect(await createLlmRouter(provider).decide(request, live())).toEqual(forward);
    const body = server.requests[0]!.body!;
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'routing_decision' });
    expect(body.tools).toEqual([
      expect.objectContaining({ name: 'routing_decision', input_schema: DECISION_JSON_SCHEMA }),
    ]);
  });

  it('plain text instead of the tool call: the decision is found in the text', async () => {
    const { server, provider } = await anthropic();
    server.enqueue({ body: messageBody([textBlock(`My decision: ${JSON.stringify(forward)}`)]) });
    expect(await createLlmRouter(provider).decide(request, live())).toEqual(forward);
  });

  it('a bad decision in the tool input → AGENT_ERR_ROUTER_BAD_DECISION', async () => {
    const { server, provider } = await anthropic();
    const input = { workflow_complete: false, reasoning: 'x', next_agent: 'writer', next_instruction: null };
    server.enqueue({ body: messageBody([toolUseBlock('toolu_1', 'routing_decision', input)], 'tool_use') });
    const err = await rejected(createLlmRouter(provider).decide(request, live()));
    expect(err.code).toBe('AGENT_ERR_ROUTER_BAD_DECISION');
    expect(err.data).toMatchObject({ field: 'next_instruction' });
  });
});

describe('llm router with the scripted provider', () => {
  const plan = (decisions: unknown[]): RoutingRequest => ({
    ...request,
    original_query: JSON.stringify({ scripted: { decisions } }),
  });

  it('hop n gets decision n of the plan in the query; past the end, or without a plan, complete', async () => {
    const router = createLlmRouter(createScriptedProvider());
    const decisions = [{ workflow_complete: true }, forward];
    expect(await router.decide(plan(decisions), live())).toEqual(forward); // iteration_count 1
    expect(await router.decide({ ...plan(decisions), iteration_count: 2 }, live())).toMatchObject({
      workflow_complete: true,
    });
    expect(await router.decide(request, live())).toMatchObject({ workflow_complete: true });
  });

  it('a scripted bad decision → AGENT_ERR_ROUTER_BAD_DECISION', async () => {
    const router = createLlmRouter(createScriptedProvider());
    const err = await rejected(router.decide(plan([{}, 'nonsense']), live()));
    expect(err.code).toBe('AGENT_ERR_ROUTER_BAD_DECISION');
  });
});

describe('llm router: prompt bounds and abort', () => {
  it('hostile sizes are cut: output, query, steps, agents, capabilities', () => {
    const huge = 'x'.repeat(1_048_576);
    const prompt = routingPrompt({
      original_query: huge,
      current_output: huge,
      workflow_history: Array.from({ length: 500 }, (_, i) => ({
        agent_id: `a${i}`,
        action: huge,
        timestamp: 't',
      })),
      available_agents: Array.from({ length: 500 }, (_, i) => ({
        agent_id: `agent-${i}`,
        capabilities: Array.from({ length: 100 }, () => huge),
        load: 0.5,
      })),
      iteration_count: 3,
    });
    expect(Buffer.byteLength(prompt)).toBeLessThan(
      PROMPT_LIMITS.queryBytes + PROMPT_LIMITS.outputBytes + 200_000,
    );
    expect(prompt).toContain('(480 earlier steps not shown)');
    expect(prompt.match(/^- agent-/gm)).toHaveLength(PROMPT_LIMITS.agents);
  });

  it('an abort rejects with the abort reason, not a router error', async () => {
    const waiting: ProviderV1 = {
      specificationVersion: 'v1',
      id: 'waits',
      doGenerate: (_req, { signal }) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
    };
    const ac = new AbortController();
    const decision = createLlmRouter(waiting).decide(request, ac.signal);
    const reason = new Error('task timed out');
    ac.abort(reason);
    await expect(decision).rejects.toBe(reason);
  });
});
