// Plugin entry: registers the `scripted` provider.
import { definePlugin } from '@agent2389/tool-sdk';
import { scriptedProviderFactory } from './scripted-provider.js';

export default definePlugin({
  specificationVersion: 'v1',
  setup(ctx) {
    ctx.registerProvider(scriptedProviderFactory);
  },
});
