// Build the one nested v1 envelope of `agent2389 pipeline` (docs/protocol.md §3.1): the first hop's task, and
// `next` nested for each following hop with its input topic and instruction (input null) (pure).
import { randomUUID } from 'node:crypto';

import { UUID_PATTERN, type NextTask } from '../core/protocol/envelope.js';
import { inputTopic, isValidAgentId, conversationTopicProblem } from '../core/protocol/topics.js';
import { UsageError } from './build-envelope.js';
import type { PipelineHop, PipelineSpec } from './pipeline-spec.js';

export interface BuiltPipeline {
  readonly envelope: Record<string, unknown>;
  /** The first hop's input topic: where the envelope is published. */
  readonly topic: string;
  readonly taskId: string;
  readonly conversationId: string;
  readonly hops: readonly PipelineHop[];
}

/** Check the hops: valid agent ids, each agent once (a revisit keeps the task_id and is dropped as a duplicate). */
function checkHops(hops: readonly PipelineHop[]): void {
  if (hops.length === 0) throw new UsageError('a pipeline needs at least one hop');
  const seen = new Set<string>();
  for (const { agent } of hops) {
    if (!isValidAgentId(agent)) throw new UsageError(`agent id "${agent}" must match [a-zA-Z0-9._-]+`);
    if (seen.has(agent)) {
      throw new UsageError(
        `agent "${agent}" appears twice: every hop keeps the task_id, so the agent would drop the revisit as a duplicate`,
      );
    }
    seen.add(agent);
  }
}

export function buildPipelineEnvelope(
  spec: PipelineSpec,
  ids: { taskId?: string | undefined; conversationId?: string | undefined } = {},
): BuiltPipeline {
  checkHops(spec.hops);
  const taskId = ids.taskId ?? randomUUID();
  if (!UUID_PATTERN.test(taskId)) throw new UsageError(`--task-id "${taskId}" must be a UUID`);
  const conversationId = ids.conversationId ?? spec.conversationId ?? `conv-${randomUUID().slice(0, 8)}`;
  // A `/` would add topic levels to /conversations/<id>/<agent>, where the final message is looked for.
  const problem = conversationId.includes('/')
    ? 'must not contain /'
    : conversationTopicProblem(conversationId, '');
  if (problem !== undefined) throw new UsageError(`the conversation id ${problem}`);
  let next: NextTask | null = null;
  for (const hop of spec.hops.slice(1).reverse()) {
    next = { topic: inputTopic(hop.agent), instruction: hop.instruction, input: null, next };
  }
  const first = spec.hops[0]!;
  const topic = inputTopic(first.agent);
  const envelope = {
    task_id: taskId,
    conversation_id: conversationId,
    topic,
    instruction: first.instruction,
    input: spec.input,
    next,
  };
  return { envelope, topic, taskId, conversationId, hops: spec.hops };
}
