import { describe, expect, it } from 'vitest';

import { MAX_ENVELOPE_NESTING, nestingExceeds } from '../../../src/core/protocol/envelope-nesting.js';

/** `levels` arrays, one inside the other, around `inner`. */
function arrays(levels: number, inner: unknown = 1): unknown {
  let v = inner;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
}

/** `levels` objects `{ k: … }`, one inside the other. */
function objects(levels: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = { k: v };
  return v;
}

describe('FR-011: envelope nesting depth (iterative)', () => {
  it('counts the top-level object as level 1, and every array and object inside it', () => {
    expect(nestingExceeds({ input: 1 }, 1)).toBe(false);
    expect(nestingExceeds({ input: {} }, 1)).toBe(true);
    expect(nestingExceeds({ input: arrays(3) }, 4)).toBe(false);
    expect(nestingExceeds({ input: arrays(3) }, 3)).toBe(true);
    expect(nestingExceeds({ input: objects(3) }, 3)).toBe(true);
    expect(nestingExceeds({ a: [1, { b: [[]] }] }, 5)).toBe(false);
    expect(nestingExceeds({ a: [1, { b: [[]] }] }, 4)).toBe(true);
  });

  it('scalars and empty containers are fine at any limit', () => {
    for (const v of [null, 1, 'text', true, {}, []]) expect(nestingExceeds(v, 1)).toBe(false);
  });

  it('finds the deep branch among wide shallow ones', () => {
    const wide = Array.from({ length: 1000 }, () => ({ x: [1, 2] }));
    expect(nestingExceeds({ input: wide }, 4)).toBe(false);
    expect(nestingExceeds({ input: [...wide, arrays(4)] }, 4)).toBe(true);
  });

  it('does not count the next chain: a next object sits at the level of its envelope', () => {
    let env: Record<string, unknown> = { topic: '/t', input: arrays(MAX_ENVELOPE_NESTING - 1) };
    for (let i = 0; i < 500; i++) env = { topic: '/t', input: null, next: env };
    expect(nestingExceeds(env, MAX_ENVELOPE_NESTING)).toBe(false);
    (env.next as Record<string, unknown>).input = arrays(MAX_ENVELOPE_NESTING);
    expect(nestingExceeds(env, MAX_ENVELOPE_NESTING)).toBe(true);
  });

  it('counts a `next` that is not an envelope link (inside input, or an array) as data', () => {
    expect(nestingExceeds({ input: { next: { next: {} } } }, 3)).toBe(true);
    expect(nestingExceeds({ next: [[]] }, 2)).toBe(true);
  });

  it('FR-011: 100 000 levels are measured without recursion', () => {
    const deep = JSON.parse(`{"input":${'['.repeat(100_000)}${']'.repeat(100_000)}}`) as unknown;
    expect(nestingExceeds(deep, MAX_ENVELOPE_NESTING)).toBe(true);
    expect(nestingExceeds(JSON.parse(`{"x":${'{"k":'.repeat(50_000)}1${'}'.repeat(50_000)}}`), 128)).toBe(
      true,
    );
  });

  it('ignores inherited properties: only what JSON.parse made is visited', () => {
    const raw = JSON.parse('{"__proto__": {"a": {"b": {}}}}') as unknown;
    expect(nestingExceeds(raw, 3)).toBe(true);
    expect(nestingExceeds(raw, 4)).toBe(false);
  });
});
