// Shared bits of the script-executor tests: fixture specs, a never-aborted signal.
import { fileURLToPath } from 'node:url';

import { DEFAULT_SCRIPT_LIMITS, type ScriptLimits } from '../../../src/core/sandbox/execution.js';
import type { ScriptCallOptions, ScriptSpec } from '../../../src/core/sandbox/script.js';
import type { LoggerV1 } from '../../../tool-sdk/src/index.js';
import { recordingLogger } from '../../helpers/recording-logger.js';

export { recordingLogger, type LogEntry } from '../../helpers/recording-logger.js';

export const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../fixtures/scripts/${name}.js`, import.meta.url));

/** A spec for fixture `name` (tool name = fixture name unless given), with a short default timeout. */
export function scriptSpec(
  name: string,
  limits: Partial<ScriptLimits> = {},
  extra: { tool?: string; log?: boolean; fetch?: boolean; source?: string } = {},
): ScriptSpec {
  return {
    tool: extra.tool ?? name,
    source: extra.source ?? fixture(name),
    limits: { ...DEFAULT_SCRIPT_LIMITS, timeoutMs: 500, ...limits },
    hostFunctions: [...(extra.log ? ['log' as const] : []), ...(extra.fetch ? ['fetch' as const] : [])],
  };
}

export function callOpts(
  log: LoggerV1 = recordingLogger(),
  signal: AbortSignal = new AbortController().signal,
): ScriptCallOptions {
  return { signal, log };
}
