// Plugin entry: registers the `openai` provider.
import { definePlugin } from '../../../tool-sdk/src/index.js';
import { openaiProviderFactory } from './openai-provider.js';

export default definePlugin({
  specificationVersion: 'v1',
  setup(ctx) {
    ctx.registerProvider(openaiProviderFactory);
  },
});
