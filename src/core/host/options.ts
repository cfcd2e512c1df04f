// Validate a plugin's options against its plugin.json `optionsSchema` (defaults applied).
import { ERR_PLUGIN_OPTIONS_INVALID } from '../errors.js';
import { compileJsonSchema } from '../json-schema.js';

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
  const copy = structuredClone(options);
  if (!schema) return copy;
  const validate = compileJsonSchema(schema, { useDefaults: true });
  if (validate(copy)) return copy;
  const errors = (validate.errors ?? []).map(
    (e) => `${e.instancePath || '(options)'} ${e.message ?? 'is invalid'}`,
  );
  throw new ERR_PLUGIN_OPTIONS_INVALID({ plugin, key, errors });
}
