// A script tool's host.fetch policy: declared host functions × the operator's [tools.x.fetch] table.
import { parseHttpConfig } from '@agent2389/tool-sdk/http';
import { DEFAULT_FETCH_POLICY, type FetchPolicy } from '../config/fetch-policy.js';
import { invalidKey, type ConfigSource } from '../config/source.js';
import { ERR_TOOL_CONFIG_INVALID, reasonOf } from '../errors.js';
import type { HostFunction } from '../sandbox/execution.js';

/**
 * The policy for `host.fetch`, or undefined when the script does not declare fetch. A `fetch` table
 * for a script without fetch is refused (it would silently do nothing); host globs and CIDRs are
 * checked here, so `validate` and startup report them before any script runs.
 */
export function planFetchPolicy(
  tool: { name: string; plugin?: string; source?: ConfigSource | undefined },
  hostFunctions: readonly HostFunction[],
  table: FetchPolicy | undefined,
): FetchPolicy | undefined {
  const key = `tools.${tool.name}.fetch`;
  if (!hostFunctions.includes('fetch')) {
    if (table === undefined) return undefined;
    const declare = tool.plugin
      ? `the manifest of plugin "${tool.plugin}" does not declare the fetch host function`
      : 'add "fetch" to host_functions to give the script host.fetch';
    throw invalidKey(
      tool.source,
      ['tools', tool.name, 'fetch'],
      `cannot be set: this script cannot fetch: ${declare}`,
    );
  }
  const policy = table ?? DEFAULT_FETCH_POLICY;
  try {
    parseHttpConfig(policy);
  } catch (e) {
    const reason = reasonOf(e);
    throw new ERR_TOOL_CONFIG_INVALID({
      tool: tool.name,
      plugin: tool.plugin ?? '(inline)',
      key,
      errors: [reason],
    });
  }
  return policy;
}
