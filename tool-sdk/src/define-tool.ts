// defineTool: a ToolV1 from a zod 4 object schema, with the JSON Schema derived once and the input type inferred.
import { z } from 'zod';

import type { JsonSchema, ToolCallContext, ToolDescriptionV1, ToolInitContext, ToolV1 } from './spec/tool.js';

/** The parameter schemas defineTool accepts: a zod object (strip, strict, loose or catchall). */
export type ToolParameters = z.ZodObject<z.core.$ZodShape, z.core.$ZodObjectConfig>;

export interface DefineToolOptions<S extends ToolParameters, O> {
  /** What the LLM calls the tool: `^[a-zA-Z0-9_-]{1,64}$` (as in plugin.json). */
  readonly name: string;
  readonly description: string;
  /** Describe fields with `.describe()` or `.meta({ description })`; they end up in the JSON Schema. */
  readonly parameters: S;
  /** Receives the parsed input: defaults applied, transforms run (zod's output type). */
  execute(input: z.output<S>, ctx: ToolCallContext): Promise<O> | O;
  initialize?(config: Record<string, unknown>, ctx: ToolInitContext): Promise<void> | void;
  shutdown?(): Promise<void> | void;
}

/**
 * The tool defineTool returns. Its `execute` takes zod's *input* type (what the LLM or a direct
 * caller sends; defaulted fields may be omitted) and parses it before calling the author's execute.
 * For schemas without defaults or transforms this is the same as `ToolV1<z.infer<S>, O>`.
 */
export interface ZodToolV1<S extends ToolParameters, O> extends ToolV1<z.input<S>, O> {
  /** The zod schema, for callers that want to parse or extend it. */
  readonly parameters: S;
  execute(input: z.input<S>, ctx: ToolCallContext): Promise<O>;
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * JSON Schema of what the tool accepts: zod's *input* side (defaulted fields are optional, a transform
 * is described by its input), draft 2020-12 with its `$schema` kept so the host picks the right dialect.
 */
export function parametersJsonSchema(name: string, parameters: ToolParameters): JsonSchema {
  try {
    return z.toJSONSchema(parameters, { target: 'draft-2020-12', io: 'input' });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new TypeError(`defineTool("${name}"): parameters cannot be expressed as JSON Schema: ${reason}`, {
      cause: err,
    });
  }
}

/** Declare a tool whose parameters are a zod object schema. Throws at once for a bad name or schema. */
export function defineTool<S extends ToolParameters, O>(options: DefineToolOptions<S, O>): ZodToolV1<S, O> {
  const { name, description, parameters } = options;
  if (typeof name !== 'string' || !TOOL_NAME.test(name))
    throw new TypeError(`defineTool: name must match ${String(TOOL_NAME)}, found ${JSON.stringify(name)}`);
  if (!(parameters instanceof z.ZodObject))
    throw new TypeError(`defineTool("${name}"): parameters must be a zod object schema (z.object({ … }))`);
  const described: ToolDescriptionV1 = {
    name,
    description,
    parameters: parametersJsonSchema(name, parameters),
  };
  return {
    specificationVersion: 'v1',
    parameters,
    describe: () => described,
    ...(options.initialize ? { initialize: options.initialize.bind(options) } : {}),
    ...(options.shutdown ? { shutdown: options.shutdown.bind(options) } : {}),
    async execute(input, ctx) {
      // Parse again although the host validated: applies defaults and transforms, and gives a direct
      // caller (tests, other code) a ZodError instead of a confusing failure deeper in execute.
      const parsed = await parameters.parseAsync(input);
      return options.execute(parsed, ctx);
    },
  };
}
