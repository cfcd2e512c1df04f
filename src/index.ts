// agent2389 library API: load a config, create an agent, start and stop it.
import type { Agent } from './core/agent/agent.js';
import type { CreateAgentOptions } from './core/agent/agent-options.js';
import { createAgent as createCoreAgent } from './core/agent/agent.js';
import { defaultPluginSources } from './plugin-sources.js';
import type { AgentConfig } from './core/config/schema.js';

export { loadConfig, loadConfigFile, parseConfigText } from './core/config/load.js';
export type { LoadedConfig, LoadOptions } from './core/config/load.js';
export type { AgentConfig, ToolEntry } from './core/config/schema.js';
export type { ConfigWarning } from './core/config/unknown-keys.js';
export { Agent } from './core/agent/agent.js';
export type { ApplyOptions, CreateAgentOptions } from './core/agent/agent-options.js';
export { Reloader } from './core/agent/reloader.js';
export type { ReloaderOptions, ReloadResult, ReloadTrigger } from './core/agent/reloader.js';
export type { ConfigChange, ApplyMode } from './core/config/diff.js';
export type {
  AgentEvents,
  AgentState,
  TaskCompletedEvent,
  TaskFailedEvent,
  TaskDiscardedEvent,
  ReloadOutcome,
} from './core/agent/events.js';
export { AgentError } from './core/errors.js';
export { createLogger, setLogLevel } from './core/observability/logger.js';
export {
  canonicalizeTopic,
  inputTopic,
  statusTopic,
  conversationTopic,
  progressTopic,
} from './core/protocol/topics.js';
export type { TaskEnvelope } from './core/protocol/envelope.js';
export type {
  StatusMessage,
  ResponseMessage,
  ErrorMessage,
  WireErrorCode,
} from './core/protocol/messages.js';
export { VERSION } from './core/version.js';
export type * from '@agent2389/tool-sdk';

/**
 * Create an agent whose providers and tools come from plugins found by manifest: the first-party
 * ones (`scripted`, `echo`, `current_time`), `[plugins] dirs`, and npm packages with an "agent2389"
 * field. Providers and tools given in `options` are used as well. `start()` runs the startup
 * sequence and `stop()` the shutdown sequence.
 */
export function createAgent(config: AgentConfig, options: CreateAgentOptions = {}): Agent {
  return createCoreAgent(config, { plugins: defaultPluginSources(), ...options });
}
