// What the LLM sees of a tools/call result: text joined, other content summarised, isError thrown.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';

import {
  base64Bytes,
  callResultValue,
  MAX_CONTENT_BLOCKS,
  MAX_ERROR_TEXT_CHARS,
} from '../../../src/core/mcp/call-result.js';
import { toolError } from '../../helpers/thrown.js';

const png = Buffer.alloc(1234, 7).toString('base64');

describe('callResultValue', () => {
  it('joins text blocks with newlines', () => {
    expect(
      callResultValue({
        content: [
          { type: 'text', text: 'one' },
          { type: 'text', text: 'two' },
        ],
      }),
    ).toBe('one\ntwo');
  });

  it('summarises images and audio with their decoded size, never their bytes', () => {
    const value = callResultValue({
      content: [
        { type: 'text', text: 'here:' },
        { type: 'image', data: png, mimeType: 'image/png' },
        { type: 'audio', data: Buffer.alloc(10).toString('base64'), mimeType: 'audio/wav' },
      ],
    });
    expect(value).toBe('here:\n[image: image/png, 1234 bytes]\n[audio: audio/wav, 10 bytes]');
  });

  it('resource links are named; embedded text is inlined; an embedded blob is summarised', () => {
    const value = callResultValue({
      content: [
        { type: 'resource_link', uri: 'file:///a.txt', name: 'a.txt' },
        { type: 'resource', resource: { uri: 'file:///b.txt', text: 'bee' } },
        {
          type: 'resource',
          resource: { uri: 'file:///c.bin', mimeType: 'application/octet-stream', blob: png },
        },
      ],
    });
    expect(value).toBe(
      '[resource link: file:///a.txt (a.txt)]\nbee\n[resource: file:///c.bin, application/octet-stream, 1234 bytes]',
    );
  });

  it('an unknown block type is named, not dropped', () => {
    const result = { content: [{ type: 'hologram', data: 'x' }] } as unknown as CallToolResult;
    expect(callResultValue(result)).toBe('[hologram content omitted]');
  });

  it('structuredContent is the value when there is no content; text wins when both are there', () => {
    expect(callResultValue({ content: [], structuredContent: { sum: 3 } })).toEqual({ sum: 3 });
    expect(
      callResultValue({ content: [{ type: 'text', text: '{"sum":3}' }], structuredContent: { sum: 3 } }),
    ).toBe('{"sum":3}');
  });

  it('isError throws a ToolError MCP_TOOL_ERROR with the text', async () => {
    const err = await toolError(
      Promise.resolve().then(() =>
        callResultValue({ isError: true, content: [{ type: 'text', text: 'no such file' }] }),
      ),
    );
    expect([err.code, err.message]).toEqual(['MCP_TOOL_ERROR', 'no such file']);
  });

  it('an isError text is cut at MAX_ERROR_TEXT_CHARS (errors do not pass the output cap)', async () => {
    const text = 'e'.repeat(MAX_ERROR_TEXT_CHARS + 500);
    const err = await toolError(
      Promise.resolve().then(() => callResultValue({ isError: true, content: [{ type: 'text', text }] })),
    );
    expect(err.code).toBe('MCP_TOOL_ERROR');
    expect(err.message.length).toBeLessThan(MAX_ERROR_TEXT_CHARS + 100);
    expect(err.message.endsWith('…[500 characters omitted]')).toBe(true);
  });

  it('looks at MAX_CONTENT_BLOCKS blocks at most and says how many more there were', () => {
    const content = Array.from({ length: 100_000 }, (_, i) => ({ type: 'text' as const, text: `b${i}` }));
    const value = callResultValue({ content }) as string;
    const lines = value.split('\n');
    expect(lines).toHaveLength(MAX_CONTENT_BLOCKS + 1);
    expect(lines.at(-1)).toBe(`[${100_000 - MAX_CONTENT_BLOCKS} more content blocks omitted]`);
  });

  it('survives content that is not what the schema says', () => {
    const odd = { content: [null, 5, { type: 'image' }, { type: 'resource' }] } as unknown as CallToolResult;
    expect(callResultValue(odd)).toBe(
      '[content omitted]\n[content omitted]\n[image: unknown type, 0 bytes]\n[resource content omitted]',
    );
  });
});

describe('base64Bytes', () => {
  it('is the decoded length, padding included', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 1234]) expect(base64Bytes(Buffer.alloc(n).toString('base64'))).toBe(n);
  });
});
