// The contract of createToolHarness: load one plugin folder through the real agent2389 host and call its tools.
import type { LoggerV1 } from '../spec/logger.js';

export interface ToolHarnessOptions {
  /** The plugin's options (what `[tools.x] config` would hold); validated against optionsSchema. */
  readonly options?: Record<string, unknown>;
  readonly setupTimeoutMs?: number;
  readonly log?: LoggerV1;
}

export type ToolHarnessResult =
  | { readonly ok: true; readonly value: unknown; readonly durationMs: number }
  | { readonly ok: false; readonly code: string; readonly message: string; readonly durationMs: number };

export interface ToolHarness {
  /** Tool names the manifest declares. */
  readonly tools: readonly string[];
  /** Call a tool the way the agent does: parameters checked against the manifest schema first. */
  call(tool: string, parameters: unknown): Promise<ToolHarnessResult>;
  /** Run the plugin's onClose handlers (reverse order). */
  close(): Promise<void>;
}
