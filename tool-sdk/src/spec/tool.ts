// The tool contract (docs/protocol.md §8): describe / initialize / execute / shutdown.
import type { LoggerV1 } from './logger.js';

/** A JSON Schema (2020-12 subset) as a plain object. */
export type JsonSchema = Record<string, unknown>;

export interface ToolDescriptionV1 {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the parameters object; the host compiles it once. */
  readonly parameters: JsonSchema;
}

export interface ToolCallContext {
  readonly callId: string;
  /** Aborted when the task times out or the agent shuts down. */
  readonly signal: AbortSignal;
  readonly log: LoggerV1;
}

export interface ToolInitContext {
  readonly log: LoggerV1;
  readonly signal: AbortSignal;
  /** The id of the agent the tool runs in (`[agent] id`). */
  readonly agentId: string;
  /**
   * The agent's private data directory (absolute; `data_dir` in agent.toml, by default
   * `$XDG_DATA_HOME/agent2389/<agent id>`). It may not exist yet: create it if you use it.
   */
  readonly dataDir: string;
}

export interface ToolV1<I = unknown, O = unknown> {
  readonly specificationVersion: 'v1';
  describe(): ToolDescriptionV1;
  /**
   * Called once at startup with the tool's `config` table from agent.toml, already validated against
   * the manifest's `configSchema` (or the plugin's `optionsSchema`) with schema defaults filled in.
   */
  initialize?(config: Record<string, unknown>, ctx: ToolInitContext): Promise<void> | void;
  /** Parameters are already validated against `describe().parameters`. Returns any JSON value. */
  execute(input: I, ctx: ToolCallContext): Promise<O> | O;
  shutdown?(): Promise<void> | void;
}

/** Something that makes a fresh tool instance for one agent. */
export interface ToolFactoryV1 {
  readonly name: string;
  create(): ToolV1;
}
