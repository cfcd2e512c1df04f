import { mkdir, open, readdir, readFile, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ToolError } from '@agent2389/tool-sdk';
import { atomicWrite, tempNameFor } from '../../../../src/plugins/tools-builtin/files/atomic-write.js';
import { FOLDER_FLAGS } from '../../../../src/plugins/tools-builtin/files/fd-path.js';
import { fileConfig, fileTools, signal, TempDirs, type FileTools } from './harness.js';

const temp = new TempDirs();
const SIZE = 256 * 1024;
/** Distinct, same-sized contents: a mix of two would contain two different letters. */
const contents = Array.from({ length: 20 }, (_, i) => String.fromCharCode(65 + i).repeat(SIZE));

describe('file_write is atomic', () => {
  let root: string;
  let tools: FileTools;

  beforeEach(async () => {
    root = await temp.make('atomic');
    tools = await fileTools(fileConfig({ allowed_paths: [root] }), await temp.make('data'));
  });
  afterEach(() => temp.cleanup());

  it('concurrent writes to one path leave exactly one of them; readers never see a mix; no temp files remain', async () => {
    await writeFile(path.join(root, 'shared.txt'), 'initial');
    const allowed = new Set(['initial', ...contents]);
    let writing = true;
    const seen: string[] = [];
    const readLoop = async (read: () => Promise<string>): Promise<void> => {
      while (writing) seen.push(await read());
    };
    const readers = Promise.all([
      readLoop(async () => (await tools.read({ path: 'shared.txt' })).content),
      readLoop(async () => (await tools.read({ path: 'shared.txt' })).content),
      readLoop(() => readFile(path.join(root, 'shared.txt'), 'utf8')),
    ]);
    const results = await Promise.allSettled(
      contents.map((content) => tools.write({ path: 'shared.txt', content })),
    ).finally(() => {
      writing = false;
    });
    await readers;
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(contents).toContain(await readFile(path.join(root, 'shared.txt'), 'utf8'));
    expect(seen.length).toBeGreaterThan(0);
    for (const content of seen) expect(allowed.has(content)).toBe(true);
    expect(await readdir(root)).toEqual(['shared.txt']);
  }, 60_000);

  it('with overwrite: false, exactly one of several concurrent creators succeeds', async () => {
    const creators = contents.slice(0, 10);
    const results = await Promise.allSettled(
      creators.map((content) => tools.write({ path: 'once.txt', content, overwrite: false })),
    );
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [creators[i]] : []));
    expect(won).toHaveLength(1);
    expect(await readFile(path.join(root, 'once.txt'), 'utf8')).toBe(won[0]);
    const losers = results.flatMap((r): unknown[] => (r.status === 'rejected' ? [r.reason] : []));
    expect(losers.every((reason) => ToolError.is(reason, 'FILE_EXISTS'))).toBe(true);
    expect(await readdir(root)).toEqual(['once.txt']);
  }, 60_000);

  it('works for a name of 255 bytes (the temp name is shortened)', async () => {
    const name = 'n'.repeat(255);
    expect(tempNameFor(name).length).toBeLessThan(name.length);
    await tools.write({ path: name, content: 'long' });
    expect(await readdir(root)).toEqual([name]);
  });

  describe('on its own (an open folder)', () => {
    let folder: FileHandle;
    const accept = (): Promise<void> => Promise.resolve();
    const options = { mode: 0o600, signal, verify: accept };

    beforeEach(async () => {
      folder = await open(root, FOLDER_FLAGS);
    });
    afterEach(() => folder.close());

    it('removes the temp file when the final rename fails', async () => {
      await mkdir(path.join(root, 'dir'));
      const write = atomicWrite(folder, 'dir', Buffer.from('x'), { ...options, exclusive: false });
      await expect(write).rejects.toMatchObject({ code: 'EISDIR' });
      expect(await readdir(root)).toEqual(['dir']);
    });

    it('removes the temp file when an exclusive link finds the target taken', async () => {
      await writeFile(path.join(root, 'taken.txt'), 'first');
      const write = atomicWrite(folder, 'taken.txt', Buffer.from('second'), { ...options, exclusive: true });
      await expect(write).rejects.toMatchObject({ code: 'EEXIST' });
      expect(await readdir(root)).toEqual(['taken.txt']);
      expect(await readFile(path.join(root, 'taken.txt'), 'utf8')).toBe('first');
    });

    it('writes nothing when the temp file fails verification', async () => {
      const refused = new Error('outside');
      const verify = (): Promise<void> => Promise.reject(refused);
      const write = atomicWrite(folder, 'new.txt', Buffer.from('x'), {
        ...options,
        exclusive: false,
        verify,
      });
      await expect(write).rejects.toBe(refused);
      expect(await readdir(root)).toEqual([]);
    });

    it('removes the placed file again when the folder fails verification after the rename', async () => {
      const refused = new Error('moved out');
      let calls = 0;
      // The temp file and the folder before the rename pass; the check after the rename fails.
      const verify = (): Promise<void> => (++calls < 3 ? Promise.resolve() : Promise.reject(refused));
      for (const exclusive of [false, true]) {
        calls = 0;
        const write = atomicWrite(folder, 'placed.txt', Buffer.from('x'), { ...options, exclusive, verify });
        await expect(write).rejects.toBe(refused);
        expect(await readdir(root)).toEqual([]);
      }
    });
  });
});
