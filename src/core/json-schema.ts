// Compile user-supplied JSON Schemas (tool parameters, plugin options): draft 2020-12 when `$schema`
// says so (zod 4's toJSONSchema output), draft-07 otherwise. One ajv instance per dialect and mode.
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';

const base = { strict: false, allErrors: true } as const;
type Dialect = 'draft07' | 'draft2020';
const instances = new Map<string, Ajv>();

/** One ajv per dialect and mode, created on first use (each costs memory an agent may never need). */
function instance(dialect: Dialect, useDefaults: boolean): Ajv {
  const key = `${dialect}:${useDefaults}`;
  let ajv = instances.get(key);
  if (!ajv) {
    const opts = { ...base, useDefaults };
    ajv = dialect === 'draft2020' ? new Ajv2020(opts) : new Ajv(opts);
    instances.set(key, ajv);
  }
  return ajv;
}

/** Compile `schema` once; throws ajv's error if it is not a valid schema. */
export function compileJsonSchema(
  schema: Record<string, unknown>,
  opts: { useDefaults?: boolean } = {},
): ValidateFunction {
  const is2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
  const ajv = instance(is2020 ? 'draft2020' : 'draft07', opts.useDefaults === true);
  try {
    return ajv.compile(schema);
  } finally {
    ajv.removeSchema(); // forget this schema's $id so another plugin may reuse it; the validator stays usable
  }
}
