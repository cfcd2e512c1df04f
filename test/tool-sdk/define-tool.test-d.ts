import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';

import { defineTool, type ToolCallContext, type ToolV1 } from '@agent2389/tool-sdk';

describe('defineTool types', () => {
  it('infers execute input from the zod schema', () => {
    const tool = defineTool({
      name: 'repeat',
      description: 'd',
      parameters: z.object({ text: z.string(), count: z.number().optional() }),
      execute(input, ctx) {
        expectTypeOf(input).toEqualTypeOf<{ text: string; count?: number | undefined }>();
        expectTypeOf(ctx).toEqualTypeOf<ToolCallContext>();
        // @ts-expect-error -- not a property of the schema
        void input.txt;
        return { repeated: input.text.repeat(input.count ?? 1) };
      },
    });
    expectTypeOf(tool).toExtend<ToolV1<{ text: string; count?: number | undefined }, { repeated: string }>>();
    expectTypeOf(tool.execute).parameter(0).toEqualTypeOf<{ text: string; count?: number | undefined }>();
    expectTypeOf(tool.execute).returns.toEqualTypeOf<Promise<{ repeated: string }>>();
    // What ctx.registerTool takes:
    expectTypeOf(tool).toExtend<ToolV1>();
  });

  it('gives execute the output type (defaults applied) and callers the input type', () => {
    const tool = defineTool({
      name: 'mode',
      description: 'd',
      parameters: z.object({
        mode: z.enum(['a', 'b']).default('a'),
        s: z.string().transform((v) => v.length),
      }),
      execute: async (input) => {
        expectTypeOf(input).toEqualTypeOf<{ mode: 'a' | 'b'; s: number }>();
        return Promise.resolve(input.s > 0);
      },
    });
    expectTypeOf(tool.execute).parameter(0).toEqualTypeOf<{ mode?: 'a' | 'b' | undefined; s: string }>();
    // An async execute yields the awaited value, not a nested promise.
    expectTypeOf(tool.execute).returns.toEqualTypeOf<Promise<boolean>>();
  });

  it('accepts strict objects and rejects non-object schemas', () => {
    defineTool({
      name: 's',
      description: 'd',
      parameters: z.strictObject({ a: z.boolean() }),
      execute: (input) => expectTypeOf(input).toEqualTypeOf<{ a: boolean }>(),
    });
    defineTool({
      name: 'bad',
      description: 'd',
      // @ts-expect-error -- parameters must be a zod object schema
      parameters: z.string(),
      execute: () => null,
    });
  });
});
