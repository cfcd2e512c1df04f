import { describe, expect, it } from 'vitest';

import { escapeJsonLogLine, escapePrettyLogLine } from '../../../src/core/observability/log-escape.js';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A log line as pino writes it: JSON (C0 escaped by JSON.stringify) and a final newline. */
const line = (fields: Record<string, unknown>): string => `${JSON.stringify({ level: 'info', ...fields })}\n`;

const HOSTILE = 'a\nFAKE {"level":50}\r\t\u001b[2J\u001b[31mred\u007f\u0085\u009b31m\u2028\u2029end';

describe('escapeJsonLogLine', () => {
  it('returns a line with nothing to escape as it is', () => {
    const input = line({ msg: 'task completed', path: 'C:\\tmp\\x', quote: 'say "hi"' });
    expect(escapeJsonLogLine(input)).toBe(input);
  });

  it('escapes raw DEL, C1 and U+2028/U+2029: one line, the same JSON value', () => {
    const input = line({ msg: HOSTILE, [`key${HOSTILE}`]: HOSTILE });
    expect(input.slice(0, -1)).toMatch(RAW_CONTROL); // JSON.stringify leaves these raw
    const out = escapeJsonLogLine(input);
    expect(out.endsWith('\n')).toBe(true);
    expect(out.slice(0, -1)).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(out)).toEqual(JSON.parse(input));
    expect(out).toContain('\\u0085\\u009b31m\\u2028\\u2029');
  });

  it('escapes a raw control character that reached the line some other way', () => {
    expect(escapeJsonLogLine('{"msg":"a\nb\u001b"}\n')).toBe('{"msg":"a\\u000ab\\u001b"}\n');
  });
});

describe('escapePrettyLogLine', () => {
  it('returns a line with nothing to escape as it is', () => {
    const input = line({ msg: 'task completed', path: 'C:\\tmp\\x', quote: 'say "hi"' });
    expect(escapePrettyLogLine(input)).toBe(input);
  });

  it('turns every control character into visible text once parsed (what pino-pretty prints)', () => {
    const out = escapePrettyLogLine(line({ msg: HOSTILE, [`k${HOSTILE}`]: 1 }));
    expect(out.slice(0, -1)).not.toMatch(RAW_CONTROL);
    const parsed = JSON.parse(out) as Record<string, unknown>;
    const shown =
      'a\\nFAKE {"level":50}\\r\\t\\u001b[2J\\u001b[31mred\\u007f\\u0085\\u009b31m\\u2028\\u2029end';
    expect(parsed.msg).toBe(shown);
    expect(parsed[`k${shown}`]).toBe(1);
    for (const value of Object.entries(parsed).flat()) expect(String(value)).not.toMatch(RAW_CONTROL);
  });

  it('leaves other escapes alone: quotes, backslashes, a backslash before an n, non-control \\u', () => {
    const input = line({ msg: 'say "hi" \\n C:\\new é \ud800' });
    const out = escapePrettyLogLine(input);
    expect(JSON.parse(out)).toEqual(JSON.parse(input));
  });
});
