// processTask with [routing]: what a routed v2 task publishes (forward, response, error), and that v1
// tasks and tasks with `next` never ask the router.
import { describe, expect, it } from 'vitest';

import { processTask, type TaskProcessorDeps } from '../../../src/core/agent/task-processor.js';
import { ToolRegistry } from '../../../src/core/agent/tool-registry.js';
import { configSchema } from '../../../src/core/config/schema.js';
import { ERR_ROUTER_FAILED } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/core/observability/silent-logger.js';
import { parseEnvelope } from '../../../src/core/protocol/envelope.js';
import { AgentRegistry } from '../../../src/core/routing/agent-registry.js';
import type { Router, RoutingDecision } from '../../../src/core/routing/decision.js';
import type { RoutingReport, RoutingSettings } from '../../../src/core/routing/route-task.js';
import { createScriptedProvider } from '../../../src/plugins/provider-scripted/scripted-provider.js';

const TASK = '33333333-3333-4333-8333-333333333333';

function registry(): AgentRegistry {
  const reg = new AgentRegistry({ staleAfterMs: () => 90_000 });
  const status = {
    status: 'available',
    timestamp: 'now',
    capabilities: [],
    tools: [],
    load: 0,
    version: '1',
  };
  reg.observe(
    '/control/agents/writer/status',
    Buffer.from(JSON.stringify({ agent_id: 'writer', ...status })),
  );
  return reg;
}

function setup(answer: RoutingDecision | Error, routing: Partial<RoutingSettings> = {}) {
  const published: { topic: string; payload: Record<string, unknown> }[] = [];
  const reports: RoutingReport[] = [];
  let asked = 0;
  const router: Router = {
    kind: 'llm',
    decide: () => {
      asked++;
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
  const deps: TaskProcessorDeps = {
    agentId: 'me',
    provider: createScriptedProvider(),
    tools: ToolRegistry.fromEntries([]),
    loop: { maxToolCalls: 5, maxIterations: 5, maxOutputBytes: 1 << 20 },
    taskTimeoutMs: 60_000,
    maxMessageBytes: 262_144,
    publishIntermediate: false,
    routing: {
      settings: { ...configSchema.shape.routing.parse({ strategy: 'llm' }), ...routing },
      router,
    },
    publish: (topic, payload) => {
      published.push({ topic, payload: JSON.parse(payload) as Record<string, unknown> });
      return Promise.resolve();
    },
  };
  const run = (raw: Record<string, unknown>) => {
    const parsed = parseEnvelope({
      task_id: TASK,
      conversation_id: 'c1',
      topic: '/control/agents/me/input',
      instruction: 'do it',
      ...raw,
    });
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    return processTask(parsed.envelope, deps, {
      log: silentLogger,
      shutdownSignal: new AbortController().signal,
      routing: { peers: registry(), onDecision: (r) => reports.push(r) },
    });
  };
  return { published, reports, run, asked: () => asked };
}

const toWriter: RoutingDecision = {
  workflow_complete: false,
  next_agent: 'writer',
  next_instruction: 'write',
};

describe('processTask: routed v2 tasks', () => {
  it('forward: the new task goes to the chosen agent, nothing on the conversation', async () => {
    const t = setup(toWriter);
    const outcome = await t.run({ version: '2.0' });
    expect(outcome).toMatchObject({ status: 'forwarded', forwardedTo: '/control/agents/writer/input' });
    expect(t.published.map((p) => p.topic)).toEqual(['/control/agents/writer/input']);
    expect(t.published[0]!.payload).toMatchObject({ instruction: 'write', version: '2.0' });
    expect(t.published[0]!.payload.task_id).not.toBe(TASK);
    expect(t.reports.map((r) => r.outcome)).toEqual(['forward']);
  });

  it('complete: the response on the conversation topic', async () => {
    const t = setup({ workflow_complete: true });
    expect(await t.run({ version: '2.0' })).toMatchObject({ status: 'responded' });
    expect(t.published.map((p) => [p.topic, p.payload.task_id])).toEqual([['/conversations/c1/me', TASK]]);
  });

  it('router error with on_router_error = "fail": an llm_error for the llm router', async () => {
    const t = setup(new ERR_ROUTER_FAILED({ router: 'llm', reason: 'provider down' }), {
      on_router_error: 'fail',
    });
    expect(await t.run({ version: '2.0' })).toMatchObject({ status: 'failed', code: 'llm_error' });
    expect(t.published.map((p) => [p.topic, p.payload.task_id])).toEqual([['/conversations/c1/me', TASK]]);
    expect(t.published[0]!.payload.error).toMatchObject({ code: 'llm_error' });
    expect(t.reports.map((r) => [r.outcome, r.code])).toEqual([['error', 'AGENT_ERR_ROUTER_FAILED']]);
  });

  it('router error with on_router_error = "complete": the output is the response', async () => {
    const t = setup(new ERR_ROUTER_FAILED({ router: 'llm', reason: 'provider down' }));
    expect(await t.run({ version: '2.0' })).toMatchObject({ status: 'responded' });
    expect(t.published.map((p) => Object.keys(p.payload).sort())).toEqual([['response', 'task_id']]);
  });

  it('v1 tasks and v2 tasks with next never ask the router', async () => {
    const t = setup(toWriter);
    expect(await t.run({})).toMatchObject({ status: 'responded' });
    const next = { topic: '/control/agents/other/input', instruction: 'x' };
    expect(await t.run({ version: '2.0', next })).toMatchObject({ status: 'forwarded' });
    expect(t.published.map((p) => p.topic)).toEqual(['/conversations/c1/me', '/control/agents/other/input']);
    expect(t.published[1]!.payload.task_id).toBe(TASK);
    expect(t.asked()).toBe(0);
    expect(t.reports).toEqual([]);
  });
});
