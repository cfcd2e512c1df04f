// agent2389/testing: helpers for plugin authors' tests, backed by the real host.
export { createToolHarness } from './tool-harness.js';
