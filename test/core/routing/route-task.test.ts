import { afterEach, describe, expect, it } from 'vitest';

import { configSchema } from '../../../src/core/config/schema.js';
import { AgentError, ERR_ROUTER_FAILED, ERR_TASK_TIMEOUT } from '../../../src/core/errors.js';
import { TaskCancellation } from '../../../src/core/agent/task-cancellation.js';
import { envelopeV2Schema, type EnvelopeV2 } from '../../../src/core/protocol/envelope.js';
import { AgentRegistry } from '../../../src/core/routing/agent-registry.js';
import type { Router, RoutingDecision, RoutingRequest } from '../../../src/core/routing/decision.js';
import { routeTask, type RouteDeps, type RoutingSettings } from '../../../src/core/routing/route-task.js';
import { silentLogger } from '../../../src/core/observability/silent-logger.js';

const TASK = '22222222-2222-4222-8222-222222222222';

const status = (id: string, extra: Record<string, unknown> = {}): Buffer =>
  Buffer.from(
    JSON.stringify({
      agent_id: id,
      status: 'available',
      timestamp: '2026-11-25T10:15:30.123Z',
      capabilities: [`${id}-work`],
      tools: [],
      load: 0.5,
      version: '0.1.0',
      ...extra,
    }),
  );

/** A real registry fed status payloads: self, writer, editor (stale after 90 s of its own clock). */
function peers() {
  const clock = { t: 1_000_000 };
  const reg = new AgentRegistry({ staleAfterMs: () => 90_000, now: () => clock.t });
  for (const id of ['self-agent', 'writer', 'editor'])
    reg.observe(`/control/agents/${id}/status`, status(id));
  return { reg, clock };
}

/** A router that answers `answer` (or throws it) and records what it was asked. */
function fakeRouter(answer: RoutingDecision | Error | (() => Promise<RoutingDecision>)) {
  const asked: RoutingRequest[] = [];
  const router: Router = {
    kind: 'gatekeeper',
    decide(req) {
      asked.push(req);
      if (answer instanceof Error) return Promise.reject(answer);
      if (typeof answer === 'function') return answer();
      return Promise.resolve(answer);
    },
  };
  return { router, asked };
}

const settings = (extra: Partial<RoutingSettings> = {}): RoutingSettings => ({
  ...configSchema.shape.routing.parse({ strategy: 'gatekeeper' }),
  ...extra,
});

function v2(extra: Record<string, unknown> = {}): EnvelopeV2 {
  return envelopeV2Schema.parse({
    task_id: TASK,
    conversation_id: 'conv-9',
    topic: '/control/agents/self-agent/input',
    instruction: 'Find facts',
    version: '2.0',
    ...extra,
  });
}

const made: TaskCancellation[] = [];
afterEach(() => {
  for (const c of made.splice(0)) c.dispose();
});

function deps(
  router: Router,
  extra: Partial<RouteDeps> = {},
): RouteDeps & { cancellation: TaskCancellation } {
  const cancellation = new TaskCancellation(
    60_000,
    () => new ERR_TASK_TIMEOUT({ timeoutSeconds: 60 }),
    new AbortController().signal,
  );
  made.push(cancellation);
  return {
    agentId: 'self-agent',
    settings: settings(),
    router,
    peers: peers().reg,
    maxMessageBytes: 262_144,
    log: silentLogger,
    cancellation,
    ...extra,
  } as RouteDeps & { cancellation: TaskCancellation };
}

const forwardTo = (agent: string): RoutingDecision => ({
  workflow_complete: false,
  next_agent: agent,
  next_instruction: 'Polish it',
  reasoning: 'needs polish',
});

describe('routeTask: the question', () => {
  it('asks with the original query, history, output and the routable agents except self; count unchanged', async () => {
    const { router, asked } = fakeRouter({ workflow_complete: true });
    const envelope = v2({
      context: {
        original_query: 'Q?',
        steps_completed: [{ agent_id: 'a', action: 'x', timestamp: '2026-01-01T00:00:00Z' }],
        iteration_count: 3,
      },
    });
    await routeTask(envelope, 'my output', deps(router));
    expect(asked).toEqual([
      {
        original_query: 'Q?',
        workflow_history: [{ agent_id: 'a', action: 'x', timestamp: '2026-01-01T00:00:00Z' }],
        current_output: 'my output',
        available_agents: [
          { agent_id: 'editor', capabilities: ['editor-work'], load: 0.5 },
          { agent_id: 'writer', capabilities: ['writer-work'], load: 0.5 },
        ],
        iteration_count: 3,
      },
    ]);
  });

  it('first hop: original_query is the instruction, no history, iteration 0; self listed with allow_self', async () => {
    const { router, asked } = fakeRouter({ workflow_complete: true });
    await routeTask(v2(), 'out', deps(router, { settings: settings({ allow_self: true }) }));
    expect(asked[0]).toMatchObject({
      original_query: 'Find facts',
      workflow_history: [],
      iteration_count: 0,
    });
    expect(asked[0]?.available_agents.map((a) => a.agent_id)).toEqual(['editor', 'self-agent', 'writer']);
  });

  it('bounds the output shown to the router', async () => {
    const { router, asked } = fakeRouter({ workflow_complete: true });
    await routeTask(v2(), 'z'.repeat(300_000), deps(router));
    expect(Buffer.byteLength(asked[0]!.current_output)).toBeLessThanOrEqual(262_144);
  });
});

describe('routeTask: decisions', () => {
  it('complete: respond, reported with the reasoning', async () => {
    const { router } = fakeRouter({ workflow_complete: true, reasoning: 'done' });
    const action = await routeTask(v2(), 'out', deps(router));
    expect(action.kind).toBe('respond');
    expect(action.report).toMatchObject({
      from: 'self-agent',
      to: null,
      outcome: 'complete',
      reason: 'done',
      router: 'gatekeeper',
    });
    expect(action.report.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('forward to a routable agent: the routed envelope, reported with its new task id', async () => {
    const { router } = fakeRouter(forwardTo('writer'));
    const action = await routeTask(v2(), 'out', deps(router));
    expect(action.kind).toBe('forward');
    if (action.kind !== 'forward') return;
    expect(action.forward.topic).toBe('/control/agents/writer/input');
    const env = JSON.parse(action.forward.payload) as Record<string, unknown>;
    expect(env).toMatchObject({ instruction: 'Polish it', input: 'out', task_id: action.forward.taskId });
    expect(action.report).toMatchObject({
      to: 'writer',
      outcome: 'forward',
      reason: 'needs polish',
      task_id: action.forward.taskId,
    });
  });

  it('a decision naming an agent that is not routable (unknown, unavailable, stale) is a router error', async () => {
    const p = peers();
    p.reg.observe('/control/agents/editor/status', status('editor', { status: 'unavailable' }));
    for (const agent of ['nobody', 'editor']) {
      const { router } = fakeRouter(forwardTo(agent));
      const action = await routeTask(v2(), 'out', deps(router, { peers: p.reg }));
      expect(action.kind).toBe('respond');
      expect(action.report).toMatchObject({
        outcome: 'error',
        to: null,
        code: 'AGENT_ERR_ROUTER_BAD_DECISION',
        on_router_error: 'complete',
      });
    }
    p.clock.t += 90_000; // writer is now stale
    const { router } = fakeRouter(forwardTo('writer'));
    const action = await routeTask(v2(), 'out', deps(router, { peers: p.reg }));
    expect(action.report.outcome).toBe('error');
  });

  it('self with allow_self = false is a router error; with allow_self = true it is a forward', async () => {
    const { router } = fakeRouter(forwardTo('self-agent'));
    const refused = await routeTask(
      v2(),
      'out',
      deps(router, { settings: settings({ on_router_error: 'fail' }) }),
    );
    expect(refused.kind).toBe('fail');
    if (refused.kind === 'fail') {
      expect(AgentError.is(refused.error, 'AGENT_ERR_ROUTER_BAD_DECISION')).toBe(true);
      expect((refused.error as AgentError).data).toMatchObject({ router: 'gatekeeper', field: 'next_agent' });
    }
    const allowed = await routeTask(v2(), 'out', deps(router, { settings: settings({ allow_self: true }) }));
    expect(allowed.kind).toBe('forward');
    if (allowed.kind === 'forward') expect(allowed.forward.topic).toBe('/control/agents/self-agent/input');
  });

  it('a router that throws: on_router_error complete responds, fail fails with the coded error', async () => {
    const thrown = new ERR_ROUTER_FAILED({ router: 'gatekeeper', reason: 'HTTP 404', status: 404 });
    const { router } = fakeRouter(thrown);
    const completed = await routeTask(v2(), 'out', deps(router));
    expect(completed.kind).toBe('respond');
    expect(completed.report).toMatchObject({ outcome: 'error', code: 'AGENT_ERR_ROUTER_FAILED' });
    const failed = await routeTask(
      v2(),
      'out',
      deps(router, { settings: settings({ on_router_error: 'fail' }) }),
    );
    expect(failed).toMatchObject({ kind: 'fail', error: thrown, report: { on_router_error: 'fail' } });
  });

  it('a router throwing an uncoded error is a coded router error', async () => {
    const { router } = fakeRouter(new TypeError('bug'));
    const action = await routeTask(
      v2(),
      'out',
      deps(router, { settings: settings({ on_router_error: 'fail' }) }),
    );
    expect(action.kind).toBe('fail');
    if (action.kind === 'fail') expect(AgentError.is(action.error, 'AGENT_ERR_ROUTER_FAILED')).toBe(true);
  });

  it('a cancelled task is no router error: it rejects with the cancellation reason', async () => {
    const { router } = fakeRouter(() => new Promise<RoutingDecision>(() => undefined));
    const d = deps(router);
    const pending = routeTask(v2(), 'out', d);
    const reason = new ERR_TASK_TIMEOUT({ timeoutSeconds: 1 });
    d.cancellation.cancel(reason);
    await expect(pending).rejects.toBe(reason);
    d.cancellation.dispose();
  });

  it('the router gets the task signal, aborted when the task is cancelled', async () => {
    let seen: AbortSignal | undefined;
    const router: Router = {
      kind: 'llm',
      decide: (_req, signal) => {
        seen = signal;
        return new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason as Error)),
        );
      },
    };
    const d = deps(router);
    const pending = routeTask(v2(), 'out', d);
    d.cancellation.cancel(new ERR_TASK_TIMEOUT({ timeoutSeconds: 1 }));
    await expect(pending).rejects.toMatchObject({ code: 'AGENT_ERR_TASK_TIMEOUT' });
    expect(seen?.aborted).toBe(true);
  });
});

describe('routeTask: max_iterations', () => {
  it('at the limit the output is final and the router is not asked', async () => {
    const { router, asked } = fakeRouter(forwardTo('writer'));
    const envelope = v2({ context: { original_query: 'q', steps_completed: [], iteration_count: 2 } });
    const action = await routeTask(
      envelope,
      'out',
      deps(router, { settings: settings({ max_iterations: 2 }) }),
    );
    expect(action).toMatchObject({ kind: 'respond', report: { outcome: 'max_iterations', to: null } });
    expect(asked).toHaveLength(0);
  });

  it('below the limit the router is asked', async () => {
    const { router, asked } = fakeRouter(forwardTo('writer'));
    const envelope = v2({ context: { original_query: 'q', steps_completed: [], iteration_count: 1 } });
    const action = await routeTask(
      envelope,
      'out',
      deps(router, { settings: settings({ max_iterations: 2 }) }),
    );
    expect(action.kind).toBe('forward');
    expect(asked).toHaveLength(1);
  });
});
