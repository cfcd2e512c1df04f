// An MCP server's inputSchema made safe to compile: no server regex runs on the agent's thread, size and
// depth are bounded, validation only loosens.
import { describe, expect, it } from 'vitest';

import { compileJsonSchema } from '../../../src/core/json-schema.js';
import { SCHEMA_LIMITS, validationSchema } from '../../../src/core/mcp/safe-schema.js';

const safe = (schema: Record<string, unknown>): Record<string, unknown> => {
  const out = validationSchema(schema);
  if (!('schema' in out)) throw new Error(out.problem);
  return out.schema;
};

describe('validationSchema', () => {
  it('drops pattern at every level, and format, but keeps properties named "pattern"', () => {
    const schema = {
      type: 'object',
      properties: {
        pattern: { type: 'string', pattern: '^(a+)+$' },
        when: { type: 'string', format: 'date-time' },
        list: { type: 'array', items: { type: 'string', pattern: '(x+x+)+y' } },
        either: { anyOf: [{ type: 'string', pattern: '(a|a)*$' }, { type: 'number' }] },
      },
      required: ['pattern'],
    };
    expect(safe(schema)).toEqual({
      type: 'object',
      properties: {
        pattern: { type: 'string' },
        when: { type: 'string' },
        list: { type: 'array', items: { type: 'string' } },
        either: { anyOf: [{ type: 'string' }, { type: 'number' }] },
      },
      required: ['pattern'],
    });
  });

  it('a catastrophic pattern is never run: the hostile input validates at once', () => {
    const validate = compileJsonSchema(
      safe({ type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } }),
    );
    // With the pattern, ajv would backtrack for minutes on this string.
    expect(validate({ s: `${'a'.repeat(40)}!` })).toBe(true);
    expect(validate({ s: 1 })).toBe(false);
  });

  it('without patternProperties, additionalProperties: false no longer refuses what they allowed', () => {
    const validate = compileJsonSchema(
      safe({ type: 'object', patternProperties: { '^x_': { type: 'string' } }, additionalProperties: false }),
    );
    expect(validate({ x_a: 'ok' })).toBe(true);
  });

  it('keeps additionalProperties: false where there were no patternProperties', () => {
    const validate = compileJsonSchema(
      safe({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false }),
    );
    expect(validate({ a: 'x', b: 1 })).toBe(false);
  });

  it('refuses a schema larger than the limit', () => {
    const big = { type: 'object', description: 'x'.repeat(SCHEMA_LIMITS.maxChars) };
    const out = validationSchema(big);
    expect('problem' in out && out.problem).toMatch(/larger than/);
  });

  it('refuses a schema nested deeper than the limit', () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < SCHEMA_LIMITS.maxDepth + 5; i++)
      schema = { type: 'object', properties: { n: schema } };
    const out = validationSchema(schema);
    expect('problem' in out && out.problem).toMatch(/deeper than/);
  });

  it('leaves data keywords (enum, const, default) alone', () => {
    const schema = { type: 'object', properties: { m: { enum: ['pattern', 'format'], default: 'pattern' } } };
    expect(safe(schema)).toEqual(schema);
  });
});
