// What a script tool is to the script executor: its spec, the child it runs in, what the child is sent.
import { DEFAULT_FETCH_POLICY, type FetchPolicy } from '../config/fetch-policy.js';
import type { ScriptBase, WireScript } from './script-host/protocol.js';

/** A script tool; without a `fetch` policy a declared "fetch" gets public hosts only (fetchPolicyOf). */
export interface ScriptSpec extends ScriptBase {
  /** The tool opted in to WebAssembly: it runs in a child of its own that caps wasm memory. */
  readonly wasm?: boolean;
}

/** The policy host.fetch runs under: the spec's, or public-hosts-only when fetch is declared without one. */
export const fetchPolicyOf = (spec: Pick<ScriptSpec, 'hostFunctions' | 'fetch'>): FetchPolicy | undefined =>
  spec.hostFunctions.includes('fetch') ? (spec.fetch ?? DEFAULT_FETCH_POLICY) : undefined;

/** The child a tool runs in: the shared one, or its own when it opts in to WebAssembly. */
export const hostKey = (spec: Pick<ScriptSpec, 'tool' | 'wasm'>): string =>
  spec.wasm ? `wasm:${spec.tool}` : 'shared';

/** Same script under the same limits: a child that has `a` loaded need not load `b`. */
export const sameSpec = (a: ScriptSpec, b: ScriptSpec): boolean =>
  a.source === b.source &&
  a.limits.timeoutMs === b.limits.timeoutMs &&
  a.limits.memoryLimitMb === b.limits.memoryLimitMb &&
  a.limits.maxOutputBytes === b.limits.maxOutputBytes &&
  a.hostFunctions.join() === b.hostFunctions.join() &&
  JSON.stringify(a.fetch) === JSON.stringify(b.fetch) &&
  Boolean(a.wasm) === Boolean(b.wasm);

/** The script as the child is sent it, loaded into `poolSize` isolates. */
export function wireScript(spec: ScriptSpec, poolSize: number): WireScript {
  const { tool, source, limits, hostFunctions } = spec;
  const fetch = fetchPolicyOf(spec);
  return {
    tool,
    source,
    limits,
    hostFunctions,
    ...(fetch ? { fetch } : {}),
    wasm: spec.wasm ?? false,
    poolSize,
  };
}
