// Guard: under vitest the script executor forks the script host bundled from the current source by
// test/global-setup.ts, never the (possibly stale) copy in dist/.
import { readFileSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';

import { SCRIPT_HOST_ENTRY_ENV, hostEntry } from '../../../src/core/sandbox/script-host/host-process.js';
import { builtFromSource } from '../../helpers/source-build.js';

const saved = process.env[SCRIPT_HOST_ENTRY_ENV];
afterEach(() => {
  if (saved === undefined) delete process.env[SCRIPT_HOST_ENTRY_ENV];
  else process.env[SCRIPT_HOST_ENTRY_ENV] = saved;
});

describe('hostEntry under vitest', () => {
  it('is the script host bundled from the current source for this run', () => {
    const entry = hostEntry();
    expect(entry).toBe(builtFromSource('script-host'));
    expect(entry).not.toContain('/dist/');
    expect(statSync(entry).isFile()).toBe(true);
    // The bundle holds the script host's own modules (rolldown marks each with its source path).
    expect(readFileSync(entry, 'utf8')).toContain('// src/core/sandbox/script-host/main.ts');
  });

  it('refuses to guess (no fallback to dist/) when no built entry is named', () => {
    delete process.env[SCRIPT_HOST_ENTRY_ENV];
    expect(() => hostEntry()).toThrow();
  });
});
