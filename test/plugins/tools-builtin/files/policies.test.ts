import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { silentLogger } from '../../../../src/core/observability/silent-logger.js';
import { createFileWriteTool } from '../../../../src/plugins/tools-builtin/files/file-tools.js';
import { needs } from '../../../helpers/require-tool.js';
import { fileConfig, fileTools, signal, TempDirs, toolError, type FileTools } from './harness.js';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

describe('file tools: size limits', () => {
  let root: string;
  let tools: FileTools;

  beforeEach(async () => {
    root = await temp.make();
    tools = await fileTools(
      fileConfig({ allowed_paths: [root], max_file_size: 10 }),
      await temp.make('data'),
    );
  });

  it('reads a file of exactly max_file_size; one byte more is FILE_TOO_LARGE', async () => {
    await writeFile(path.join(root, 'ten.txt'), '0123456789');
    await writeFile(path.join(root, 'eleven.txt'), '0123456789A');
    expect((await tools.read({ path: 'ten.txt' })).size).toBe(10);
    expect((await toolError(tools.read({ path: 'eleven.txt' }))).code).toBe('FILE_TOO_LARGE');
  });

  it('writing more than max_file_size bytes is FILE_TOO_LARGE and writes nothing', async () => {
    expect((await toolError(tools.write({ path: 'big.txt', content: 'x'.repeat(11) }))).code).toBe(
      'FILE_TOO_LARGE',
    );
    // 4 characters, 12 bytes in UTF-8: bytes are what count
    expect((await toolError(tools.write({ path: 'big.txt', content: '€€€€' }))).code).toBe('FILE_TOO_LARGE');
    const elevenBytes = Buffer.alloc(11, 1).toString('base64');
    const err = await toolError(tools.write({ path: 'big.bin', content: elevenBytes, encoding: 'base64' }));
    expect(err.code).toBe('FILE_TOO_LARGE');
    expect(await readdir(root)).toEqual([]);
    // base64 text longer than the limit is fine when the decoded bytes fit
    const tenBytes = Buffer.alloc(10, 2).toString('base64');
    expect(tenBytes.length).toBeGreaterThan(10);
    expect(await tools.write({ path: 'ok.bin', content: tenBytes, encoding: 'base64' })).toMatchObject({
      bytes_written: 10,
    });
  });

  it('an oversized existing file is not replaced', async () => {
    await writeFile(path.join(root, 'keep.txt'), 'keep');
    await toolError(tools.write({ path: 'keep.txt', content: 'y'.repeat(100) }));
    expect(await readFile(path.join(root, 'keep.txt'), 'utf8')).toBe('keep');
  });
});

describe('file tools: write policies and error codes', () => {
  let root: string;
  let tools: FileTools;

  beforeEach(async () => {
    root = await temp.make();
    await mkdir(path.join(root, 'dir'));
    await writeFile(path.join(root, 'existing.txt'), 'old');
    tools = await fileTools(fileConfig({ allowed_paths: [root] }), await temp.make('data'));
  });

  it('read_only refuses every write with FILE_READ_ONLY', async () => {
    const ro = await fileTools(
      fileConfig({ allowed_paths: [root], read_only: true }),
      await temp.make('data'),
    );
    expect((await toolError(ro.write({ path: 'new.txt', content: 'x' }))).code).toBe('FILE_READ_ONLY');
    expect((await toolError(ro.write({ path: 'existing.txt', content: 'x' }))).code).toBe('FILE_READ_ONLY');
    expect((await toolError(ro.write({ path: '../x.txt', content: 'x' }))).code).toBe('FILE_READ_ONLY');
    expect((await ro.read({ path: 'existing.txt' })).content).toBe('old');
    expect((await ro.list()).entries.map((e) => e.path)).toEqual(['dir', 'existing.txt']);
    expect(await readFile(path.join(root, 'existing.txt'), 'utf8')).toBe('old');
  });

  it('overwrite: false on an existing file is FILE_EXISTS; on a new file it creates it', async () => {
    const err = await toolError(tools.write({ path: 'existing.txt', content: 'new', overwrite: false }));
    expect(err.code).toBe('FILE_EXISTS');
    expect(await readFile(path.join(root, 'existing.txt'), 'utf8')).toBe('old');
    expect(await tools.write({ path: 'fresh.txt', content: 'f', overwrite: false })).toMatchObject({
      created: true,
    });
    expect(await readFile(path.join(root, 'fresh.txt'), 'utf8')).toBe('f');
    expect((await stat(path.join(root, 'fresh.txt'))).nlink).toBe(1);
  });

  it('a missing parent is FILE_PARENT_MISSING unless create_dirs', async () => {
    const err = await toolError(tools.write({ path: 'x/y/z.txt', content: 'z' }));
    expect(err.code).toBe('FILE_PARENT_MISSING');
    expect(await readdir(root)).toEqual(['dir', 'existing.txt']);
    expect(await tools.write({ path: 'x/y/z.txt', content: 'z', create_dirs: true })).toEqual({
      path: 'x/y/z.txt',
      bytes_written: 1,
      created: true,
    });
    expect(await readFile(path.join(root, 'x', 'y', 'z.txt'), 'utf8')).toBe('z');
  });

  it('a parent that is a file is FILE_PARENT_MISSING, with or without create_dirs', async () => {
    for (const create_dirs of [false, true]) {
      const err = await toolError(tools.write({ path: 'existing.txt/z.txt', content: 'z', create_dirs }));
      expect(err.code).toBe('FILE_PARENT_MISSING');
    }
  });

  it('reading or writing a folder is FILE_NOT_A_FILE', async () => {
    expect((await toolError(tools.read({ path: 'dir' }))).code).toBe('FILE_NOT_A_FILE');
    expect((await toolError(tools.read({ path: '.' }))).code).toBe('FILE_NOT_A_FILE');
    expect((await toolError(tools.write({ path: 'dir', content: 'x' }))).code).toBe('FILE_NOT_A_FILE');
    expect((await toolError(tools.write({ path: '.', content: 'x' }))).code).toBe('FILE_NOT_A_FILE');
    expect((await stat(path.join(root, 'dir'))).isDirectory()).toBe(true);
  });

  it('listing a file is FILE_NOT_A_DIRECTORY', async () => {
    expect((await toolError(tools.list({ path: 'existing.txt' }))).code).toBe('FILE_NOT_A_DIRECTORY');
  });

  it('a missing file or folder is FILE_NOT_FOUND', async () => {
    expect((await toolError(tools.read({ path: 'nope.txt' }))).code).toBe('FILE_NOT_FOUND');
    expect((await toolError(tools.read({ path: 'nope/deeper.txt' }))).code).toBe('FILE_NOT_FOUND');
    expect((await toolError(tools.read({ path: 'existing.txt/x' }))).code).toBe('FILE_NOT_FOUND');
    expect((await toolError(tools.list({ path: 'nope' }))).code).toBe('FILE_NOT_FOUND');
  });

  needs('non-root').it('an unreadable file is FILE_IO_FAILED without the real path', async () => {
    await writeFile(path.join(root, 'locked.txt'), 'x', { mode: 0o000 });
    const err = await toolError(tools.read({ path: 'locked.txt' }));
    expect(err.code).toBe('FILE_IO_FAILED');
    expect(err.data).toEqual({ path: 'locked.txt', errno: 'EACCES' });
    expect(err.message).not.toContain(root);
  });

  it('other fs failures are FILE_IO_FAILED with the errno code and no real path', async () => {
    const name = 'n'.repeat(300);
    for (const err of [
      await toolError(tools.read({ path: name })),
      await toolError(tools.write({ path: name, content: 'x' })),
      await toolError(tools.list({ path: name })),
    ]) {
      expect(err.code).toBe('FILE_IO_FAILED');
      expect(err.data).toEqual({ path: name, errno: 'ENAMETOOLONG' });
      expect(err.message).not.toContain(root);
    }
  });

  it('an aborted call does nothing', async () => {
    const write = createFileWriteTool();
    const init = { log: silentLogger, signal, agentId: 'a', dataDir: root };
    await write.initialize?.(fileConfig({ allowed_paths: [root] }), init);
    const aborted = { callId: 'c', signal: AbortSignal.abort(), log: silentLogger };
    await expect(write.execute({ path: 'aborted.txt', content: 'x' }, aborted)).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(await readdir(root)).toEqual(['dir', 'existing.txt']);
  });
});

describe('file_list', () => {
  let root: string;

  beforeEach(async () => {
    root = await temp.make();
    await mkdir(path.join(root, 'b', 'inner'), { recursive: true });
    await mkdir(path.join(root, 'a-dir'));
    await writeFile(path.join(root, 'b', 'inner', 'deep.txt'), 'deep');
    await writeFile(path.join(root, 'b', 'z.txt'), 'zz');
    await writeFile(path.join(root, 'c.txt'), 'ccc');
    await writeFile(path.join(root, 'B.txt'), 'B');
  });

  it('lists one level, sorted by name, with sizes for files', async () => {
    const tools = await fileTools(fileConfig({ allowed_paths: [root] }), await temp.make('data'));
    expect(await tools.list()).toEqual({
      path: '.',
      entries: [
        { path: 'B.txt', type: 'file', size: 1 },
        { path: 'a-dir', type: 'directory' },
        { path: 'b', type: 'directory' },
        { path: 'c.txt', type: 'file', size: 3 },
      ],
      truncated: false,
    });
    expect(await tools.list({ path: 'b' })).toEqual({
      path: 'b',
      entries: [
        { path: 'inner', type: 'directory' },
        { path: 'z.txt', type: 'file', size: 2 },
      ],
      truncated: false,
    });
  });

  it('recursive: each folder is followed by its own entries, paths relative to the listed folder', async () => {
    const tools = await fileTools(fileConfig({ allowed_paths: [root] }), await temp.make('data'));
    expect((await tools.list({ recursive: true })).entries.map((e) => e.path)).toEqual([
      'B.txt',
      'a-dir',
      'b',
      'b/inner',
      'b/inner/deep.txt',
      'b/z.txt',
      'c.txt',
    ]);
    expect((await tools.list({ path: 'b', recursive: true })).entries).toEqual([
      { path: 'inner', type: 'directory' },
      { path: 'inner/deep.txt', type: 'file', size: 4 },
      { path: 'z.txt', type: 'file', size: 2 },
    ]);
  });

  it('stops at max_entries with truncated: true', async () => {
    const tools = await fileTools(
      fileConfig({ allowed_paths: [root], max_entries: 4 }),
      await temp.make('data'),
    );
    expect(await tools.list({ recursive: true })).toMatchObject({
      entries: [{ path: 'B.txt' }, { path: 'a-dir' }, { path: 'b' }, { path: 'b/inner' }],
      truncated: true,
    });
    expect(await tools.list()).toMatchObject({ truncated: false });
    expect((await tools.list()).entries).toHaveLength(4);
  });

  it('reports special files as other and refuses to read them without blocking', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path.join(root, 'sock'), resolve));
    execFileSync('mkfifo', [path.join(root, 'fifo')]);
    try {
      const tools = await fileTools(fileConfig({ allowed_paths: [root] }), await temp.make('data'));
      const entries = (await tools.list()).entries;
      expect(entries).toContainEqual({ path: 'sock', type: 'other' });
      expect(entries).toContainEqual({ path: 'fifo', type: 'other' });
      expect((await toolError(tools.read({ path: 'sock' }))).code).toBe('FILE_NOT_A_FILE');
      expect((await toolError(tools.read({ path: 'fifo' }))).code).toBe('FILE_NOT_A_FILE');
      expect((await toolError(tools.write({ path: 'fifo', content: 'x' }))).code).toBe('FILE_NOT_A_FILE');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
