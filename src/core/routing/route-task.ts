// After step 7 of a v2 task without `next` (docs/routing.md): ask the router whether the work is
// complete or which routable agent does the rest, check its answer, and say what to publish.
import type { LoggerV1 } from '@agent2389/tool-sdk';
import type { AgentConfig } from '../config/schema.js';
import { AgentError, ERR_ROUTER_BAD_DECISION, ERR_ROUTER_FAILED, reasonOf } from '../errors.js';
import type { RoutingOutcomeLabel } from '../observability/agent-metrics.js';
import { wholeMsSince } from '../observability/duration-ms.js';
import type { EnvelopeV2 } from '../protocol/envelope.js';
import { truncateUtf8, type Router, type RoutingDecision, type RoutingRequest } from './decision.js';
import { originalQuery, routedForward, type RoutedForward } from './forward-envelope.js';

/** The gatekeeper is shown at most this much of the output (the llm router cuts its prompt further). */
export const MAX_ROUTED_OUTPUT_BYTES = 262_144;

export type RoutingSettings = AgentConfig['routing'];

/** What routing reads of discovery (AgentRegistry implements it). */
export interface Peers {
  routable(): readonly { id: string; capabilities: readonly string[]; load: number }[];
  isRoutable(id: string): boolean;
}

/** One routing decision as reported (the `routing_decision` progress event's data, and the metrics). */
export interface RoutingReport {
  readonly from: string;
  /** The chosen agent, or null when the workflow ends here. */
  readonly to: string | null;
  readonly outcome: RoutingOutcomeLabel;
  readonly reason: string;
  readonly router: Router['kind'];
  readonly duration_ms: number;
  /** The task id of the forwarded hop. */
  readonly task_id?: string;
  /** outcome error: the coded error and what `on_router_error` did about it. */
  readonly code?: string;
  readonly on_router_error?: RoutingSettings['on_router_error'];
}

/** What to do: publish the output as the response, publish the forward, or fail with `error`. */
export type RouteAction =
  | { readonly kind: 'respond'; readonly report: RoutingReport }
  | { readonly kind: 'forward'; readonly forward: RoutedForward; readonly report: RoutingReport }
  | { readonly kind: 'fail'; readonly error: Error; readonly report: RoutingReport };

export interface RouteDeps {
  readonly agentId: string;
  readonly settings: RoutingSettings;
  readonly router: Router;
  readonly peers: Peers;
  readonly maxMessageBytes: number;
  readonly log: LoggerV1;
  /** The task's cancellation (task_timeout, shutdown): the router's deadline. */
  readonly cancellation: {
    readonly signal: AbortSignal;
    /** The reason, once cancelled. */
    readonly reason: Error | undefined;
    /** Settles with `work`, or rejects as soon as the task is cancelled. */
    race<T>(work: Promise<T>): Promise<T>;
  };
}

/** The router's question for this task and output (available_agents: routable, self only if allowed). */
export function routingRequest(
  envelope: EnvelopeV2,
  output: string,
  self: string,
  peers: Peers,
  allowSelf: boolean,
): RoutingRequest {
  return {
    original_query: originalQuery(envelope),
    workflow_history: envelope.context?.steps_completed ?? [],
    current_output: truncateUtf8(output, MAX_ROUTED_OUTPUT_BYTES),
    available_agents: peers
      .routable()
      .filter((a) => allowSelf || a.id !== self)
      .map((a) => ({ agent_id: a.id, capabilities: [...a.capabilities], load: a.load })),
    iteration_count: envelope.context?.iteration_count ?? 0,
  };
}

/** The forward target of a decision, or a router error: absent, this agent (allow_self off), not routable. */
function targetOf(decision: RoutingDecision, deps: RouteDeps): { to: string; instruction: string } {
  const router = deps.router.kind;
  const to = decision.next_agent;
  const instruction = decision.next_instruction;
  if (to === undefined || to === '')
    throw new ERR_ROUTER_BAD_DECISION({ router, field: 'next_agent', problem: 'is required to forward' });
  if (instruction === undefined)
    throw new ERR_ROUTER_BAD_DECISION({
      router,
      field: 'next_instruction',
      problem: 'is required to forward',
    });
  if (to === deps.agentId) {
    if (!deps.settings.allow_self)
      throw new ERR_ROUTER_BAD_DECISION({
        router,
        field: 'next_agent',
        problem: 'names this agent and [routing] allow_self is false',
      });
  } else if (!deps.peers.isRoutable(to)) {
    throw new ERR_ROUTER_BAD_DECISION({ router, field: 'next_agent', problem: 'is not a routable agent' });
  }
  return { to, instruction };
}

/** A router's failure as a coded router error (a router that throws anything else has a bug). */
function routerError(thrown: unknown, router: Router['kind']): AgentError {
  if (AgentError.is(thrown) && thrown.code.startsWith('AGENT_ERR_ROUTER_')) return thrown;
  return new ERR_ROUTER_FAILED({ router, reason: reasonOf(thrown) }, { cause: thrown });
}

/**
 * Decide the fate of `output`. Never asks the router once iteration_count reached max_iterations.
 * A router error follows on_router_error; a cancelled task (deadline, shutdown) rejects with its reason.
 */
export async function routeTask(envelope: EnvelopeV2, output: string, deps: RouteDeps): Promise<RouteAction> {
  const { agentId, settings, router } = deps;
  const iteration = envelope.context?.iteration_count ?? 0;
  const base = { from: agentId, router: router.kind };
  if (iteration >= settings.max_iterations) {
    const reason = `iteration_count ${iteration} reached max_iterations ${settings.max_iterations}`;
    return {
      kind: 'respond',
      report: { ...base, to: null, outcome: 'max_iterations', reason, duration_ms: 0 },
    };
  }
  const req = routingRequest(envelope, output, agentId, deps.peers, settings.allow_self);
  const started = performance.now();
  const elapsed = (): number => wholeMsSince(started);
  let decision: RoutingDecision;
  let target: { to: string; instruction: string } | undefined;
  try {
    const { cancellation } = deps;
    decision = await cancellation.race(router.decide(req, cancellation.signal));
    if (!decision.workflow_complete) target = targetOf(decision, deps);
  } catch (thrown) {
    // The task's own cancellation is no router error: the task fails as any cancelled task does.
    if (deps.cancellation.reason !== undefined) throw deps.cancellation.reason;
    const err = routerError(thrown, router.kind);
    const policy = settings.on_router_error;
    deps.log.warn({ err, code: err.code, router: router.kind, on_router_error: policy }, 'routing failed');
    const report: RoutingReport = {
      ...base,
      to: null,
      outcome: 'error',
      reason: reasonOf(err),
      duration_ms: elapsed(),
      code: err.code,
      on_router_error: policy,
    };
    return policy === 'fail' ? { kind: 'fail', error: err, report } : { kind: 'respond', report };
  }
  const reason = decision.reasoning ?? '';
  if (target === undefined)
    return {
      kind: 'respond',
      report: { ...base, to: null, outcome: 'complete', reason, duration_ms: elapsed() },
    };
  const forward = routedForward(envelope, {
    self: agentId,
    to: target.to,
    instruction: target.instruction,
    output,
    reason,
    maxBytes: deps.maxMessageBytes,
  });
  return {
    kind: 'forward',
    forward,
    report: {
      ...base,
      to: target.to,
      outcome: 'forward',
      reason,
      duration_ms: elapsed(),
      task_id: forward.taskId,
    },
  };
}
