// The llm router end to end: agent processes on a real mosquitto whose providers are the official OpenAI
// and Anthropic SDKs against local fake servers. A schema'd decision is parsed and forwarded hop by hop;
// an unusable decision takes the router-error path (on_router_error = "complete").
import { randomUUID } from 'node:crypto';

import { expect, onTestFinished, vi } from 'vitest';

import { DECISION_JSON_SCHEMA, DECISION_SCHEMA_NAME } from '../../../src/core/routing/decision.js';
import { startAgentProcess, type AgentProcess } from '../../helpers/agent-process.js';
import {
  messageBody,
  startFakeAnthropicServer,
  textBlock,
  toolUseBlock,
  type FakeAnthropicServer,
} from '../../helpers/fake-anthropic-server.js';
import { chatBody, startFakeOpenAiServer, type FakeOpenAiServer } from '../../helpers/fake-openai-server.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { connectProbe, type Probe, type Received } from '../../helpers/mqtt-probe.js';
import { healthUrl } from '../../helpers/replica-pool.js';
import { needs } from '../../helpers/require-tool.js';
import {
  decisionsOf as probeDecisionsOf,
  inputsOf as probeInputsOf,
  waitForProgress,
} from '../../helpers/routing-probe.js';

const WAIT = 30_000;
const OPENAI = 'lr-openai';
const ANTHROPIC = 'lr-anthropic';
const WRITER = 'lr-writer';
const KEYS = { LR_OPENAI_KEY: 'sk-lr-openai-secret', LR_ANTHROPIC_KEY: 'sk-ant-lr-secret' };

interface Mesh {
  probe: Probe;
  openai: FakeOpenAiServer;
  anthropic: FakeAnthropicServer;
  agents: AgentProcess[];
}
let mesh: Mesh;

const header = (id: string, capability: string, broker: string): string[] => [
  '[agent]',
  `id = "${id}"`,
  `capabilities = ["${capability}"]`,
  '[mqtt]',
  `broker_url = "${broker}"`,
];
const llmRouting = ['[routing]', 'strategy = "llm"', 'on_router_error = "complete"', '[routing.llm]'];
const tomlFor = (broker: string, openai: string, anthropic: string): Record<string, string> => ({
  [OPENAI]: [
    ...header(OPENAI, 'research', broker),
    '[llm]',
    'provider = "openai"',
    'model = "gpt-test"',
    `base_url = "${openai}"`,
    'api_key_env = "LR_OPENAI_KEY"',
    'max_retries = 0',
    ...llmRouting,
    'temperature = 0.0',
    '',
  ].join('\n'),
  [ANTHROPIC]: [
    ...header(ANTHROPIC, 'analysis', broker),
    '[llm]',
    'provider = "anthropic"',
    'model = "claude-test"',
    `base_url = "${anthropic}"`,
    'api_key_env = "LR_ANTHROPIC_KEY"',
    'max_retries = 0',
    ...llmRouting,
    'model = "claude-router"',
    '',
  ].join('\n'),
  [WRITER]: [...header(WRITER, 'writing', broker), '[llm]', 'provider = "scripted"', ''].join('\n'),
});

const json = (r: Received): Record<string, unknown> => r.json();
const progress = (event: string, conversation: string, agent: string): Promise<Record<string, unknown>> =>
  waitForProgress(mesh.probe, event, conversation, agent, WAIT);
const inputsOf = (agent: string, conversation: string): Record<string, unknown>[] =>
  probeInputsOf(mesh.probe, agent, conversation);
const answersOf = (conversation: string): Received[] => mesh.probe.on(`/conversations/${conversation}/`);
const decisionsOf = (conversation: string): Record<string, unknown>[] =>
  probeDecisionsOf(mesh.probe, conversation);

async function startMesh(): Promise<void> {
  const broker = await startMosquitto();
  onTestFinished(() => broker.stop());
  const openai = await startFakeOpenAiServer();
  onTestFinished(() => openai.close());
  const anthropic = await startFakeAnthropicServer();
  onTestFinished(() => anthropic.close());
  // Anthropic's verify() at startup: GET /v1/models/claude-test.
  anthropic.enqueue({ body: { type: 'model', id: 'claude-test', display_name: 'Claude Test' } });
  const tomls = tomlFor(broker.url, openai.baseUrl, anthropic.baseUrl.replace(/\/$/, ''));
  const agents = await Promise.all(
    [OPENAI, ANTHROPIC, WRITER].map((id) => startAgentProcess(tomls[id]!, { ...KEYS })),
  );
  const probe = await connectProbe(broker.url);
  await probe.subscribe('/control/agents/+/input');
  await probe.subscribe('/control/agents/+/progress');
  await probe.subscribe('/conversations/#');
  mesh = { probe, openai, anthropic, agents };
  // Both routing agents see the writer as routable before a task is routed.
  const bases = await Promise.all(agents.slice(0, 2).map((a) => healthUrl(a)));
  await vi.waitFor(
    async () => {
      for (const base of bases) {
        const health = (await (await fetch(`${base}/health`)).json()) as {
          routable_agents: { agent_id: string }[];
        };
        expect(health.routable_agents.map((a) => a.agent_id)).toContain(WRITER);
      }
    },
    { timeout: WAIT, interval: 50 },
  );
}

async function sendTask(agent: string, instruction: string): Promise<string> {
  const conversation = `llm-${randomUUID().slice(0, 8)}`;
  await mesh.probe.publish(
    `/control/agents/${agent}/input`,
    JSON.stringify({
      task_id: randomUUID(),
      conversation_id: conversation,
      topic: `/control/agents/${agent}/input`,
      instruction,
      input: null,
      version: '2.0',
    }),
  );
  return conversation;
}

const forwardDecision = {
  workflow_complete: false,
  reasoning: 'the findings need writing up',
  next_agent: WRITER,
  next_instruction: 'Write a summary of the findings',
};

/** The routing prompt shows the query, the current output and the routable agents. */
function expectRoutingPrompt(prompt: string, query: string, output: string): void {
  expect(prompt).toContain(`## Original query\n\n${query}`);
  expect(prompt).toContain(`## Current output\n\n${output}`);
  expect(prompt).toMatch(new RegExp(`- ${WRITER} \\(capabilities: writing; load 0\\.00\\)`));
}

/** The writer got the routed hop; it answered once, as the final response. */
function expectForwardedToWriter(conversation: string, from: string, query: string, output: string): void {
  const [hop] = inputsOf(WRITER, conversation);
  expect(hop).toMatchObject({
    instruction: forwardDecision.next_instruction,
    input: output,
    version: '2.0',
    context: {
      original_query: query,
      steps_completed: [{ agent_id: from, action: query }],
      iteration_count: 1,
    },
    routing_trace: [
      { from_agent: from, to_agent: WRITER, reason: forwardDecision.reasoning, step_number: 1 },
    ],
  });
  expect(answersOf(conversation).map((m) => m.topic)).toEqual([`/conversations/${conversation}/${WRITER}`]);
  expect(json(answersOf(conversation)[0]!)).toMatchObject({ task_id: hop!.task_id });
  expect(decisionsOf(conversation)[0]).toMatchObject({
    from,
    to: WRITER,
    outcome: 'forward',
    router: 'llm',
    reason: forwardDecision.reasoning,
  });
}

/** An unusable decision is AGENT_ERR_ROUTER_BAD_DECISION; the agent's own output is the final response. */
function expectRouterErrorCompleted(conversation: string, from: string, output: string): void {
  expect(decisionsOf(conversation)).toEqual([
    expect.objectContaining({
      from,
      outcome: 'error',
      router: 'llm',
      code: 'AGENT_ERR_ROUTER_BAD_DECISION',
      on_router_error: 'complete',
    }),
  ]);
  expect(inputsOf(WRITER, conversation)).toEqual([]);
  const answers = answersOf(conversation);
  expect(answers.map((m) => m.topic)).toEqual([`/conversations/${conversation}/${from}`]);
  expect(json(answers[0]!)).toMatchObject({ response: output });
}

async function openAiRouted(): Promise<void> {
  const query = 'Research the history of tide mills';
  mesh.openai.enqueue(
    { body: chatBody('Tide mills date from Roman times.') },
    { body: chatBody(JSON.stringify(forwardDecision)) },
  );
  const conversation = await sendTask(OPENAI, query);
  await progress('task_completed', conversation, WRITER);

  const chats = mesh.openai.requests.filter((r) => r.path === '/v1/chat/completions');
  const routing = chats.at(-1)!.body!;
  expect(routing.response_format).toEqual({
    type: 'json_schema',
    json_schema: { name: DECISION_SCHEMA_NAME, strict: true, schema: DECISION_JSON_SCHEMA },
  });
  expect(routing.tools ?? []).toEqual([]);
  expect(routing.temperature).toBe(0);
  const messages = routing.messages as { role: string; content: string }[];
  expectRoutingPrompt(messages.at(-1)!.content, query, 'Tide mills date from Roman times.');
  expectForwardedToWriter(conversation, OPENAI, query, 'Tide mills date from Roman times.');
}

async function openAiBadDecision(): Promise<void> {
  mesh.openai.enqueue(
    { body: chatBody('Answer without a router.') },
    { body: chatBody('I think the writer should go next.') },
  );
  const conversation = await sendTask(OPENAI, 'Research windmills');
  await progress('task_completed', conversation, OPENAI);
  expectRouterErrorCompleted(conversation, OPENAI, 'Answer without a router.');
}

async function anthropicRouted(): Promise<void> {
  const query = 'Analyse the tide mill data';
  mesh.anthropic.enqueue(
    { body: messageBody([textBlock('Output peaks at spring tides.')]) },
    { body: messageBody([toolUseBlock('toolu_route', DECISION_SCHEMA_NAME, forwardDecision)], 'tool_use') },
  );
  const conversation = await sendTask(ANTHROPIC, query);
  await progress('task_completed', conversation, WRITER);

  const routing = mesh.anthropic.requests.at(-1)!.body!;
  expect(routing.model).toBe('claude-router');
  expect(routing.tool_choice).toEqual({ type: 'tool', name: DECISION_SCHEMA_NAME });
  expect(routing.tools).toEqual([expect.objectContaining({ name: DECISION_SCHEMA_NAME })]);
  const messages = routing.messages as { role: string; content: string | { text: string }[] }[];
  const last = messages.at(-1)!.content;
  expectRoutingPrompt(
    typeof last === 'string' ? last : last.map((b) => b.text).join(''),
    query,
    'Output peaks at spring tides.',
  );
  expectForwardedToWriter(conversation, ANTHROPIC, query, 'Output peaks at spring tides.');
}

async function anthropicBadDecision(): Promise<void> {
  mesh.anthropic.enqueue(
    { body: messageBody([textBlock('Spring tides matter.')]) },
    // The forced tool is called, but its input lacks workflow_complete.
    {
      body: messageBody(
        [toolUseBlock('toolu_bad', DECISION_SCHEMA_NAME, { reasoning: 'unsure' })],
        'tool_use',
      ),
    },
  );
  const conversation = await sendTask(ANTHROPIC, 'Analyse neap tides');
  await progress('task_completed', conversation, ANTHROPIC);
  expectRouterErrorCompleted(conversation, ANTHROPIC, 'Spring tides matter.');
}

needs('mosquitto').it(
  'the llm router through the OpenAI and Anthropic SDKs (fake servers): a schema’d decision forwards, a bad one completes',
  async () => {
    await startMesh();
    await openAiRouted();
    await openAiBadDecision();
    await anthropicRouted();
    await anthropicBadDecision();
    for (const agent of mesh.agents) {
      expect(agent.output()).not.toContain(KEYS.LR_OPENAI_KEY);
      expect(agent.output()).not.toContain(KEYS.LR_ANTHROPIC_KEY);
    }
  },
  180_000,
);
