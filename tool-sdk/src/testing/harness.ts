// createToolHarness: delegates to agent2389's host (a peer dependency) so tests exercise the real
// manifest validation, options schema, setup timeout and parameter checks.
import type { ToolHarness, ToolHarnessOptions } from './harness-types.js';

interface HostTesting {
  createToolHarness(pluginDir: string, options?: ToolHarnessOptions): Promise<ToolHarness>;
}

/** Load the plugin in `pluginDir` (a folder with plugin.json) and return a harness to call its tools. */
export async function createToolHarness(
  pluginDir: string,
  options?: ToolHarnessOptions,
): Promise<ToolHarness> {
  const specifier = 'agent2389/testing'; // a variable: resolved at run time from the plugin author's node_modules
  let host: HostTesting;
  try {
    host = (await import(specifier)) as HostTesting;
  } catch (err) {
    throw new Error('createToolHarness needs the agent2389 package: npm install --save-dev agent2389', {
      cause: err,
    });
  }
  return host.createToolHarness(pluginDir, options);
}
