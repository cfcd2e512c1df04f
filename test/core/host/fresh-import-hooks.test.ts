// The resolve hook that re-imports a changed plugin as a whole, and the version rule (fresh-import.ts).
// Under vitest the hook is not registered (the sources are TypeScript): it is called here directly, the
// way Node's loader calls it; test/integration/reload/ covers it registered, in built agents.
import type { ResolveFnOutput } from 'node:module';

import { describe, expect, it } from 'vitest';

import { resolve } from '../../../src/core/host/fresh-import-hooks.js';
import { importVersion } from '../../../src/core/host/fresh-import.js';

const PLUGIN = 'file:///plugins/p';

/** Resolve `specifier` from `parentURL`, where the next resolver maps it to `target`. */
async function resolveFrom(
  specifier: string,
  parentURL: string | undefined,
  target: string,
): Promise<string> {
  const seen: string[] = [];
  const out = await resolve(
    specifier,
    { conditions: [], importAssertions: {}, importAttributes: {}, parentURL },
    (s): ResolveFnOutput => {
      seen.push(s);
      return { url: target, format: 'module' };
    },
  );
  expect(seen).toEqual([specifier]); // always asks the next resolver, with the specifier unchanged
  return out.url;
}

describe('fresh-import resolve hook', () => {
  it('passes the version of a versioned module on to what it imports by relative path', async () => {
    const parent = `${PLUGIN}/index.js?agent2389-v=abc`;
    expect(await resolveFrom('./lib/util.js', parent, `${PLUGIN}/lib/util.js`)).toBe(
      `${PLUGIN}/lib/util.js?agent2389-v=abc`,
    );
    expect(await resolveFrom('../shared.js', parent, 'file:///plugins/shared.js')).toBe(
      'file:///plugins/shared.js?agent2389-v=abc',
    );
  });

  it('keeps other query parameters and does not replace a version already there', async () => {
    const parent = `${PLUGIN}/index.js?agent2389-v=new`;
    expect(await resolveFrom('./a.js', parent, `${PLUGIN}/a.js?x=1`)).toBe(
      `${PLUGIN}/a.js?x=1&agent2389-v=new`,
    );
    expect(await resolveFrom('./a.js', parent, `${PLUGIN}/a.js?agent2389-v=old`)).toBe(
      `${PLUGIN}/a.js?agent2389-v=old`,
    );
  });

  it('leaves packages imported by name shared, even from a versioned module', async () => {
    const parent = `${PLUGIN}/index.js?agent2389-v=abc`;
    expect(await resolveFrom('zod', parent, 'file:///node_modules/zod/index.js')).toBe(
      'file:///node_modules/zod/index.js',
    );
    expect(await resolveFrom('node:fs', parent, 'node:fs')).toBe('node:fs');
  });

  it('changes nothing for an unversioned parent, no parent, or a parent that is not a file', async () => {
    expect(await resolveFrom('./a.js', `${PLUGIN}/index.js`, `${PLUGIN}/a.js`)).toBe(`${PLUGIN}/a.js`);
    expect(await resolveFrom('./a.js', undefined, `${PLUGIN}/a.js`)).toBe(`${PLUGIN}/a.js`);
    expect(await resolveFrom('./a.js', 'data:text/javascript,?agent2389-v=abc', `${PLUGIN}/a.js`)).toBe(
      `${PLUGIN}/a.js`,
    );
  });
});

describe('importVersion', () => {
  it('imports a plugin folder under its plain URL until its files change, then under the new fingerprint', () => {
    const dir = `/plugins/version-test-${Math.random()}`;
    expect(importVersion(dir, 'f1')).toBeUndefined(); // first import
    expect(importVersion(dir, 'f1')).toBeUndefined(); // unchanged: the cached module
    expect(importVersion(dir, 'f2')).toBe('f2'); // changed: a fresh instance
    expect(importVersion(dir, 'f1')).toBeUndefined(); // back as first seen: the first instance again
  });
});
