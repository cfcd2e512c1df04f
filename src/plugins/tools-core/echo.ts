// `echo`: returns the message it was given (a trusted in-process tool for tests and demos).
import type { ToolFactoryV1, ToolV1 } from '@agent2389/tool-sdk';

export function createEchoTool(): ToolV1<{ message: string }, { message: string }> {
  return {
    specificationVersion: 'v1',
    describe: () => ({
      name: 'echo',
      description: 'Return the given message unchanged.',
      parameters: {
        type: 'object',
        properties: { message: { type: 'string', description: 'Text to echo back' } },
        required: ['message'],
        additionalProperties: false,
      },
    }),
    execute: (input) => ({ message: input.message }),
  };
}

export const echoToolFactory: ToolFactoryV1 = { name: 'echo', create: () => createEchoTool() };
