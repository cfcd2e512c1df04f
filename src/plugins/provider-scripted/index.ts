// Plugin entry: registers the `scripted` provider.
import { definePlugin } from '../../../tool-sdk/src/index.js';
import { scriptedProviderFactory } from './scripted-provider.js';

export default definePlugin({
  specificationVersion: 'v1',
  setup(ctx) {
    ctx.registerProvider(scriptedProviderFactory);
  },
});
