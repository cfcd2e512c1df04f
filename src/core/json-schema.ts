// Compile user-supplied JSON Schemas (tool parameters, plugin options): draft 2020-12 when `$schema`
// says so (zod 4's toJSONSchema output), draft-07 otherwise. One ajv instance per dialect and mode.
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';

const base = { strict: false, allErrors: true } as const;
const instances = {
  draft07: new Ajv(base),
  draft07Defaults: new Ajv({ ...base, useDefaults: true }),
  draft2020: new Ajv2020(base),
  draft2020Defaults: new Ajv2020({ ...base, useDefaults: true }),
};

/** Compile `schema` once; throws ajv's error if it is not a valid schema. */
export function compileJsonSchema(
  schema: Record<string, unknown>,
  opts: { useDefaults?: boolean } = {},
): ValidateFunction {
  const is2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
  const ajv = is2020
    ? opts.useDefaults
      ? instances.draft2020Defaults
      : instances.draft2020
    : opts.useDefaults
      ? instances.draft07Defaults
      : instances.draft07;
  try {
    return ajv.compile(schema);
  } finally {
    ajv.removeSchema(); // forget this schema's $id so another plugin may reuse it; the validator stays usable
  }
}
