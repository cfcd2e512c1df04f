import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { fingerprintPath, fingerprintPaths } from '../../../src/core/host/fingerprint.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agent2389-fp-'));
  await mkdir(join(dir, 'lib'));
  await writeFile(join(dir, 'plugin.json'), '{}');
  await writeFile(join(dir, 'lib', 'tool.js'), 'export default 1;');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('fingerprintPath', () => {
  it('is stable while nothing changes', async () => {
    expect(await fingerprintPath(dir)).toBe(await fingerprintPath(dir));
  });

  it('changes when a file deep in the folder changes, appears or goes', async () => {
    const a = await fingerprintPath(dir);
    await writeFile(join(dir, 'lib', 'tool.js'), 'export default 22;');
    const b = await fingerprintPath(dir);
    await writeFile(join(dir, 'lib', 'more.js'), '');
    const c = await fingerprintPath(dir);
    await rm(join(dir, 'lib', 'more.js'));
    const d = await fingerprintPath(dir);
    expect(new Set([a, b, c]).size).toBe(3);
    expect(d).not.toBe(c);
  });

  it('ignores node_modules and .git', async () => {
    const a = await fingerprintPath(dir);
    await mkdir(join(dir, 'node_modules', 'dep'), { recursive: true });
    await writeFile(join(dir, 'node_modules', 'dep', 'index.js'), 'x');
    await mkdir(join(dir, '.git'));
    await writeFile(join(dir, '.git', 'HEAD'), 'x');
    expect(await fingerprintPath(dir)).toBe(a);
  });

  it('fingerprints a single file and a missing path', async () => {
    const file = join(dir, 'plugin.json');
    const a = await fingerprintPath(file);
    await writeFile(file, '{"a":1}');
    expect(await fingerprintPath(file)).not.toBe(a);
    expect(await fingerprintPath(join(dir, 'nope'))).toBe(await fingerprintPath(join(dir, 'nope2')));
    expect(await fingerprintPaths([dir, file])).not.toBe(await fingerprintPaths([file, dir]));
  });
});
