// Removing a call's work dir: at once when empty, emptied first otherwise, and a coded failure (never a
// throw) when the tool's user cannot empty it.
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createWorkDir, removeWorkDir } from '../../../src/core/sandbox/work-dir.js';
import { needs } from '../../helpers/require-tool.js';

const NOBODY = { uid: 65534, gid: 65534 };
let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'agent2389-workdir-'));
  await chmod(base, 0o755);
});
afterAll(() => rm(base, { recursive: true, force: true }));

describe('createWorkDir and removeWorkDir (as the agent’s own user)', () => {
  it('creates a private dir under the base and removes it when the tool left it empty', async () => {
    const dir = await createWorkDir(base, undefined);
    expect(dir.startsWith(join(base, 'agent2389-tool-'))).toBe(true);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(await removeWorkDir(dir, undefined)).toBeUndefined();
    expect(existsSync(dir)).toBe(false);
  });

  it('empties a dir the tool filled (nested folders, files) before removing it', async () => {
    const dir = await createWorkDir(base, undefined);
    await mkdir(join(dir, 'a/b/c'), { recursive: true });
    await writeFile(join(dir, 'a/b/c/file'), 'x');
    await writeFile(join(dir, 'top'), 'y');
    expect(await removeWorkDir(dir, undefined)).toBeUndefined();
    expect(existsSync(dir)).toBe(false);
  });

  it('is done when the dir is already gone', async () => {
    expect(await removeWorkDir(join(base, 'never-created'), undefined)).toBeUndefined();
  });
});

needs('root').describe('removeWorkDir as an unprivileged tool user', () => {
  it('hands the dir to the tool user, who can empty it', async () => {
    const dir = await createWorkDir(base, NOBODY);
    expect(await stat(dir)).toMatchObject({ uid: NOBODY.uid, gid: NOBODY.gid });
    await writeFile(join(dir, 'left-behind'), 'z');
    await chmod(join(dir, 'left-behind'), 0o644);
    expect(await removeWorkDir(dir, NOBODY)).toBeUndefined();
    expect(existsSync(dir)).toBe(false);
  });

  it('reports (does not throw) a dir the tool user cannot empty, and deletes nothing it could not', async () => {
    // Root's own folder and file: the tool's user may neither delete nor chmod them.
    const dir = await mkdtemp(join(base, 'roots-'));
    await chmod(dir, 0o755);
    await writeFile(join(dir, 'root-file'), 'keep');
    const reason = await removeWorkDir(dir, NOBODY);
    expect(reason).toEqual(expect.stringContaining(dir));
    expect(existsSync(join(dir, 'root-file'))).toBe(true);
  });
});
