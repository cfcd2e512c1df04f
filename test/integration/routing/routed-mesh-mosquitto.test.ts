// v2 dynamic routing end to end: three agent processes (scripted provider) on a real mosquitto, routed
// by a real HTTP gatekeeper (node:http in the test). Checked hop by hop on the input topics: new task
// ids, the context and the trace; the final response published once; max_iterations; v1 and `next` unchanged.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

import { expect, onTestFinished, vi } from 'vitest';

import { startAgentProcess, type AgentProcess } from '../../helpers/agent-process.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { connectProbe, type Probe, type Received } from '../../helpers/mqtt-probe.js';
import { healthUrl } from '../../helpers/replica-pool.js';
import { needs } from '../../helpers/require-tool.js';
import {
  inputsOf as probeInputsOf,
  progressOf as probeProgressOf,
  waitForProgress,
} from '../../helpers/routing-probe.js';

const MESH = ['rt-researcher', 'rt-writer', 'rt-editor'] as const;
const WAIT = 30_000;

interface GatekeeperRequest {
  original_query: string;
  workflow_history: { agent_id: string; action: string; timestamp: string }[];
  current_output: string;
  available_agents: { agent_id: string; capabilities: string[]; load: number }[];
  iteration_count: number;
}

/**
 * The gatekeeper: for a query starting with "mesh:" researcher → writer → editor → complete (by
 * iteration_count); any other query is complete at once. Every request is kept.
 */
async function startGatekeeper(): Promise<{
  url: string;
  requests: GatekeeperRequest[];
  close(): Promise<void>;
}> {
  const requests: GatekeeperRequest[] = [];
  const body = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server = createServer((req, res) => {
    void body(req).then((text) => {
      const r = JSON.parse(text) as GatekeeperRequest;
      requests.push(r);
      const plan = [
        { next_agent: 'rt-writer', next_instruction: 'Write it up', reasoning: 'research is done' },
        { next_agent: 'rt-editor', next_instruction: 'Edit the draft', reasoning: 'a draft exists' },
      ];
      const revisit = [
        { next_agent: 'rt-writer', next_instruction: 'Draft it', reasoning: 'draft first' },
        { next_agent: 'rt-researcher', next_instruction: 'Check the facts', reasoning: 'back to research' },
      ];
      const step = r.original_query.startsWith('mesh:')
        ? plan[r.iteration_count]
        : r.original_query.startsWith('revisit:')
          ? revisit[r.iteration_count]
          : undefined;
      const decision = step
        ? { workflow_complete: false, ...step }
        : { workflow_complete: true, reasoning: 'good enough', next_agent: null, next_instruction: null };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(decision));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/route`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const agentToml = (id: string, broker: string, gatekeeper: string, maxIterations: number): string =>
  [
    '[agent]',
    `id = "${id}"`,
    `capabilities = ["${id.slice(3)}"]`,
    '[mqtt]',
    `broker_url = "${broker}"`,
    '[llm]',
    'provider = "scripted"',
    '[routing]',
    'strategy = "gatekeeper"',
    `max_iterations = ${maxIterations}`,
    '[routing.gatekeeper]',
    `url = "${gatekeeper}"`,
    '',
  ].join('\n');

interface Mesh {
  probe: Probe;
  gatekeeper: Awaited<ReturnType<typeof startGatekeeper>>;
  agents: AgentProcess[];
}

let mesh: Mesh;

const json = (r: Received): Record<string, unknown> => r.json();
const onConversation = (conversation: string): Received[] => mesh.probe.on(`/conversations/${conversation}/`);
const progressOf = (event: string, conversation: string): Record<string, unknown>[] =>
  probeProgressOf(mesh.probe, event, conversation);
/** Wait for a progress event of a conversation (sent after the agent published what it answered). */
const progress = (event: string, conversation: string, agent: string): Promise<Record<string, unknown>> =>
  waitForProgress(mesh.probe, event, conversation, agent, WAIT);
const inputsOf = (agent: string, conversation: string): Record<string, unknown>[] =>
  probeInputsOf(mesh.probe, agent, conversation);

/** Broker, gatekeeper, the three agents and a probe; stopped when the test finishes. */
async function startMesh(): Promise<void> {
  const broker = await startMosquitto();
  onTestFinished(() => broker.stop());
  const gatekeeper = await startGatekeeper();
  onTestFinished(() => gatekeeper.close());
  const agents = await Promise.all(
    MESH.map((id) => startAgentProcess(agentToml(id, broker.url, gatekeeper.url, 10))),
  );
  const probe = await connectProbe(broker.url);
  await probe.subscribe('/control/agents/+/input');
  await probe.subscribe('/control/agents/+/progress');
  await probe.subscribe('/conversations/#');
  mesh = { probe, gatekeeper, agents };
  // Discovery: every agent sees the other two as routable before a task is routed.
  const bases = await Promise.all(agents.map((a) => healthUrl(a)));
  await vi.waitFor(
    async () => {
      for (const base of bases) {
        const health = (await (await fetch(`${base}/health`)).json()) as {
          routable_agents: { agent_id: string }[];
        };
        expect(health.routable_agents.map((a) => a.agent_id).sort()).toEqual([...MESH].sort());
      }
    },
    { timeout: WAIT, interval: 50 },
  );
}

/** researcher → writer → editor, a new task per hop, one final response. */
async function routedWorkflow(): Promise<void> {
  const conversation = `mesh-${randomUUID().slice(0, 8)}`;
  const first = randomUUID();
  await mesh.probe.publish(
    '/control/agents/rt-researcher/input',
    JSON.stringify({
      task_id: first,
      conversation_id: conversation,
      topic: '/control/agents/rt-researcher/input',
      instruction: 'mesh: research solar power',
      input: 'topic: solar',
      version: '2.0',
    }),
  );
  await progress('task_completed', conversation, 'rt-editor');

  // Hop 1: researcher → writer.
  const [toWriter] = inputsOf('rt-writer', conversation);
  expect(toWriter).toMatchObject({
    conversation_id: conversation,
    topic: '/control/agents/rt-writer/input',
    instruction: 'Write it up',
    version: '2.0',
    context: {
      original_query: 'mesh: research solar power',
      steps_completed: [{ agent_id: 'rt-researcher', action: 'mesh: research solar power' }],
      iteration_count: 1,
    },
    routing_trace: [
      { from_agent: 'rt-researcher', to_agent: 'rt-writer', reason: 'research is done', step_number: 1 },
    ],
  });
  // Hop 2: writer → editor.
  const [toEditor] = inputsOf('rt-editor', conversation);
  expect(toEditor).toMatchObject({
    topic: '/control/agents/rt-editor/input',
    instruction: 'Edit the draft',
    context: {
      original_query: 'mesh: research solar power',
      steps_completed: [
        { agent_id: 'rt-researcher', action: 'mesh: research solar power' },
        { agent_id: 'rt-writer', action: 'Write it up' },
      ],
      iteration_count: 2,
    },
    routing_trace: [
      { from_agent: 'rt-researcher', to_agent: 'rt-writer', step_number: 1 },
      { from_agent: 'rt-writer', to_agent: 'rt-editor', reason: 'a draft exists', step_number: 2 },
    ],
  });
  const ids = [first, toWriter!.task_id, toEditor!.task_id];
  expect(new Set(ids).size).toBe(3);

  // What the gatekeeper was asked, hop by hop; each hop's input is the previous hop's output.
  const asked = mesh.gatekeeper.requests.filter((r) => r.original_query === 'mesh: research solar power');
  expect(asked.map((r) => [r.iteration_count, r.workflow_history.map((s) => s.agent_id)])).toEqual([
    [0, []],
    [1, ['rt-researcher']],
    [2, ['rt-researcher', 'rt-writer']],
  ]);
  expect(asked[0]!.available_agents.map((a) => a.agent_id)).toEqual(['rt-editor', 'rt-writer']);
  expect(asked[0]!.available_agents[0]).toEqual({
    agent_id: 'rt-editor',
    capabilities: ['editor'],
    load: 0,
  });
  expect(toWriter!.input).toBe(asked[0]!.current_output);
  expect(toEditor!.input).toBe(asked[1]!.current_output);

  // One final response: the editor's, for its own hop's task id.
  const answers = onConversation(conversation);
  expect(answers.map((m) => m.topic)).toEqual([`/conversations/${conversation}/rt-editor`]);
  expect(json(answers[0]!)).toEqual({ task_id: toEditor!.task_id, response: asked[2]!.current_output });

  // Each decision is a routing_decision progress event.
  const decisions = progressOf('routing_decision', conversation).map(
    (e) => e.data as Record<string, unknown>,
  );
  expect(decisions.map((d) => [d.from, d.to, d.outcome, d.router])).toEqual([
    ['rt-researcher', 'rt-writer', 'forward', 'gatekeeper'],
    ['rt-writer', 'rt-editor', 'forward', 'gatekeeper'],
    ['rt-editor', null, 'complete', 'gatekeeper'],
  ]);
  expect(decisions[0]).toMatchObject({ reason: 'research is done', task_id: toWriter!.task_id });
}

/** At max_iterations the output is the final response and the gatekeeper is not asked. */
async function maxIterations(): Promise<void> {
  const conversation = `cap-${randomUUID().slice(0, 8)}`;
  const before = mesh.gatekeeper.requests.length;
  const taskId = randomUUID();
  await mesh.probe.publish(
    '/control/agents/rt-writer/input',
    JSON.stringify({
      task_id: taskId,
      conversation_id: conversation,
      topic: '/control/agents/rt-writer/input',
      instruction: 'mesh: write',
      version: '2.0',
      context: { original_query: 'mesh: anything', steps_completed: [], iteration_count: 10 },
    }),
  );
  await progress('task_completed', conversation, 'rt-writer');
  expect(mesh.gatekeeper.requests.length).toBe(before);
  const answers = onConversation(conversation);
  expect(answers.map((m) => m.topic)).toEqual([`/conversations/${conversation}/rt-writer`]);
  expect(json(answers[0]!)).toMatchObject({ task_id: taskId });
  const [decision] = progressOf('routing_decision', conversation);
  expect(decision?.data).toMatchObject({ from: 'rt-writer', to: null, outcome: 'max_iterations' });
}

/** researcher → writer → researcher: the second visit is a new task, run and answered, not a duplicate. */
async function revisit(): Promise<void> {
  const conversation = `again-${randomUUID().slice(0, 8)}`;
  const first = randomUUID();
  await mesh.probe.publish(
    '/control/agents/rt-researcher/input',
    JSON.stringify({
      task_id: first,
      conversation_id: conversation,
      topic: '/control/agents/rt-researcher/input',
      instruction: 'revisit: research wind power',
      version: '2.0',
    }),
  );
  // The first visit ends in task_forwarded; task_completed comes after the second visit's response.
  await progress('task_completed', conversation, 'rt-researcher');
  const visits = inputsOf('rt-researcher', conversation);
  expect(visits.map((v) => v.instruction)).toEqual(['revisit: research wind power', 'Check the facts']);
  expect(visits[1]!.task_id).not.toBe(first);
  const answers = onConversation(conversation);
  expect(answers.map((m) => m.topic)).toEqual([`/conversations/${conversation}/rt-researcher`]);
  expect(json(answers[0]!)).toMatchObject({ task_id: visits[1]!.task_id });
  expect(progressOf('task_started', conversation).filter((e) => e.agent_id === 'rt-researcher')).toHaveLength(
    2,
  );
}

/**
 * kill -9 the editor: its Last Will removes it from discovery, and a decision naming it is a router
 * error (on_router_error = "complete": the writer's output is the final response); it gets no task.
 */
async function departedAgentNeverChosen(): Promise<void> {
  const editor = mesh.agents[MESH.indexOf('rt-editor')]!;
  const writerHealth = await healthUrl(mesh.agents[MESH.indexOf('rt-writer')]!);
  editor.child.kill('SIGKILL');
  await vi.waitFor(
    async () => {
      const health = (await (await fetch(`${writerHealth}/health`)).json()) as {
        routable_agents: { agent_id: string }[];
      };
      expect(health.routable_agents.map((a) => a.agent_id)).not.toContain('rt-editor');
    },
    { timeout: WAIT, interval: 50 },
  );
  const conversation = `gone-${randomUUID().slice(0, 8)}`;
  await mesh.probe.publish(
    '/control/agents/rt-researcher/input',
    JSON.stringify({
      task_id: randomUUID(),
      conversation_id: conversation,
      topic: '/control/agents/rt-researcher/input',
      instruction: 'mesh: research tidal power',
      version: '2.0',
    }),
  );
  await progress('task_completed', conversation, 'rt-writer');
  const decisions = progressOf('routing_decision', conversation).map(
    (e) => e.data as Record<string, unknown>,
  );
  expect(decisions.map((d) => [d.from, d.outcome])).toEqual([
    ['rt-researcher', 'forward'],
    ['rt-writer', 'error'],
  ]);
  expect(decisions[1]).toMatchObject({ code: 'AGENT_ERR_ROUTER_BAD_DECISION', on_router_error: 'complete' });
  expect(inputsOf('rt-editor', conversation)).toEqual([]);
  expect(onConversation(conversation).map((m) => m.topic)).toEqual([
    `/conversations/${conversation}/rt-writer`,
  ]);
}

/** v1 tasks and v2 tasks with next are not routed. */
async function notRouted(): Promise<void> {
  const v1 = `v1-${randomUUID().slice(0, 8)}`;
  const withNext = `next-${randomUUID().slice(0, 8)}`;
  const before = mesh.gatekeeper.requests.length;
  await mesh.probe.publish(
    '/control/agents/rt-researcher/input',
    JSON.stringify({
      task_id: randomUUID(),
      conversation_id: v1,
      topic: '/control/agents/rt-researcher/input',
      instruction: 'mesh: v1 task',
    }),
  );
  const first = randomUUID();
  await mesh.probe.publish(
    '/control/agents/rt-researcher/input',
    JSON.stringify({
      task_id: first,
      conversation_id: withNext,
      topic: '/control/agents/rt-researcher/input',
      instruction: 'mesh: fixed pipeline',
      version: '2.0',
      next: { topic: '/control/agents/rt-editor/input', instruction: 'edit' },
    }),
  );
  await progress('task_completed', v1, 'rt-researcher');
  await progress('task_forwarded', withNext, 'rt-researcher');
  // The `next` hop is a v2 task without `next` on the editor: that one is routed (complete, not "mesh:").
  await progress('task_completed', withNext, 'rt-editor');
  expect(onConversation(v1).map((m) => m.topic)).toEqual([`/conversations/${v1}/rt-researcher`]);
  expect(progressOf('routing_decision', v1)).toEqual([]);
  // The `next` forward keeps the task id (v1 pipeline semantics) and carries no new context.
  const [forwarded] = inputsOf('rt-editor', withNext);
  expect(forwarded).toMatchObject({ task_id: first, instruction: 'edit', version: '2.0' });
  expect(forwarded?.context ?? null).toBeNull();
  const decisions = progressOf('routing_decision', withNext).map((e) => e.data as Record<string, unknown>);
  expect(decisions.map((d) => [d.from, d.outcome])).toEqual([['rt-editor', 'complete']]);
  // Only the editor's (routed) decision asked the gatekeeper.
  expect(mesh.gatekeeper.requests.length).toBe(before + 1);
}

needs('mosquitto').it(
  'v2 routing between agent processes (mosquitto, HTTP gatekeeper): a routed workflow, the max_iterations cap, v1 and next unchanged, a revisit, a departed agent never chosen',
  async () => {
    await startMesh();
    await routedWorkflow();
    await maxIterations();
    await notRouted();
    await revisit();
    await departedAgentNeverChosen();
  },
  180_000,
);
