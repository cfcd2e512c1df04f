// @agent2389/tool-sdk: the contracts plugins are written against.
export type { LoggerV1, LogFn } from './spec/logger.js';
export type {
  JsonSchema,
  ToolDescriptionV1,
  ToolCallContext,
  ToolInitContext,
  ToolV1,
  ToolFactoryV1,
} from './spec/tool.js';
export type {
  ToolCallV1,
  MessageV1,
  GenerateRequestV1,
  GenerateResultV1,
  ResponseFormatV1,
  UsageV1,
  CallOptions,
  ProviderV1,
  ProviderSettingsV1,
  ProviderFactoryV1,
} from './spec/provider.js';
export type { PluginV1, PluginContextV1, Disposer } from './spec/plugin.js';
export { definePlugin, defineProvider } from './define.js';
export { defineTool } from './define-tool.js';
export type { DefineToolOptions, ToolParameters, ZodToolV1 } from './define-tool.js';
export { ToolError, TOOL_ERROR_CODE_PATTERN } from './tool-error.js';
export { systemErrorCode } from './system-error-code.js';
export { flattenToolHistory, hasToolHistory } from './tool-history.js';
