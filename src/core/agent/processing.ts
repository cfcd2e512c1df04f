// Build the per-agent settings the intake (steps 2–6) and the task processor (7–9) run with.
import type { AgentConfig } from '../config/schema.js';
import type { IntakeSettings } from '../pipeline/intake.js';
import { inputSubscription } from '../delivery/replica-id.js';
import { inputTopic } from '../protocol/topics.js';
import type { Router } from '../routing/decision.js';
import type { ResolvedParts } from './resolve.js';
import type { TaskProcessorDeps } from './task-processor.js';

export interface Processing {
  intake: IntakeSettings;
  deps: TaskProcessorDeps;
}

export function buildProcessing(
  config: AgentConfig,
  parts: Pick<ResolvedParts, 'provider' | 'tools'> & {
    router?: Router | undefined;
    prepareTools?: (() => Promise<void>) | undefined;
  },
  publish: TaskProcessorDeps['publish'],
): Processing {
  const intake: IntakeSettings = {
    agentId: config.agent.id,
    inputTopic: inputTopic(config.agent.id),
    subscription: inputSubscription(config),
    maxPipelineDepth: config.max_pipeline_depth,
    maxMessageBytes: config.max_message_bytes,
  };
  const deps: TaskProcessorDeps = {
    agentId: config.agent.id,
    provider: parts.provider,
    tools: parts.tools,
    ...(parts.prepareTools ? { prepareTools: parts.prepareTools } : {}),
    loop: {
      maxToolCalls: config.budget.max_tool_calls,
      maxIterations: config.budget.max_iterations,
      maxOutputBytes: config.max_output_size,
      systemPrompt: config.llm.system_prompt,
    },
    taskTimeoutMs: config.task_timeout * 1000,
    maxMessageBytes: config.max_message_bytes,
    publishIntermediate: config.publish_intermediate,
    routing: { settings: config.routing, router: parts.router },
    publish,
  };
  return { intake, deps };
}
