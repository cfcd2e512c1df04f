// One accepted task on one generation, with its log lines and events; and intake outcomes that are
// not tasks (discarded, rejected).
import type { EventEmitter } from 'node:events';

import type { LoggerV1 } from '../../../tool-sdk/src/index.js';
import type { IntakeResult } from '../pipeline/intake.js';
import type { TaskEnvelope } from '../protocol/envelope.js';
import type { InboundMessage } from '../transport/transport.js';
import type { AgentEvents } from './events.js';
import type { LiveGeneration } from './live-generation.js';
import { processTask, publishError } from './task-processor.js';

type Emitter = Pick<EventEmitter<AgentEvents>, 'emit'>;

/** Run `envelope` to its end on `gen` (whatever reloads happen meanwhile); never throws. */
export async function runTask(
  envelope: TaskEnvelope,
  gen: LiveGeneration,
  agentLog: LoggerV1,
  events: Emitter,
): Promise<void> {
  const leave = gen.enter();
  try {
    const started = performance.now();
    const ids = { taskId: envelope.task_id, conversationId: envelope.conversation_id };
    const log = agentLog.child({ task_id: envelope.task_id, conversation_id: envelope.conversation_id });
    log.debug(
      {
        instruction_chars: envelope.instruction?.length ?? 0,
        next: envelope.next?.topic,
        generation: gen.id,
      },
      'task started',
    );
    const outcome = await processTask(envelope, gen.deps, { log, shutdownSignal: gen.signal });
    const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    if (outcome.status === 'failed') {
      log.info({ outcome: 'failed', code: outcome.code, duration_ms: durationMs }, 'task finished');
      const { code, message } = outcome;
      events.emit('task:failed', { ...ids, durationMs, code, message, stage: 'processing' });
      return;
    }
    log.info(
      {
        outcome: outcome.status,
        duration_ms: durationMs,
        tool_calls: outcome.toolCalls,
        llm_calls: outcome.iterations + (outcome.budgetExhausted ? 1 : 0),
        input_tokens: outcome.usage.inputTokens,
        output_tokens: outcome.usage.outputTokens,
        budget_exhausted: outcome.budgetExhausted,
      },
      'task finished',
    );
    events.emit('task:completed', { ...ids, durationMs, ...outcome });
  } finally {
    leave();
  }
}

/** A message that is not a task to run: log it, publish the error if there is somewhere to, emit. */
export function reportNotAccepted(
  result: Exclude<IntakeResult, { kind: 'accept' }>,
  msg: InboundMessage,
  gen: LiveGeneration,
  log: LoggerV1,
  events: Emitter,
): void {
  if (result.kind === 'discard') {
    const quiet = result.reason === 'duplicate task_id' || result.reason === 'retained message';
    log[quiet ? 'debug' : 'warn']({ topic: msg.topic, reason: result.reason }, 'message discarded');
    events.emit('task:discarded', { reason: result.reason, topic: msg.topic });
    return;
  }
  const { reply, code, message } = result;
  const ids = { task_id: reply?.taskId, conversation_id: reply?.conversationId };
  log.warn({ ...ids, code, reason: message }, 'task rejected');
  if (reply) {
    publishError(gen.deps, reply, code, message).catch((err: unknown) =>
      log.error({ err, ...ids }, 'cannot publish error'),
    );
  }
  events.emit('task:failed', { ...(reply ?? {}), code, message, stage: 'intake' });
}
