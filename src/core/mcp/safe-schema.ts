// An MCP server's inputSchema is hostile input: before ajv compiles it into code the agent runs on every
// call, bound its size and depth and drop the keywords that would run the server's regular expressions
// (`pattern`, `patternProperties`) or unknown formats on the agent's thread. Validation only gets looser:
// the server still validates its own arguments; the LLM still sees the schema as the server wrote it.

export const SCHEMA_LIMITS = { maxChars: 256 * 1024, maxDepth: 32 } as const;

/** Keywords whose value is one subschema. */
const ONE_SCHEMA = new Set([
  'items',
  'additionalItems',
  'additionalProperties',
  'unevaluatedItems',
  'unevaluatedProperties',
  'contains',
  'propertyNames',
  'not',
  'if',
  'then',
  'else',
]);
/** Keywords whose value is an array of subschemas. */
const SCHEMA_ARRAYS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
/** Keywords whose value maps names to subschemas (the names are data, never keywords). */
const SCHEMA_MAPS = new Set(['properties', '$defs', 'definitions', 'dependentSchemas']);
/** Dropped: they make ajv run the server's regular expressions, or formats the agent does not check. */
const DROPPED = new Set(['pattern', 'patternProperties', 'format']);

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

class TooDeep extends Error {}

function clean(schema: unknown, depth: number): unknown {
  if (!isObject(schema)) return schema; // `true` / `false` schemas, or a malformed one ajv will refuse
  if (depth > SCHEMA_LIMITS.maxDepth) throw new TooDeep();
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED.has(key)) continue;
    if (ONE_SCHEMA.has(key)) out[key] = clean(value, depth + 1);
    else if (SCHEMA_ARRAYS.has(key) && Array.isArray(value)) out[key] = value.map((s) => clean(s, depth + 1));
    else if (key === 'items' && Array.isArray(value)) out[key] = value.map((s) => clean(s, depth + 1));
    else if (SCHEMA_MAPS.has(key) && isObject(value))
      out[key] = Object.fromEntries(Object.entries(value).map(([k, s]) => [k, clean(s, depth + 1)]));
    else out[key] = value;
  }
  // Properties the dropped patternProperties allowed must not now be refused as additional.
  if ('patternProperties' in schema && out.additionalProperties === false) delete out.additionalProperties;
  return out;
}

/**
 * The schema to validate a call's arguments with, or why there is none (too large, too deep): then the
 * tool is left out. `schema` is the server's inputSchema, already known to be an object.
 */
export function validationSchema(schema: Json): { schema: Json } | { problem: string } {
  let text: string;
  try {
    text = JSON.stringify(schema);
  } catch {
    return { problem: 'its inputSchema cannot be serialised' };
  }
  if (text.length > SCHEMA_LIMITS.maxChars)
    return { problem: `its inputSchema is larger than ${SCHEMA_LIMITS.maxChars} characters` };
  try {
    return { schema: clean(schema, 0) as Json };
  } catch (err) {
    if (err instanceof TooDeep)
      return { problem: `its inputSchema nests deeper than ${SCHEMA_LIMITS.maxDepth} levels` };
    throw err;
  }
}
