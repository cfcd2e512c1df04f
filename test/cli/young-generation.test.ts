// The V8 behaviour src/cli/young-generation.ts relies on, checked against this Node's V8 in fresh
// processes: the growth-factor flag exists with the default we restore, setting it at run time
// holds the young generation at its initial size through an allocation burst, and restoring it lets
// the young generation grow again.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { afterAll, describe, expect, it } from 'vitest';

import {
  HOLD_YOUNG_GENERATION,
  RELEASE_YOUNG_GENERATION,
  releaseYoungGeneration,
} from '../../src/cli/young-generation.js';

// Importing the module held this (shared) process's young generation: let it go.
releaseYoungGeneration();
afterAll(releaseYoungGeneration);

const run = promisify(execFile);

/** In a fresh node: new-space size at start, after a burst of surviving objects, and after another. */
const CHILD = `
const v8 = require('node:v8');
const [hold, release] = process.argv.slice(1);
const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
const burst = () => { const keep = []; for (let i = 0; i < 300000; i++) keep.push({ i, s: 'x' + i }); return keep.length; };
if (hold) v8.setFlagsFromString(hold);
const start = newSpace();
burst();
const held = newSpace();
if (release) v8.setFlagsFromString(release);
burst();
console.log(JSON.stringify({ start, held, released: newSpace() }));
`;

async function newSpaceSizes(...flags: string[]): Promise<{ start: number; held: number; released: number }> {
  const { stdout } = await run(process.execPath, ['-e', CHILD, '--', ...flags]); // after --: the script's, not node's
  return JSON.parse(stdout) as { start: number; held: number; released: number };
}

function assertV8(ok: boolean, what: string): void {
  if (!ok) throw new Error(`V8 no longer ${what}: see src/cli/young-generation.ts`);
}

describe('the V8 flag young-generation.ts sets at run time', () => {
  it('exists, and its default is the value releaseYoungGeneration restores', async () => {
    const { stdout } = await run(process.execPath, ['--v8-options']);
    const flag = RELEASE_YOUNG_GENERATION.split('=')[0]!;
    assertV8(stdout.includes(`default: ${RELEASE_YOUNG_GENERATION}\n`), `has ${flag} with that default`);
    expect(HOLD_YOUNG_GENERATION.startsWith(`${flag}=`)).toBe(true);
  });

  it('holds the young generation through a burst when set at run time, and lets it grow when restored', async () => {
    const free = await newSpaceSizes();
    const held = await newSpaceSizes(HOLD_YOUNG_GENERATION, RELEASE_YOUNG_GENERATION);
    assertV8(free.held > free.start, 'grows the young generation through a burst (nothing to hold back)');
    assertV8(held.held < free.held, `holds the young generation back with ${HOLD_YOUNG_GENERATION}`);
    assertV8(held.released > held.held, `lets it grow again with ${RELEASE_YOUNG_GENERATION}`);
  });
});
