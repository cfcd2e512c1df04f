import { describe, expect, it } from 'vitest';

import { compileJsonSchema } from '../../src/core/json-schema.js';

describe('compileJsonSchema', () => {
  it('compiles draft-07 and draft 2020-12 schemas (zod 4 emits 2020-12)', () => {
    const d07 = compileJsonSchema({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] });
    const d2020 = compileJsonSchema({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { a: { type: 'string' } },
      required: ['a'],
    });
    for (const v of [d07, d2020]) {
      expect(v({ a: 'x' })).toBe(true);
      expect(v({})).toBe(false);
    }
  });

  it('lets two plugins use the same $id and applies defaults only when asked', () => {
    const schema = {
      $id: 'https://example.com/options.json',
      type: 'object',
      properties: { n: { type: 'number', default: 3 } },
    };
    compileJsonSchema(schema, { useDefaults: true });
    const withDefaults = compileJsonSchema(schema, { useDefaults: true });
    const data: Record<string, unknown> = {};
    expect(withDefaults(data)).toBe(true);
    expect(data).toEqual({ n: 3 });
  });

  it('throws for a schema that is not valid', () => {
    expect(() => compileJsonSchema({ type: 'not-a-type' })).toThrow();
  });
});
