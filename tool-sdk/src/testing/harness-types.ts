// The contract of createToolHarness (agent2389/testing): load one plugin folder through the real host and call its tools.
import type { LoggerV1 } from '../spec/logger.js';

export interface ToolHarnessOptions {
  /** The plugin's options (what `[tools.x] config` would hold); validated against optionsSchema. */
  readonly options?: Record<string, unknown>;
  /**
   * Per-tool config tables, keyed by tool name (what `[tools.<name>] config` would hold). Each is
   * validated against the tool's configSchema (or optionsSchema) and passed to its `initialize`.
   * Tools not listed get `options` (or `{}`).
   */
  readonly config?: Readonly<Record<string, Record<string, unknown>>>;
  /**
   * host.fetch policies of script tools that declare fetch, keyed by tool name (what
   * `[tools.<name>.fetch]` would hold, e.g. `{ allowed_private_cidrs: ['127.0.0.1/32'] }` to reach a
   * local test server). Tools not listed get the default policy: public addresses only.
   */
  readonly fetch?: Readonly<Record<string, Record<string, unknown>>>;
  /** `ctx.dataDir` for `initialize`; default: a fresh temporary directory per harness. */
  readonly dataDir?: string;
  /** `ctx.agentId` for `initialize`; default `"harness"`. */
  readonly agentId?: string;
  readonly setupTimeoutMs?: number;
  readonly log?: LoggerV1;
}

export type ToolHarnessResult =
  | { readonly ok: true; readonly value: unknown; readonly durationMs: number }
  | {
      readonly ok: false;
      readonly code: string;
      readonly message: string;
      /** The tool's own code when it threw a ToolError (e.g. `FILE_OUTSIDE_ROOTS`). */
      readonly toolCode?: string;
      readonly durationMs: number;
    };

export interface ToolHarness {
  /** Tool names the manifest declares. */
  readonly tools: readonly string[];
  /** Call a tool the way the agent does: parameters checked against the manifest schema first. */
  call(tool: string, parameters: unknown): Promise<ToolHarnessResult>;
  /** Shut the tools down, then run the plugin's onClose handlers (reverse order). */
  close(): Promise<void>;
}
