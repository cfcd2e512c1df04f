// What an Agent is created and reloaded with.
import type { LoggerV1, ProviderFactoryV1, ToolFactoryV1 } from '@agent2389/tool-sdk';
import type { AgentConfig } from '../config/schema.js';
import type { DedupeStore } from '../delivery/dedupe-store.js';
import type { LastWill, Transport } from '../transport/transport.js';
import type { PluginSources } from './resolve.js';

export interface CreateAgentOptions {
  providers?: readonly ProviderFactoryV1[];
  tools?: readonly ToolFactoryV1[];
  log?: LoggerV1;
  env?: NodeJS.ProcessEnv;
  /** Use this transport instead of MQTT (tests: the in-memory broker). Receives the Last Will to set. */
  transport?: (will: LastWill, config: AgentConfig) => Transport;
  /** Where plugins are discovered (src/index.ts points at the package's own plugins). */
  plugins?: PluginSources;
  /** Use this dedupe store instead of opening the one [dedupe] configures (the caller closes it). */
  dedupeStore?: DedupeStore;
  /** Called when a reload changes `[log] level` (the CLI sets its pino logger's level). */
  onLogLevel?: (level: AgentConfig['log']['level']) => void;
}

export interface ApplyOptions {
  /** Rebuild plugins and tools even if nothing they are built from changed (SIGHUP). */
  readonly force?: boolean;
}
