// `command --describe`: ask an external tool for its description and parameter schema.
import { ERR_TOOL_DESCRIBE_FAILED } from '../errors.js';
import { runCall } from './run-call.js';
import type { SubprocessCallOptions, SubprocessSpec } from './subprocess-spec.js';

export interface ToolDescription {
  description: string;
  parameters: Record<string, unknown>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Why `value` is not `{description: string, parameters?: {type: "object", …}}`, or undefined if it is. */
export function describeProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'the output is not a JSON object';
  if (typeof value.description !== 'string' || value.description.trim() === '')
    return '"description" must be a non-empty string';
  if (value.parameters === undefined) return undefined; // no parameters: any object
  if (!isRecord(value.parameters)) return '"parameters" must be a JSON Schema object';
  if (value.parameters.type !== 'object') return '"parameters.type" must be "object"';
  return undefined;
}

/** Run `command <args> --describe` under the same sandbox and limits, stdin closed; throws ERR_TOOL_DESCRIBE_FAILED. */
export async function describeCommand(
  spec: SubprocessSpec,
  opts: SubprocessCallOptions,
  hostPath?: string,
): Promise<ToolDescription> {
  const { outcome } = await runCall(spec, undefined, [...spec.args, '--describe'], opts, hostPath);
  const base = { tool: spec.tool, command: spec.command };
  if (!outcome.ok)
    throw new ERR_TOOL_DESCRIBE_FAILED({ ...base, reason: outcome.error.message }, { cause: outcome.error });
  const problem = describeProblem(outcome.value);
  if (problem !== undefined) throw new ERR_TOOL_DESCRIBE_FAILED({ ...base, reason: problem });
  const value = outcome.value as Partial<ToolDescription> & { description: string };
  return { description: value.description, parameters: value.parameters ?? { type: 'object' } };
}
