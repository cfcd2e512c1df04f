// Validate plugin options and tool config tables against their JSON Schemas (defaults applied).
import { ERR_PLUGIN_OPTIONS_INVALID, ERR_TOOL_CONFIG_INVALID } from '../errors.js';
import { compileJsonSchema } from '../json-schema.js';

/** A validated copy of `value` (schema defaults filled in), or the list of problems. */
function check(
  schema: Record<string, unknown> | undefined,
  value: Record<string, unknown>,
  what: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; errors: string[] } {
  const copy = structuredClone(value);
  if (!schema) return { ok: true, value: copy };
  const validate = compileJsonSchema(schema, { useDefaults: true });
  if (validate(copy)) return { ok: true, value: copy };
  const errors = (validate.errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : '';
    return `${e.instancePath || what} ${e.message ?? 'is invalid'}${extra}`;
  });
  return { ok: false, errors };
}

/**
 * Return a validated copy of `options` (schema defaults filled in). `key` names where the options
 * came from in agent.toml, for the error message (e.g. `tools.search.config`).
 */
export function validatePluginOptions(
  plugin: string,
  schema: Record<string, unknown> | undefined,
  options: Record<string, unknown>,
  key: string,
): Record<string, unknown> {
  const result = check(schema, options, '(options)');
  if (result.ok) return result.value;
  throw new ERR_PLUGIN_OPTIONS_INVALID({ plugin, key, errors: result.errors });
}

/** Validate one `[tools.<tool>] config` table; AGENT_ERR_TOOL_CONFIG_INVALID lists every problem. */
export function validateToolConfig(
  where: { tool: string; plugin: string },
  schema: Record<string, unknown> | undefined,
  config: Record<string, unknown>,
): Record<string, unknown> {
  const result = check(schema, config, '(config)');
  if (result.ok) return result.value;
  throw new ERR_TOOL_CONFIG_INVALID({ ...where, key: `tools.${where.tool}.config`, errors: result.errors });
}
