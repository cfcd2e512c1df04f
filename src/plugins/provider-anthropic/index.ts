// Plugin entry: registers the `anthropic` provider.
import { definePlugin } from '../../../tool-sdk/src/index.js';
import { anthropicProviderFactory } from './anthropic-provider.js';

export default definePlugin({
  specificationVersion: 'v1',
  setup(ctx) {
    ctx.registerProvider(anthropicProviderFactory);
  },
});
