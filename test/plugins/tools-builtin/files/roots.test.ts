import { mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { silentLogger } from '../../../../src/core/observability/silent-logger.js';
import { createFileReadTool } from '../../../../src/plugins/tools-builtin/files/file-tools.js';
import { resolveReal } from '../../../../src/plugins/tools-builtin/files/real-path.js';
import { isWithin, resolveRoots } from '../../../../src/plugins/tools-builtin/files/roots.js';
import { fileConfig, fileTools, signal, TempDirs } from './harness.js';

const temp = new TempDirs();
afterEach(() => temp.cleanup());

const initialize = async (config: Record<string, unknown>, dataDir: string): Promise<void> =>
  createFileReadTool().initialize?.(config, { log: silentLogger, signal, agentId: 'a', dataDir });

describe('file tool roots', () => {
  it('initialize throws a clear error naming allowed_paths and a missing entry', async () => {
    const dataDir = await temp.make('data');
    const missing = path.join(dataDir, 'nope');
    await expect(initialize(fileConfig({ allowed_paths: [missing] }), dataDir)).rejects.toThrow(
      `allowed_paths entry "${missing}" does not exist`,
    );
  });

  it('initialize creates a missing relative entry inside the data dir, never one outside it', async () => {
    const base = await temp.make('base');
    const dataDir = path.join(base, 'data');
    await initialize(fileConfig({ allowed_paths: ['work/inbox'] }), dataDir);
    expect((await stat(path.join(dataDir, 'work', 'inbox'))).isDirectory()).toBe(true);
    await expect(initialize(fileConfig({ allowed_paths: ['../elsewhere'] }), dataDir)).rejects.toThrow(
      /allowed_paths entry "..\/elsewhere" \(.*\/elsewhere\) does not exist/,
    );
    await expect(stat(path.join(base, 'elsewhere'))).rejects.toThrow();
  });

  it('initialize refuses an entry that is a file', async () => {
    const dataDir = await temp.make('data');
    await writeFile(path.join(dataDir, 'file'), 'x');
    await expect(initialize(fileConfig({ allowed_paths: ['file'] }), dataDir)).rejects.toThrow(
      /allowed_paths entry "file" .*is not a folder/,
    );
  });

  it('initialize logs the resolved roots', async () => {
    const dataDir = await temp.make('data');
    const lines: unknown[] = [];
    const log = { ...silentLogger, info: (obj: unknown) => void lines.push(obj) };
    await createFileReadTool().initialize?.(fileConfig(), { log, signal, agentId: 'a', dataDir });
    expect(lines).toEqual([expect.objectContaining({ roots: [dataDir] })]);
  });

  it('roots are real paths without duplicates; a root reached through a symlink accepts both forms', async () => {
    const base = await temp.make('roots');
    await mkdir(path.join(base, 'real'));
    await symlink(path.join(base, 'real'), path.join(base, 'alias'));
    const roots = await resolveRoots(['real', path.join(base, 'alias')], base);
    expect(roots).toEqual([{ given: path.join(base, 'real'), real: path.join(base, 'real') }]);
    await writeFile(path.join(base, 'real', 'f.txt'), 'via alias');
    const tools = await fileTools(fileConfig({ allowed_paths: ['alias'] }), base);
    expect(await tools.read({ path: path.join(base, 'alias', 'f.txt') })).toMatchObject({
      path: 'f.txt',
      content: 'via alias',
    });
  });

  it('isWithin compares whole path components', () => {
    expect(isWithin('/data/agent', '/data/agent')).toBe(true);
    expect(isWithin('/data/agent/x', '/data/agent')).toBe(true);
    expect(isWithin('/data/agent-evil', '/data/agent')).toBe(false);
    expect(isWithin('/data', '/data/agent')).toBe(false);
    expect(isWithin('/anything', '/')).toBe(true);
  });

  it('resolveReal follows symlinks and keeps a missing tail', async () => {
    const base = await temp.make('real');
    await mkdir(path.join(base, 'd', 'e'), { recursive: true });
    await symlink('d/e', path.join(base, 'l'));
    await symlink('../missing/x', path.join(base, 'd', 'dangling'));
    await symlink('loop2', path.join(base, 'loop1'));
    await symlink('loop1', path.join(base, 'loop2'));
    expect(await resolveReal(path.join(base, 'l'))).toBe(path.join(base, 'd', 'e'));
    expect(await resolveReal(path.join(base, 'l', 'new', 'f.txt'))).toBe(
      path.join(base, 'd', 'e', 'new', 'f.txt'),
    );
    expect(await resolveReal(path.join(base, 'l', '..', 'x'))).toBe(path.join(base, 'x'));
    expect(await resolveReal(path.join(base, 'd', 'dangling'))).toBe(path.join(base, 'missing', 'x'));
    await expect(resolveReal(path.join(base, 'loop1', 'x'))).rejects.toMatchObject({ code: 'ELOOP' });
  });
});
