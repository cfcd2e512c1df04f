// @agent2389/tool-sdk/testing: test doubles for plugin authors (fakes over mocks).
export { MockProvider, mockProviderFactory } from './mock-provider.js';
export type { MockProviderOptions, MockStep, MockToolCall, MockVerify } from './mock-provider.js';
// The contract of agent2389/testing's createToolHarness (the harness itself needs the host, so it lives there).
export type { ToolHarness, ToolHarnessOptions, ToolHarnessResult } from './harness-types.js';
