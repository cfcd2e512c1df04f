// Plugin entry: registers the `openai` provider.
import { definePlugin } from '@agent2389/tool-sdk';
import { openaiProviderFactory } from './openai-provider.js';

export default definePlugin({
  specificationVersion: 'v1',
  setup(ctx) {
    ctx.registerProvider(openaiProviderFactory);
  },
});
