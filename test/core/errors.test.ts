import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import * as errors from '../../src/core/errors.js';
import { AgentError } from '../../src/core/errors.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = [...doc.matchAll(/^\|\s*`(AGENT_ERR_[A-Z_]+)`\s*\|/gm)].map((m) => m[1]!);
const defined = Object.values(errors)
  .filter((v): v is { code: string } & typeof v => typeof v === 'function' && 'code' in v)
  .map((v) => v.code);

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Every source and documentation file the project ships (tests may name made-up codes on purpose). */
function shippedFiles(): string[] {
  const dirs = ['src', 'tool-sdk/src', 'tool-sdk/schema', 'plugins', 'docs', 'examples'];
  const files = dirs.flatMap((dir) =>
    readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && /\.(ts|js|mjs|cjs|json|md|toml)$/.test(e.name))
      .map((e) => join(e.parentPath, e.name))
      .filter((f) => !f.includes('/node_modules/')),
  );
  return [...files, join(root, 'README.md')];
}

/** Each `AGENT_ERR_…` named in a shipped file, with where; one ending in `_` is a prefix (`AGENT_ERR_TOOL_*`). */
function namedCodes(): { code: string; where: string }[] {
  return shippedFiles().flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/AGENT_ERR_[A-Z_]*/g)].map((m) => ({
      code: m[0],
      where: relative(root, file),
    })),
  );
}

describe('error codes', () => {
  it('every code named in src/, tool-sdk/, plugins/, docs/ and examples/ is defined in errors.ts', () => {
    const named = namedCodes();
    expect(named.length).toBeGreaterThan(50);
    const unknown = named.filter(({ code }) =>
      code.endsWith('_') ? !defined.some((d) => d.startsWith(code)) : !defined.includes(code),
    );
    expect(unknown).toEqual([]);
  });

  it('codes are created only in src/core/errors.ts', () => {
    const elsewhere = shippedFiles()
      .filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith(join('src', 'core', 'errors.ts')))
      .filter((f) => /\bcreateError\(|new AgentError\(|extends AgentError\b/.test(readFileSync(f, 'utf8')));
    expect(elsewhere.map((f) => relative(root, f))).toEqual([]);
  });

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

  it('toError keeps an Error and wraps a thrown non-Error as AGENT_ERR_NOT_AN_ERROR with its text', () => {
    const err = new Error('boom');
    expect(errors.toError(err)).toBe(err);
    const wrapped = errors.toError('plain text');
    expect(wrapped).toMatchObject({ code: 'AGENT_ERR_NOT_AN_ERROR', data: { value: 'plain text' } });
    expect(errors.reasonOf(wrapped)).toBe('plain text'); // what callers show is unchanged
  });

  it('errors carry code, data and cause and are recognised by AgentError.is', () => {
    const cause = new Error('boom');
    const err = new errors.ERR_TOOL_FAILED({ tool: 't', reason: 'boom' }, { cause });
    expect(err).toBeInstanceOf(AgentError);
    expect(AgentError.is(err, 'AGENT_ERR_TOOL_FAILED')).toBe(true);
    expect(AgentError.is(err, 'AGENT_ERR_TOOL_UNKNOWN')).toBe(false);
    expect(AgentError.is({ code: 'AGENT_ERR_TOOL_FAILED' })).toBe(false);
    // One copy of this module runs, so a lookalike (e.g. thrown by a plugin) is not taken for an AgentError.
    const lookalike = Object.assign(new Error('x'), { name: 'AgentError', code: 'AGENT_ERR_TOOL_FAILED' });
    expect(AgentError.is(Object.assign(lookalike, { [Symbol.for('agent2389.error')]: true }))).toBe(false);
    expect(err.data).toEqual({ tool: 't', reason: 'boom' });
    expect(err.cause).toBe(cause);
    expect(String(err)).toMatch(/^AgentError \[AGENT_ERR_TOOL_FAILED\]/);
  });
});
