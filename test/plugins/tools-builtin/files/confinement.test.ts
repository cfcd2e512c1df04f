import { lstat, mkdir, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { fileConfig, fileTools, TempDirs, toolError, visible, type FileTools } from './harness.js';

const temp = new TempDirs();

describe('file tools: paths stay inside the roots', () => {
  let base: string;
  let root: string;
  let outside: string;
  let tools: FileTools;

  beforeEach(async () => {
    base = await temp.make('confine');
    root = path.join(base, 'root');
    outside = path.join(base, 'outside');
    await mkdir(path.join(root, 'a'), { recursive: true });
    await mkdir(outside);
    await mkdir(`${root}-evil`);
    await writeFile(path.join(outside, 'secret.txt'), 'classified');
    await writeFile(path.join(`${root}-evil`, 'x.txt'), 'evil');
    await writeFile(path.join(root, 'inside.txt'), 'inside');
    tools = await fileTools(fileConfig({ allowed_paths: [root] }), await temp.make('data'));
  });
  afterEach(() => temp.cleanup());

  const outsideUnchanged = async (): Promise<void> => {
    expect(await readdir(outside)).toEqual(['secret.txt']);
    expect(await readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('classified');
    expect(await readdir(base)).toEqual(['outside', 'root', 'root-evil']);
  };

  it.each([['../outside/secret.txt'], ['a/../../outside/secret.txt'], ['../outside.txt'], ['a/../../x']])(
    'refuses %s (.. traversal) for read, write and list',
    async (p) => {
      expect((await toolError(tools.read({ path: p }))).code).toBe('FILE_OUTSIDE_ROOTS');
      expect((await toolError(tools.write({ path: p, content: 'x' }))).code).toBe('FILE_OUTSIDE_ROOTS');
      expect((await toolError(tools.write({ path: p, content: 'x', create_dirs: true }))).code).toBe(
        'FILE_OUTSIDE_ROOTS',
      );
      expect((await toolError(tools.list({ path: p }))).code).toBe('FILE_OUTSIDE_ROOTS');
      await outsideUnchanged();
    },
  );

  it('refuses an absolute path outside the root and a sibling folder sharing its name as prefix', async () => {
    for (const p of [path.join(outside, 'secret.txt'), path.join(`${root}-evil`, 'x.txt'), '/etc/passwd']) {
      expect((await toolError(tools.read({ path: p }))).code).toBe('FILE_OUTSIDE_ROOTS');
      expect((await toolError(tools.write({ path: p, content: 'x' }))).code).toBe('FILE_OUTSIDE_ROOTS');
    }
    expect((await toolError(tools.list({ path: `${root}-evil` }))).code).toBe('FILE_OUTSIDE_ROOTS');
    expect((await toolError(tools.list({ path: '..' }))).code).toBe('FILE_OUTSIDE_ROOTS');
    expect(await readFile(path.join(`${root}-evil`, 'x.txt'), 'utf8')).toBe('evil');
    await outsideUnchanged();
  });

  it('accepts an absolute path inside the root and a .. that stays inside', async () => {
    expect((await tools.read({ path: path.join(root, 'inside.txt') })).content).toBe('inside');
    expect((await tools.read({ path: 'a/../inside.txt' })).content).toBe('inside');
    expect(await tools.list({ path: 'a/..' })).toMatchObject({ path: '.' });
  });

  it('refuses a NUL byte in the path', async () => {
    expect((await toolError(tools.read({ path: 'inside.txt\0.png' }))).code).toBe('FILE_INVALID_PATH');
    expect((await toolError(tools.write({ path: 'x\0', content: 'x' }))).code).toBe('FILE_INVALID_PATH');
    expect((await toolError(tools.list({ path: '\0' }))).code).toBe('FILE_INVALID_PATH');
  });

  describe('symlinks inside the root pointing outside', () => {
    beforeEach(async () => {
      await symlink(path.join(outside, 'secret.txt'), path.join(root, 'file-link'));
      await symlink(outside, path.join(root, 'dir-link'));
      await symlink('../../outside', path.join(root, 'a', 'relative-dir-link'));
      await symlink(path.join(outside, 'missing.txt'), path.join(root, 'dangling-link'));
      await symlink(path.join(outside, 'missing-dir'), path.join(root, 'dangling-dir-link'));
    });

    /** The refusal, checked to reveal nothing of the outside folder. */
    const refused = async (p: Promise<unknown>): Promise<void> => {
      const err = await toolError(p);
      expect(err.code).toBe('FILE_OUTSIDE_ROOTS');
      expect(visible(err)).not.toContain(outside);
      expect(visible(err)).not.toContain('classified');
    };

    it('refuses reading through them', async () => {
      await refused(tools.read({ path: 'file-link' }));
      await refused(tools.read({ path: 'dir-link/secret.txt' }));
      await refused(tools.read({ path: 'a/relative-dir-link/secret.txt' }));
      await refused(tools.read({ path: 'dir-link/missing.txt' }));
      await refused(tools.read({ path: 'dir-link/secret.txt/x' }));
    });

    it('refuses writing through them and into them; the outside is unchanged', async () => {
      await refused(tools.write({ path: 'file-link', content: 'pwned' }));
      await refused(tools.write({ path: 'dir-link/secret.txt', content: 'pwned' }));
      await refused(tools.write({ path: 'dir-link/new.txt', content: 'pwned' }));
      await refused(tools.write({ path: 'dir-link/sub/new.txt', content: 'pwned', create_dirs: true }));
      await refused(tools.write({ path: 'a/relative-dir-link/new.txt', content: 'pwned' }));
      await refused(tools.write({ path: 'dangling-link', content: 'pwned' }));
      await refused(tools.write({ path: 'dangling-dir-link/new.txt', content: 'pwned', create_dirs: true }));
      await outsideUnchanged();
      expect(await readlink(path.join(root, 'file-link'))).toBe(path.join(outside, 'secret.txt'));
    });

    it('refuses listing them', async () => {
      await refused(tools.list({ path: 'dir-link' }));
      await refused(tools.list({ path: 'a/relative-dir-link' }));
    });

    it('lists them as symlinks and never follows them while recursing', async () => {
      const out = await tools.list({ recursive: true });
      expect(out.entries).toEqual([
        { path: 'a', type: 'directory' },
        { path: 'a/relative-dir-link', type: 'symlink' },
        { path: 'dangling-dir-link', type: 'symlink' },
        { path: 'dangling-link', type: 'symlink' },
        { path: 'dir-link', type: 'symlink' },
        { path: 'file-link', type: 'symlink' },
        { path: 'inside.txt', type: 'file', size: 6 },
      ]);
      expect(JSON.stringify(out)).not.toContain('classified');
    });
  });

  describe('symlinks staying inside the root', () => {
    beforeEach(async () => {
      await writeFile(path.join(root, 'a', 'target.txt'), 'target');
      await symlink('a/target.txt', path.join(root, 'link.txt'));
      await symlink(path.join(root, 'a'), path.join(root, 'a-link'));
    });

    it('read and list follow them', async () => {
      expect(await tools.read({ path: 'link.txt' })).toMatchObject({
        path: 'a/target.txt',
        content: 'target',
      });
      expect(await tools.read({ path: 'a-link/target.txt' })).toMatchObject({ content: 'target' });
      expect((await tools.list({ path: 'a-link' })).entries).toEqual([
        { path: 'target.txt', type: 'file', size: 6 },
      ]);
    });

    it('writing into a linked folder works; writing to a file link replaces the link itself', async () => {
      await tools.write({ path: 'a-link/new.txt', content: 'new' });
      expect(await readFile(path.join(root, 'a', 'new.txt'), 'utf8')).toBe('new');
      expect(await tools.write({ path: 'link.txt', content: 'replaced' })).toEqual({
        path: 'link.txt',
        bytes_written: 8,
        created: false,
      });
      expect((await lstat(path.join(root, 'link.txt'))).isFile()).toBe(true);
      expect(await readFile(path.join(root, 'link.txt'), 'utf8')).toBe('replaced');
      expect(await readFile(path.join(root, 'a', 'target.txt'), 'utf8')).toBe('target');
    });
  });
});
