// The plugin contract: a versioned object whose setup(ctx) registers what plugin.json declares.
import type { LoggerV1 } from './logger.js';
import type { ProviderFactoryV1 } from './provider.js';
import type { ToolV1 } from './tool.js';

/** Undo a registration (only while setup() runs; a loaded generation is immutable). */
export type Disposer = () => void;

export interface PluginContextV1<Options = Record<string, unknown>> {
  /** The plugin's name from plugin.json. */
  readonly name: string;
  /** Options already validated against plugin.json `optionsSchema` (defaults applied). */
  readonly options: Options;
  /** A child logger that stamps `{ plugin: name }` on every line. */
  readonly log: LoggerV1;
  /** Aborted when the generation this plugin belongs to closes. */
  readonly signal: AbortSignal;
  /** Register a tool with a `module` executor declared in plugin.json. */
  registerTool(tool: ToolV1): Disposer;
  /** Register a provider declared in plugin.json `providers`. */
  registerProvider(provider: ProviderFactoryV1): Disposer;
  /** Run `fn` when the generation closes; handlers run in reverse registration order. */
  onClose(fn: () => Promise<void> | void): void;
}

export interface PluginV1<Options = Record<string, unknown>> {
  readonly specificationVersion: 'v1';
  /** Register tools and providers. No I/O at import time; keep this fast (it runs under a timeout). */
  setup(ctx: PluginContextV1<Options>): Promise<void> | void;
}
