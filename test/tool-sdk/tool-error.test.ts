import { describe, expect, it } from 'vitest';

import { ToolError } from '@agent2389/tool-sdk';

describe('ToolError', () => {
  it('carries a code and data and is recognised by ToolError.is', () => {
    const cause = new Error('low level');
    const err = new ToolError('HTTP_TIMEOUT', 'no answer within 5 s', { timeoutSeconds: 5 }, { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('HTTP_TIMEOUT');
    expect(err.data).toEqual({ timeoutSeconds: 5 });
    expect(err.cause).toBe(cause);
    expect(ToolError.is(err)).toBe(true);
    expect(ToolError.is(err, 'HTTP_TIMEOUT')).toBe(true);
    expect(ToolError.is(err, 'OTHER')).toBe(false);
  });

  it('recognises a ToolError from another copy of the SDK by shape', () => {
    const foreign = Object.assign(new Error('x'), { name: 'ToolError', code: 'SOME_CODE' });
    expect(ToolError.is(foreign)).toBe(true);
    expect(ToolError.is(new Error('plain'))).toBe(false);
    expect(ToolError.is('ToolError')).toBe(false);
    expect(ToolError.is({ name: 'ToolError', code: 'SOME_CODE' })).toBe(false);
    const badCode = Object.assign(new Error('x'), { name: 'ToolError', code: 'not a code' });
    expect(ToolError.is(badCode)).toBe(false);
  });

  it('refuses codes that are not UPPER_SNAKE_CASE', () => {
    expect(() => new ToolError('lower', 'm')).toThrow(TypeError);
    expect(() => new ToolError('HAS SPACE', 'm')).toThrow(TypeError);
    expect(() => new ToolError('_LEADING', 'm')).toThrow(TypeError);
  });
});
