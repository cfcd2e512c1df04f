import { describe, expect, it } from 'vitest';

import { UsageError } from '../../src/cli/build-envelope.js';
import {
  DEFAULT_AGENTS,
  pipelineFromFile,
  pipelineFromOptions,
  topicInstruction,
} from '../../src/cli/pipeline-spec.js';

describe('pipelineFromOptions', () => {
  it('--agents with --message: the message is the first instruction, later hops get none', () => {
    expect(pipelineFromOptions({ agents: 'a, b,c', message: 'go', inputJson: '{"x":1}' })).toEqual({
      hops: [
        { agent: 'a', instruction: 'go' },
        { agent: 'b', instruction: null },
        { agent: 'c', instruction: null },
      ],
      input: { x: 1 },
    });
  });

  it('--topic alone: researcher, writer, editor with research / write / edit instructions', () => {
    const spec = pipelineFromOptions({ topic: 'Rust async' });
    expect(spec.hops.map((h) => h.agent)).toEqual([...DEFAULT_AGENTS]);
    expect(spec.hops.map((h) => h.instruction)).toEqual([
      'Research: Rust async',
      'Write an article from this research',
      'Edit and polish this article',
    ]);
    expect(spec.input).toBeNull();
  });

  it('--topic instructions follow the position in other pipelines', () => {
    expect(topicInstruction('t', 0, 1)).toBe('Research: t');
    expect(topicInstruction('t', 1, 2)).toBe('Write an article from this research');
    expect([0, 1, 2, 3].map((i) => topicInstruction('t', i, 4))).toEqual([
      'Research: t',
      'Write an article from this research',
      'Write an article from this research',
      'Edit and polish this article',
    ]);
    expect(pipelineFromOptions({ topic: 't', agents: 'x,y' }).hops).toEqual([
      { agent: 'x', instruction: 'Research: t' },
      { agent: 'y', instruction: 'Write an article from this research' },
    ]);
  });

  it('rejects missing, conflicting and incomplete options', () => {
    expect(() => pipelineFromOptions({})).toThrow(/--agents with --message, --topic, or --file/);
    expect(() => pipelineFromOptions({ agents: 'a' })).toThrow(UsageError);
    expect(() => pipelineFromOptions({ message: 'm', topic: 't' })).toThrow(
      '--message and --topic cannot be used together',
    );
    expect(() => pipelineFromOptions({ message: 'm' })).toThrow('--message needs --agents');
    expect(() => pipelineFromOptions({ agents: ' , ', message: 'm' })).toThrow(
      '--agents needs at least one agent id',
    );
    expect(() => pipelineFromOptions({ agents: 'a', message: 'm', inputJson: '{x' })).toThrow(
      /--input is not valid JSON/,
    );
    const file = { path: 'p.json', text: '{"hops":[{"agent":"a"}]}' };
    expect(() => pipelineFromOptions({ file, topic: 't' })).toThrow(
      '--file and --topic cannot be used together',
    );
    expect(() => pipelineFromOptions({ file, agents: 'a' })).toThrow(/leave out --agents and --input/);
  });
});

describe('pipelineFromFile', () => {
  it('reads hops with per-hop instructions, the input and the conversation id', () => {
    const text = JSON.stringify({
      conversation_id: 'conv-file',
      input: { topic: 'x' },
      hops: [{ agent: 'r', instruction: 'Research' }, { agent: 'w' }, { agent: 'e', instruction: null }],
    });
    expect(pipelineFromOptions({ file: { path: 'p.json', text } })).toEqual({
      conversationId: 'conv-file',
      input: { topic: 'x' },
      hops: [
        { agent: 'r', instruction: 'Research' },
        { agent: 'w', instruction: null },
        { agent: 'e', instruction: null },
      ],
    });
  });

  it.each([
    ['{', /p\.json is not valid JSON/],
    ['[]', /p\.json: must be a JSON object with "hops"/],
    ['{"hops":[]}', /"hops" must be a non-empty array/],
    ['{"hops":["a"]}', /hops\[0\] must be an object/],
    ['{"hops":[{"agent":1}]}', /hops\[0\]\.agent must be a string/],
    ['{"hops":[{"agent":"a","instruction":3}]}', /hops\[0\]\.instruction must be a string or null/],
    ['{"hops":[{"agent":"a","instructions":"x"}]}', /hops\[0\]: unknown key "instructions"/],
    ['{"hop":[{"agent":"a"}]}', /p\.json: unknown key "hop"/],
    ['{"hops":[{"agent":"a"}],"conversation_id":7}', /"conversation_id" must be a string/],
  ])('rejects %s', (text, message) => {
    expect(() => pipelineFromFile('p.json', text)).toThrow(message);
  });
});
