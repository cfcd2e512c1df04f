import { mkdir, open, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ToolError } from '@agent2389/tool-sdk';
import {
  openChildFolder,
  openInRoots,
  verifyInRoots,
} from '../../../../src/plugins/tools-builtin/files/confined-fd.js';
import { checkFdPaths, FOLDER_FLAGS } from '../../../../src/plugins/tools-builtin/files/fd-path.js';
import type { Root } from '../../../../src/plugins/tools-builtin/files/roots.js';
import { TempDirs, toolError } from './harness.js';

const temp = new TempDirs();

// What a call sees when a folder was swapped for a symlink after its path check: the open goes through it.
describe('confined-fd: what was opened is checked through its descriptor', () => {
  let root: string;
  let outside: string;
  let roots: Root[];

  beforeEach(async () => {
    root = await temp.make('fd-root');
    outside = await temp.make('fd-outside');
    roots = [{ given: root, real: root }];
    await mkdir(path.join(root, 'sub'));
    await writeFile(path.join(root, 'sub', 'f.txt'), 'inside');
    await writeFile(path.join(outside, 'f.txt'), 'outside');
    await symlink(outside, path.join(root, 'swapped'));
  });
  afterEach(() => temp.cleanup());

  it('accepts a file or folder inside a root and returns the path the kernel reports', async () => {
    const file = await openInRoots(path.join(root, 'sub', 'f.txt'), 'sub/f.txt', roots);
    expect(await verifyInRoots(file, 'sub/f.txt', roots)).toBe(path.join(root, 'sub', 'f.txt'));
    await file.close();
    const folder = await openInRoots(root, '.', roots, FOLDER_FLAGS);
    expect(await verifyInRoots(folder, '.', roots)).toBe(root);
    await folder.close();
  });

  it('refuses a file reached through a swapped folder with FILE_OUTSIDE_ROOTS', async () => {
    const err = await toolError(openInRoots(path.join(root, 'swapped', 'f.txt'), 'swapped/f.txt', roots));
    expect(err.code).toBe('FILE_OUTSIDE_ROOTS');
    expect(err.data).toEqual({ path: 'swapped/f.txt' });
  });

  it('refuses a folder reached through a swapped folder, and never opens a symlink as a child folder', async () => {
    const viaLink = openInRoots(path.join(root, 'swapped'), 'swapped', roots, FOLDER_FLAGS);
    await expect(viaLink).rejects.toMatchObject({ code: 'ENOTDIR' }); // O_NOFOLLOW as the last component
    const through = openInRoots(`${path.join(root, 'swapped')}/`, 'swapped', roots, FOLDER_FLAGS);
    expect((await toolError(through)).code).toBe('FILE_OUTSIDE_ROOTS');
    const parent = await openInRoots(root, '.', roots, FOLDER_FLAGS);
    try {
      await expect(openChildFolder(parent, 'swapped', 'swapped', roots)).rejects.toMatchObject({
        code: 'ENOTDIR',
      });
      const child = await openChildFolder(parent, 'sub', 'sub', roots);
      expect(await verifyInRoots(child, 'sub', roots)).toBe(path.join(root, 'sub'));
      await child.close();
    } finally {
      await parent.close();
    }
  });

  it('a handle on something outside fails verification', async () => {
    const handle = await openInRoots(outside, '.', [{ given: outside, real: outside }], FOLDER_FLAGS);
    try {
      const err = await toolError(verifyInRoots(handle, 'x', roots));
      expect(ToolError.is(err, 'FILE_OUTSIDE_ROOTS')).toBe(true);
    } finally {
      await handle.close();
    }
    expect((await readdir(outside)).sort()).toEqual(['f.txt']);
  });

  it('checkFdPaths accepts real root paths and refuses one whose descriptor reports another path', async () => {
    await expect(checkFdPaths([root, outside])).resolves.toBeUndefined();
    const throughLink = `${path.join(root, 'swapped')}/`; // opens fine (the trailing / follows the link)…
    await (await open(throughLink, FOLDER_FLAGS)).close();
    await expect(checkFdPaths([throughLink])).rejects.toThrow(); // …but reports the outside folder
  });
});
