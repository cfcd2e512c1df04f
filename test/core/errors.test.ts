import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import * as errors from '../../src/core/errors.js';
import { AgentError } from '../../src/core/errors.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = [...doc.matchAll(/^\|\s*`(AGENT_ERR_[A-Z_]+)`\s*\|/gm)].map((m) => m[1]!);
const defined = Object.values(errors)
  .filter((v): v is { code: string } & typeof v => typeof v === 'function' && 'code' in v)
  .map((v) => v.code);

describe('error codes', () => {
  it('every defined code is documented in docs/errors.md', () => {
    expect(defined.length).toBeGreaterThan(10);
    expect(defined.filter((c) => !documented.includes(c))).toEqual([]);
  });

  it('every documented code is defined', () => {
    expect(documented.filter((c) => !defined.includes(c))).toEqual([]);
  });

  it('codes are unique and follow AGENT_ERR_<AREA>_<DETAIL>', () => {
    expect(new Set(defined).size).toBe(defined.length);
    for (const code of defined) expect(code).toMatch(/^AGENT_ERR_[A-Z]+(_[A-Z]+)*$/);
  });

  it('errors carry code, data and cause and are recognised across copies', () => {
    const cause = new Error('boom');
    const err = new errors.ERR_TOOL_FAILED({ tool: 't', reason: 'boom' }, { cause });
    expect(err).toBeInstanceOf(AgentError);
    expect(AgentError.is(err, 'AGENT_ERR_TOOL_FAILED')).toBe(true);
    expect(AgentError.is(err, 'AGENT_ERR_TOOL_UNKNOWN')).toBe(false);
    expect(AgentError.is({ code: 'AGENT_ERR_TOOL_FAILED' })).toBe(false);
    expect(err.data).toEqual({ tool: 't', reason: 'boom' });
    expect(err.cause).toBe(cause);
    expect(String(err)).toMatch(/^AgentError \[AGENT_ERR_TOOL_FAILED\]/);
  });
});
