// Steps 7–9 for one accepted task: the LLM loop under task_timeout, then forward or respond.
import type { LoggerV1, ProviderV1, UsageV1 } from '@agent2389/tool-sdk';
import { ERR_TASK_TIMEOUT } from '../errors.js';
import { errorPayload, forwardMessage, responsePayload } from '../pipeline/outbound.js';
import type { TaskEnvelope } from '../protocol/envelope.js';
import type { WireErrorCode } from '../protocol/messages.js';
import { conversationTopic } from '../protocol/topics.js';
import { runLlmLoop, type LoopHooks, type LoopSettings } from './llm-loop.js';
import { TaskCancellation } from './task-cancellation.js';
import type { ToolRegistry } from './tool-registry.js';
import { toWireError } from './wire-errors.js';

export interface TaskProcessorDeps {
  readonly agentId: string;
  readonly provider: ProviderV1;
  readonly tools: ToolRegistry;
  readonly loop: LoopSettings;
  readonly taskTimeoutMs: number;
  readonly maxMessageBytes: number;
  readonly publishIntermediate: boolean;
  publish(topic: string, payload: string): Promise<void>;
}

export type TaskOutcome =
  | {
      status: 'responded' | 'forwarded';
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
  ctx: { log: LoggerV1; shutdownSignal: AbortSignal; hooks?: LoopHooks },
): Promise<TaskOutcome> {
  const cancellation = new TaskCancellation(
    deps.taskTimeoutMs,
    () => new ERR_TASK_TIMEOUT({ timeoutSeconds: deps.taskTimeoutMs / 1000 }),
    ctx.shutdownSignal,
  );
  const reply = { taskId: envelope.task_id, conversationId: envelope.conversation_id };
  try {
    const task = { instruction: envelope.instruction ?? null, input: envelope.input ?? null };
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
