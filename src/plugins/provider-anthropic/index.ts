// Plugin entry: registers the `anthropic` provider.
import { definePlugin } from '@agent2389/tool-sdk';
import { anthropicProviderFactory } from './anthropic-provider.js';

export default definePlugin({
  specificationVersion: 'v1',
  setup(ctx) {
    ctx.registerProvider(anthropicProviderFactory);
  },
});
