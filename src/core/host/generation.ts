// A generation: the immutable set of loaded plugins, providers and tools one configuration uses.
import type { LoggerV1, ProviderFactoryV1, ToolV1 } from '@agent2389/tool-sdk';
import { ERR_PLUGIN_CLOSED, ERR_PLUGIN_CONFLICT } from '../errors.js';
import { loadPlugin, type LoadablePlugin, type LoadedPlugin } from './load.js';

export interface RegisteredProvider {
  readonly plugin: string;
  readonly factory: ProviderFactoryV1;
}

export interface RegisteredModuleTool {
  readonly plugin: string;
  readonly tool: ToolV1;
}

/** The key of a module tool in `Generation.tools`. */
export function moduleToolKey(plugin: string, tool: string): string {
  return `${plugin}:${tool}`;
}

export interface Generation {
  readonly id: number;
  /** Aborted when the generation closes. */
  readonly signal: AbortSignal;
  readonly plugins: readonly LoadedPlugin[];
  readonly providers: ReadonlyMap<string, RegisteredProvider>;
  /** Tools with a `module` executor, keyed `<plugin>:<tool>` (tool names are scoped by plugin). */
  readonly tools: ReadonlyMap<string, RegisteredModuleTool>;
  /** Close plugins in reverse load order (onClose handlers, then their signal). Idempotent. */
  close(): Promise<void>;
}

export interface GenerationOptions {
  id: number;
  log: LoggerV1;
  /** Options for each plugin and the agent.toml key they came from. */
  optionsFor(plugin: string): { options: Record<string, unknown>; key: string };
  setupTimeoutMs?: number;
}

/** Load `plugins` (already ordered by dependencies) into a generation; on failure, close what loaded. */
export async function loadGeneration(
  plugins: readonly LoadablePlugin[],
  opts: GenerationOptions,
): Promise<Generation> {
  const controller = new AbortController();
  const loaded: LoadedPlugin[] = [];
  const providers = new Map<string, RegisteredProvider>();
  const tools = new Map<string, RegisteredModuleTool>();
  const closeAll = async (): Promise<void> => {
    for (const p of [...loaded].reverse()) await p.close();
    if (!controller.signal.aborted) controller.abort(new ERR_PLUGIN_CLOSED({ generation: opts.id }));
  };
  try {
    for (const plugin of plugins) {
      const { options, key } = opts.optionsFor(plugin.manifest.name);
      const p = await loadPlugin(plugin, {
        options,
        optionsKey: key,
        log: opts.log,
        signal: controller.signal,
        ...(opts.setupTimeoutMs !== undefined ? { timeoutMs: opts.setupTimeoutMs } : {}),
      });
      loaded.push(p);
      for (const [id, factory] of p.providers) {
        const existing = providers.get(id);
        if (existing)
          throw new ERR_PLUGIN_CONFLICT({ kind: 'provider', name: id, plugins: [existing.plugin, p.name] });
        providers.set(id, { plugin: p.name, factory });
      }
      for (const [name, tool] of p.tools) tools.set(moduleToolKey(p.name, name), { plugin: p.name, tool });
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    id: opts.id,
    signal: controller.signal,
    plugins: loaded,
    providers,
    tools,
    close: () => (closing ??= closeAll()),
  };
}
