// Plugin entry: registers the trusted in-process tools `echo` and `current_time`.
import { definePlugin } from '@agent2389/tool-sdk';
import { createCurrentTimeTool } from './current-time.js';
import { createEchoTool } from './echo.js';

export default definePlugin({
  specificationVersion: 'v1',
  setup(ctx) {
    ctx.registerTool(createEchoTool());
    ctx.registerTool(createCurrentTimeTool());
  },
});
