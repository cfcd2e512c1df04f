// Plugin entry: registers the built-in tools with security policies (see docs/tools.md).
import { definePlugin } from '@agent2389/tool-sdk';
import { createFileListTool, createFileReadTool, createFileWriteTool } from './files/file-tools.js';
import { createHttpRequestTool } from './http/http-request-tool.js';
import { createWebSearchTool } from './search/web-search-tool.js';

export default definePlugin({
  specificationVersion: 'v1',
  setup(ctx) {
    ctx.registerTool(createHttpRequestTool());
    ctx.registerTool(createFileReadTool());
    ctx.registerTool(createFileWriteTool());
    ctx.registerTool(createFileListTool());
    ctx.registerTool(createWebSearchTool());
  },
});
