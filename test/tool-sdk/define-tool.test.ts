import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

import { compileJsonSchema } from '../../src/core/json-schema.js';
import { silentLogger } from '../../src/core/observability/silent-logger.js';
import { defineTool } from '@agent2389/tool-sdk';

const ctx = { callId: 'c1', signal: new AbortController().signal, log: silentLogger };
const DRAFT_2020 = 'https://json-schema.org/draft/2020-12/schema';

const params = z.object({
  text: z.string().describe('The text to repeat'),
  count: z.number().int().min(1).optional(),
  mode: z.enum(['upper', 'lower']).default('lower'),
  target: z.object({ channel: z.string(), tags: z.array(z.string()).default([]) }).optional(),
  pair: z.tuple([z.string(), z.number()]).optional(),
});

function repeatTool(execute: (input: z.output<typeof params>) => unknown = (input) => input) {
  return defineTool({ name: 'repeat', description: 'Repeat text.', parameters: params, execute });
}

describe('defineTool: JSON Schema', () => {
  it('describes required, optional, defaulted, enum and nested fields (zod input side, 2020-12)', () => {
    const { name, description, parameters } = repeatTool().describe();
    expect({ name, description }).toEqual({ name: 'repeat', description: 'Repeat text.' });
    expect(parameters).toMatchObject({
      $schema: DRAFT_2020,
      type: 'object',
      required: ['text'], // `mode` has a default, so the model may omit it
      properties: {
        text: { type: 'string', description: 'The text to repeat' },
        count: { type: 'integer', minimum: 1 },
        mode: { type: 'string', enum: ['upper', 'lower'], default: 'lower' },
        target: {
          type: 'object',
          required: ['channel'],
          properties: { channel: { type: 'string' }, tags: { type: 'array', default: [] } },
        },
        pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] },
      },
    });
  });

  it('describes strict objects with additionalProperties: false and computes the schema once', () => {
    const tool = defineTool({
      name: 'strict',
      description: 'd',
      parameters: z.strictObject({ a: z.boolean() }),
      execute: () => null,
    });
    expect(tool.describe().parameters).toMatchObject({ additionalProperties: false, required: ['a'] });
    expect(tool.describe()).toBe(tool.describe());
  });

  it('describes a transformed field by its input', () => {
    const tool = defineTool({
      name: 'len',
      description: 'd',
      parameters: z.object({ s: z.string().transform((v) => v.length) }),
      execute: ({ s }) => s,
    });
    expect(tool.describe().parameters).toMatchObject({ properties: { s: { type: 'string' } } });
  });

  it('rejects a bad name and a schema JSON Schema cannot express, at definition time', () => {
    const execute = () => null;
    expect(() =>
      defineTool({ name: 'has space', description: 'd', parameters: z.object({}), execute }),
    ).toThrow(TypeError);
    const bad = () =>
      defineTool({ name: 'when', description: 'd', parameters: z.object({ at: z.date() }), execute });
    expect(bad).toThrow(/defineTool\("when"\): parameters cannot be expressed as JSON Schema/);
  });
});

describe('defineTool: execute', () => {
  it('passes the parsed input (defaults applied, transforms run) and the call context', async () => {
    const execute = vi.fn((input: z.output<typeof params>) => ({ got: input }));
    const tool = repeatTool(execute);
    await expect(tool.execute({ text: 'hi', target: { channel: 'x' } }, ctx)).resolves.toEqual({
      got: { text: 'hi', mode: 'lower', target: { channel: 'x', tags: [] } },
    });
    expect(execute).toHaveBeenCalledWith(expect.anything(), ctx);
    const len = defineTool({
      name: 'len',
      description: 'd',
      parameters: z.object({ s: z.string().transform((v) => v.length) }),
      execute: ({ s }) => s * 2,
    });
    await expect(len.execute({ s: 'abc' }, ctx)).resolves.toBe(6);
  });

  it('rejects invalid direct input with a ZodError and never calls the author', async () => {
    const execute = vi.fn();
    const tool = repeatTool(execute);
    const err: unknown = await tool
      .execute({ text: 'hi', mode: 'sideways' as 'upper' }, ctx)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(z.ZodError);
    expect((err as z.ZodError).issues.map((i) => i.path)).toEqual([['mode']]);
    expect(execute).not.toHaveBeenCalled();
  });

  it('passes initialize and shutdown through', async () => {
    const initialize = vi.fn();
    const shutdown = vi.fn();
    const tool = defineTool({
      name: 't',
      description: 'd',
      parameters: z.object({}),
      execute: () => null,
      initialize,
      shutdown,
    });
    await tool.initialize?.(
      { k: 1 },
      { log: silentLogger, signal: ctx.signal, agentId: 'a', dataDir: '/tmp/a' },
    );
    await tool.shutdown?.();
    expect(initialize).toHaveBeenCalledWith({ k: 1 }, expect.anything());
    expect(shutdown).toHaveBeenCalledOnce();
    const bare = defineTool({ name: 'b', description: 'd', parameters: z.object({}), execute: () => null });
    expect(bare.initialize).toBeUndefined();
    expect(bare.shutdown).toBeUndefined();
  });
});

describe('defineTool: the schema in the host compiler', () => {
  const samples: unknown[] = [
    { text: 'a' },
    { text: 'a', count: 2, mode: 'upper', target: { channel: 'c', tags: ['t'] }, pair: ['x', 1] },
    {},
    { text: 1 },
    { text: 'a', count: 0 },
    { text: 'a', count: 1.5 },
    { text: 'a', mode: 'sideways' },
    { text: 'a', target: { tags: [] } },
    { text: 'a', pair: ['x', 'y'] },
    { text: 'a', pair: ['x', 1, 2] },
    'not an object',
  ];

  it('compiles with compileJsonSchema and agrees with zod on every sample', () => {
    const validate = compileJsonSchema(repeatTool().describe().parameters);
    for (const sample of samples) {
      expect({ sample, valid: validate(structuredClone(sample)) }).toEqual({
        sample,
        valid: params.safeParse(sample).success,
      });
    }
  });

  it('keeps $schema: read as draft-07, the tuple (prefixItems + items: false) would reject valid input', () => {
    const { parameters } = repeatTool().describe();
    const { $schema, ...stripped } = parameters;
    expect($schema).toBe(DRAFT_2020);
    const valid = { text: 'a', pair: ['x', 1] };
    expect(params.safeParse(valid).success).toBe(true);
    expect(compileJsonSchema(parameters)(valid)).toBe(true);
    expect(compileJsonSchema(stripped)(valid)).toBe(false);
  });
});
