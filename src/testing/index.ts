// agent2389/testing: helpers for plugin authors' tests, backed by the real host.
export { createToolHarness } from './tool-harness.js';
export type { ToolHarness, ToolHarnessOptions, ToolHarnessResult } from '@agent2389/tool-sdk/testing';
