// The scoped context a plugin's setup() receives: identity, options, logger, signal, registrations.
import type { Disposer, LoggerV1, PluginContextV1, ProviderFactoryV1, ToolV1 } from '@agent2389/tool-sdk';
import type { AgentError } from '../errors.js';
import { ERR_PLUGIN_REGISTRATION_CLOSED, ERR_PLUGIN_UNDECLARED } from '../errors.js';

/** What a context collects while setup() runs. */
export interface Registrations {
  readonly tools: Map<string, ToolV1>;
  readonly providers: Map<string, ProviderFactoryV1>;
  /** Close handlers in registration order (run reversed). */
  readonly closers: Array<() => Promise<void> | void>;
  /** The first undeclared registration, kept even if the plugin catches the throw. */
  violation?: AgentError;
  /** Set once setup() has finished: later registrations are refused. */
  sealed: boolean;
}

export interface ContextSpec {
  name: string;
  options: Record<string, unknown>;
  log: LoggerV1;
  signal: AbortSignal;
  /** Tool names plugin.json declares with a `module` executor. */
  moduleTools: readonly string[];
  /** Provider ids plugin.json declares. */
  providers: readonly string[];
}

export function createPluginContext(spec: ContextSpec): {
  ctx: PluginContextV1;
  registrations: Registrations;
} {
  const registrations: Registrations = { tools: new Map(), providers: new Map(), closers: [], sealed: false };
  const refuse = (kind: 'tool' | 'provider', name: string, declared: readonly string[]): never => {
    const err = new ERR_PLUGIN_UNDECLARED({ plugin: spec.name, kind, name, declared: [...declared] });
    registrations.violation ??= err;
    throw err;
  };
  const register = <T>(map: Map<string, T>, key: string, value: T): Disposer => {
    if (registrations.sealed) throw new ERR_PLUGIN_REGISTRATION_CLOSED({ plugin: spec.name });
    map.set(key, value);
    return () => {
      if (!registrations.sealed && map.get(key) === value) map.delete(key);
    };
  };
  const ctx: PluginContextV1 = {
    name: spec.name,
    options: spec.options,
    log: spec.log,
    signal: spec.signal,
    registerTool(tool) {
      const name = tool.describe().name;
      if (!spec.moduleTools.includes(name)) refuse('tool', name, spec.moduleTools);
      return register(registrations.tools, name, tool);
    },
    registerProvider(provider) {
      if (!spec.providers.includes(provider.id)) refuse('provider', provider.id, spec.providers);
      return register(registrations.providers, provider.id, provider);
    },
    onClose(fn) {
      registrations.closers.push(fn);
    },
  };
  return { ctx, registrations };
}
