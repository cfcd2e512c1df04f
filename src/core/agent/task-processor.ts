// Steps 7–9 for one accepted task: the LLM loop under task_timeout, then forward or respond.
import type { LoggerV1, ProviderV1, UsageV1 } from '@agent2389/tool-sdk';
import { ERR_TASK_TIMEOUT } from '../errors.js';
import { errorPayload, forwardMessage, responsePayload } from '../pipeline/outbound.js';
import type { TaskEnvelope } from '../protocol/envelope.js';
import type { WireErrorCode } from '../protocol/messages.js';
import { conversationTopic } from '../protocol/topics.js';
import type { Router } from '../routing/decision.js';
import { routeTask, type Peers, type RoutingReport, type RoutingSettings } from '../routing/route-task.js';
import { runLlmLoop, type LoopHooks, type LoopSettings } from './llm-loop.js';
import { TaskCancellation } from './task-cancellation.js';
import type { ToolRegistry } from './tool-registry.js';
import { toWireError } from './wire-errors.js';

export interface TaskProcessorDeps {
  readonly agentId: string;
  readonly provider: ProviderV1;
  readonly tools: ToolRegistry;
  /** Start what the tools need before a task's first LLM call (lazy MCP servers); absent when nothing is lazy. */
  readonly prepareTools?: () => Promise<void>;
  readonly loop: LoopSettings;
  readonly taskTimeoutMs: number;
  readonly maxMessageBytes: number;
  readonly publishIntermediate: boolean;
  /** [routing], and its router (none when strategy = "none"): v2 tasks without `next` are routed. */
  readonly routing?: { readonly settings: RoutingSettings; readonly router: Router | undefined };
  publish(topic: string, payload: string): Promise<void>;
}

/** What routing needs from the running agent: discovery, and where each decision is reported. */
export interface RoutingContext {
  readonly peers: Peers;
  onDecision(report: RoutingReport): void;
}

export type TaskOutcome =
  | {
      status: 'responded' | 'forwarded';
      /** A routed forward: the chosen agent's input topic (a `next` forward: envelope.next.topic). */
      forwardedTo?: string;
      budgetExhausted: boolean;
      toolCalls: number;
      iterations: number;
      /** Tokens summed over every LLM call of the task. */
      usage: UsageV1;
    }
  | {
      status: 'failed';
      code: WireErrorCode;
      message: string;
      /** The error was published (false: no answer went out, e.g. the broker connection closed). */
      answered: boolean;
    };

/** Publish an error for a task to its conversation topic. */
export function publishError(
  deps: Pick<TaskProcessorDeps, 'agentId' | 'publish'>,
  reply: { taskId: string; conversationId: string },
  code: WireErrorCode,
  message: string,
): Promise<void> {
  return deps.publish(
    conversationTopic(reply.conversationId, deps.agentId),
    errorPayload(reply.taskId, code, message),
  );
}

/** Run one task to completion; never throws (failures are published and returned). */
export async function processTask(
  envelope: TaskEnvelope,
  deps: TaskProcessorDeps,
  ctx: { log: LoggerV1; shutdownSignal: AbortSignal; hooks?: LoopHooks; routing?: RoutingContext },
): Promise<TaskOutcome> {
  const cancellation = new TaskCancellation(
    deps.taskTimeoutMs,
    () => new ERR_TASK_TIMEOUT({ timeoutSeconds: deps.taskTimeoutMs / 1000 }),
    ctx.shutdownSignal,
  );
  const reply = { taskId: envelope.task_id, conversationId: envelope.conversation_id };
  try {
    const task = { instruction: envelope.instruction ?? null, input: envelope.input ?? null };
    if (deps.prepareTools) await cancellation.race(deps.prepareTools());
    const work = runLlmLoop(task, deps.provider, deps.tools, deps.loop, {
      cancellation,
      log: ctx.log,
      ...(ctx.hooks ? { hooks: ctx.hooks } : {}),
    });
    const result = await cancellation.race(work);
    if (result.text.trim() === '' && result.lastRoundFailure) throw result.lastRoundFailure;
    const stats = {
      budgetExhausted: result.budgetExhausted,
      toolCalls: result.toolCalls,
      iterations: result.iterations,
      usage: result.usage,
    };
    const conversation = conversationTopic(envelope.conversation_id, deps.agentId);
    if (envelope.next) {
      if (deps.publishIntermediate)
        await deps.publish(
          conversation,
          responsePayload(envelope.task_id, result.text, deps.maxMessageBytes),
        );
      const fwd = forwardMessage(envelope, result.text, deps.maxMessageBytes);
      await deps.publish(fwd.topic, fwd.payload);
      return { status: 'forwarded', ...stats };
    }
    const router = deps.routing?.router;
    if (envelope.version !== undefined && router !== undefined && ctx.routing !== undefined) {
      const action = await routeTask(envelope, result.text, {
        agentId: deps.agentId,
        settings: deps.routing!.settings,
        router,
        peers: ctx.routing.peers,
        maxMessageBytes: deps.maxMessageBytes,
        log: ctx.log,
        cancellation,
      });
      ctx.routing.onDecision(action.report);
      if (action.kind === 'fail') throw action.error;
      if (action.kind === 'forward') {
        if (deps.publishIntermediate)
          await deps.publish(
            conversation,
            responsePayload(envelope.task_id, result.text, deps.maxMessageBytes),
          );
        await deps.publish(action.forward.topic, action.forward.payload);
        return { status: 'forwarded', forwardedTo: action.forward.topic, ...stats };
      }
    }
    await deps.publish(conversation, responsePayload(envelope.task_id, result.text, deps.maxMessageBytes));
    return { status: 'responded', ...stats };
  } catch (err) {
    const wire = toWireError(err);
    ctx.log.warn({ err, code: wire.code }, 'task failed');
    const answered = await publishError(deps, reply, wire.code, wire.message).then(
      () => true,
      (e: unknown) => {
        ctx.log.error({ err: e }, 'cannot publish error');
        return false;
      },
    );
    return { status: 'failed', ...wire, answered };
  } finally {
    cancellation.dispose();
  }
}
