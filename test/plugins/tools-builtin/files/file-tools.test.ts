import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { Ajv } from 'ajv';
import { afterEach, describe, expect, it } from 'vitest';

import { silentLogger } from '../../../../src/core/observability/silent-logger.js';
import {
  createFileListTool,
  createFileReadTool,
  createFileWriteTool,
} from '../../../../src/plugins/tools-builtin/files/file-tools.js';
import { describeFromManifest } from '../../../../src/plugins/tools-builtin/manifest-tools.js';
import { fileConfig, fileTools, signal, TempDirs } from './harness.js';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

describe('file tools: round trips', () => {
  it('describe() is the manifest entry of each tool', () => {
    expect(createFileReadTool().describe()).toEqual(describeFromManifest('file_read'));
    expect(createFileWriteTool().describe()).toEqual(describeFromManifest('file_write'));
    expect(createFileListTool().describe()).toEqual(describeFromManifest('file_list'));
    const validate = new Ajv({ strict: false }).compile(createFileWriteTool().describe().parameters);
    expect(validate({ path: 'a.txt', content: 'x' })).toBe(true);
    expect(validate({ path: 'a.txt' })).toBe(false);
  });

  it('writes, reads back and lists a utf8 file', async () => {
    const root = await temp.make();
    const tools = await fileTools(fileConfig({ allowed_paths: [root] }), await temp.make('data'));
    const text = 'héllo "wörld"\nline 2\n';
    expect(await tools.write({ path: 'notes.txt', content: text })).toEqual({
      path: 'notes.txt',
      bytes_written: Buffer.byteLength(text),
      created: true,
    });
    expect(await readFile(path.join(root, 'notes.txt'), 'utf8')).toBe(text);
    expect(await tools.read({ path: 'notes.txt' })).toEqual({
      path: 'notes.txt',
      size: Buffer.byteLength(text),
      encoding: 'utf8',
      content: text,
    });
    expect(await tools.list()).toEqual({
      path: '.',
      entries: [{ path: 'notes.txt', type: 'file', size: Buffer.byteLength(text) }],
      truncated: false,
    });
  });

  it('writes and reads binary content as base64', async () => {
    const root = await temp.make();
    const tools = await fileTools(fileConfig({ allowed_paths: [root] }), await temp.make('data'));
    const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 13, 0x80]);
    const out = await tools.write({
      path: 'blob.bin',
      content: bytes.toString('base64'),
      encoding: 'base64',
    });
    expect(out).toEqual({ path: 'blob.bin', bytes_written: bytes.length, created: true });
    expect(Buffer.compare(await readFile(path.join(root, 'blob.bin')), bytes)).toBe(0);
    const read = await tools.read({ path: 'blob.bin', encoding: 'base64' });
    expect(read).toEqual({
      path: 'blob.bin',
      size: bytes.length,
      encoding: 'base64',
      content: bytes.toString('base64'),
    });
  });

  it('overwriting reports created: false and keeps the file mode', async () => {
    const root = await temp.make();
    await writeFile(path.join(root, 'f.txt'), 'old', { mode: 0o640 });
    const tools = await fileTools(fileConfig({ allowed_paths: [root] }), await temp.make('data'));
    expect(await tools.write({ path: 'f.txt', content: 'new' })).toMatchObject({ created: false });
    expect(await readFile(path.join(root, 'f.txt'), 'utf8')).toBe('new');
    expect((await stat(path.join(root, 'f.txt'))).mode & 0o777).toBe(0o640);
  });

  it('without allowed_paths the root is the agent data dir, created when missing', async () => {
    const dataDir = path.join(await temp.make('data'), 'agents', 'a1');
    const tools = await fileTools(fileConfig(), dataDir);
    expect((await stat(dataDir)).isDirectory()).toBe(true);
    await tools.write({ path: 'memo.md', content: '# memo' });
    expect(await readFile(path.join(dataDir, 'memo.md'), 'utf8')).toBe('# memo');
    expect((await tools.read({ path: path.join(dataDir, 'memo.md') })).content).toBe('# memo');
  });

  it('a relative allowed_paths entry is a folder inside the data dir', async () => {
    const dataDir = await temp.make('data');
    await mkdir(path.join(dataDir, 'workspace'));
    const tools = await fileTools(fileConfig({ allowed_paths: ['workspace'] }), dataDir);
    await tools.write({ path: 'a.txt', content: 'A' });
    expect(await readFile(path.join(dataDir, 'workspace', 'a.txt'), 'utf8')).toBe('A');
  });

  it('with several roots, relative paths go to the first and results show absolute paths', async () => {
    const [first, second] = [await temp.make('one'), await temp.make('two')];
    await writeFile(path.join(second, 'b.txt'), 'B');
    const tools = await fileTools(fileConfig({ allowed_paths: [first, second] }), await temp.make('data'));
    expect(await tools.write({ path: 'a.txt', content: 'A' })).toMatchObject({
      path: path.join(first, 'a.txt'),
    });
    expect(await readFile(path.join(first, 'a.txt'), 'utf8')).toBe('A');
    expect(await tools.read({ path: path.join(second, 'b.txt') })).toMatchObject({
      path: path.join(second, 'b.txt'),
      content: 'B',
    });
    expect(await tools.write({ path: path.join(second, 'c.txt'), content: 'C' })).toMatchObject({
      path: path.join(second, 'c.txt'),
    });
    expect(await tools.list({ path: second })).toEqual({
      path: second,
      entries: [
        { path: 'b.txt', type: 'file', size: 1 },
        { path: 'c.txt', type: 'file', size: 1 },
      ],
      truncated: false,
    });
  });

  it('treats a missing optional input field as its schema default', async () => {
    const root = await temp.make();
    const dataDir = await temp.make('data');
    const init = { log: silentLogger, signal, agentId: 'a', dataDir };
    const call = { callId: 'c', signal, log: silentLogger };
    const write = createFileWriteTool();
    const read = createFileReadTool();
    const list = createFileListTool();
    await write.initialize?.({ allowed_paths: [root] }, init);
    await read.initialize?.({ allowed_paths: [root] }, init);
    await list.initialize?.({ allowed_paths: [root] }, init);
    await write.execute({ path: 'x.txt', content: 'x' }, call);
    expect(await read.execute({ path: 'x.txt' }, call)).toMatchObject({ encoding: 'utf8', content: 'x' });
    expect(await list.execute({}, call)).toMatchObject({ path: '.', entries: [{ path: 'x.txt' }] });
  });
});
