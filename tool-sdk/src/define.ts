// Identity helpers that pin the contract types for plugin authors.
import type { PluginV1 } from './spec/plugin.js';
import type { ProviderFactoryV1 } from './spec/provider.js';

/** Declare a plugin: `export default definePlugin({ specificationVersion: 'v1', setup(ctx) { … } })`. */
export function definePlugin<Options = Record<string, unknown>>(
  plugin: PluginV1<Options>,
): PluginV1<Options> {
  return plugin;
}

/** Declare a provider factory for `ctx.registerProvider`. */
export function defineProvider(provider: ProviderFactoryV1): ProviderFactoryV1 {
  return provider;
}
