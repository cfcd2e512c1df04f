import { describe, expect, it } from 'vitest';

import { systemErrorCode } from '@agent2389/tool-sdk';

const withCode = (code: string, cause?: unknown): Error =>
  Object.assign(new Error(`failed /secret/path ${code}`, { cause }), { code });

describe('systemErrorCode', () => {
  it('finds the first E… code in the cause chain', () => {
    expect(systemErrorCode(withCode('ECONNREFUSED'))).toBe('ECONNREFUSED');
    expect(systemErrorCode(new TypeError('fetch failed', { cause: withCode('ENOTFOUND') }))).toBe(
      'ENOTFOUND',
    );
  });

  it('ignores codes that are not system codes, non-errors and chains deeper than 5', () => {
    expect(systemErrorCode(withCode('ERR_INVALID_URL'))).toBe('ERR_INVALID_URL');
    expect(systemErrorCode(withCode('UND_ERR_SOCKET'))).toBeUndefined();
    expect(systemErrorCode('ECONNRESET')).toBeUndefined();
    let deep: Error = withCode('EPIPE');
    for (let i = 0; i < 5; i++) deep = new Error('wrap', { cause: deep });
    expect(systemErrorCode(deep)).toBeUndefined();
  });
});
