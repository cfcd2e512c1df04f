// Walk a zod schema to learn which keys each table knows (for unknown-key warnings).
import { z } from 'zod';

/** Strip default/optional/nullable/pipe/transform wrappers down to the core schema. */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (let i = 0; i < 10; i++) {
    if (
      current instanceof z.ZodDefault ||
      current instanceof z.ZodOptional ||
      current instanceof z.ZodNullable
    ) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else {
      return current;
    }
  }
  return current;
}

/** The object shape of a (wrapped) object schema, or undefined for non-objects. */
export function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const core = unwrapSchema(schema);
  return core instanceof z.ZodObject ? core.shape : undefined;
}
