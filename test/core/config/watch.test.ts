// ConfigWatcher on real temp folders with real chokidar: saves in place, by rename, bursts, filters.
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ConfigWatcher, isEditorTemp } from '../../../src/core/config/watch.js';
import { silentLogger } from '../../../src/core/observability/silent-logger.js';

let dir: string;
let watcher: ConfigWatcher | undefined;
const calls: string[][] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agent2389-watch-'));
  calls.length = 0;
});
afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** A burst of saves spread out the way an editor or a script makes them. */
const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 10));

async function start(targets: { dirs?: string[]; files?: string[] }, debounceMs = 200): Promise<void> {
  watcher = new ConfigWatcher({ debounceMs, onChange: (p) => calls.push(p), log: silentLogger });
  await watcher.watch({ dirs: targets.dirs ?? [], files: targets.files ?? [] });
}

/** Wait until a callback has reported `path`. */
async function seen(path: string): Promise<void> {
  await vi.waitFor(() => expect(calls.flat()).toContain(path), { timeout: 10_000, interval: 10 });
}

let fences = 0;
/**
 * Fence: change `path` (a watched file that nothing else touches) and wait for its callback. Events of
 * what was changed before reached the watcher first: from here on "no other callback" is a fact, not
 * the hope that waiting long enough would have shown one.
 */
async function fence(path: string): Promise<void> {
  const before = calls.length;
  await writeFile(path, `fence ${++fences}\n`);
  await vi.waitFor(() => expect(calls.slice(before).flat()).toContain(path), {
    timeout: 10_000,
    interval: 10,
  });
}

describe('ConfigWatcher', () => {
  it('sees a save in place of the config file, as one callback', async () => {
    const file = join(dir, 'agent.toml');
    const other = join(dir, 'fence.toml');
    await writeFile(file, 'a = 1\n');
    await writeFile(other, '');
    await start({ files: [file, other] });
    await writeFile(file, 'a = 2\n');
    await seen(file);
    await fence(other);
    expect(calls).toEqual([[file], [other]]);
  });

  it('sees a save by rename (write a temp file, rename it over the config) as one change', async () => {
    const file = join(dir, 'agent.toml');
    const other = join(dir, 'fence.toml');
    await writeFile(file, 'a = 1\n');
    await writeFile(other, '');
    await start({ files: [file, other] });
    const temp = join(dir, '.agent.toml.tmp-123');
    await writeFile(temp, 'a = 2\n');
    await rename(temp, file);
    await seen(file);
    await fence(other);
    expect(calls).toEqual([[file], [other]]);
  });

  it('sees the config file deleted and created again (git checkout), and keeps seeing it', async () => {
    const file = join(dir, 'agent.toml');
    const other = join(dir, 'fence.toml');
    await writeFile(file, 'a = 1\n');
    await writeFile(other, '');
    await start({ files: [file, other] });
    await rm(file);
    await writeFile(file, 'a = 3\n');
    await seen(file);
    await fence(other);
    // A watch on the file itself would end with the file it watched: a later save proves it did not.
    const after = calls.length;
    await writeFile(file, 'a = 4\n');
    await vi.waitFor(() => expect(calls.slice(after).flat()).toContain(file), {
      timeout: 10_000,
      interval: 10,
    });
  });

  it('turns a burst of saves into one callback', async () => {
    const file = join(dir, 'agent.toml');
    const other = join(dir, 'fence.toml');
    await writeFile(file, 'a = 0\n');
    await writeFile(other, '');
    // Saves about 10 ms apart: far inside the debounce, however slow the machine.
    await start({ files: [file, other] }, 500);
    for (let i = 1; i <= 20; i++) {
      await writeFile(file, `a = ${i}\n`);
      await pause();
    }
    await seen(file);
    await fence(other);
    expect(calls).toEqual([[file], [other]]);
  });

  it('ignores other files next to the config file, and editor temp files', async () => {
    const file = join(dir, 'agent.toml');
    await writeFile(file, 'a = 1\n');
    await start({ files: [file] });
    await writeFile(join(dir, 'notes.txt'), 'x');
    await writeFile(join(dir, '.agent.toml.swp'), 'x');
    await fence(file);
    expect(calls).toEqual([[file]]);
  });

  it('sees changes deep in a plugin folder, a new plugin folder, but not node_modules', async () => {
    const plugins = join(dir, 'plugins');
    await mkdir(join(plugins, 'a', 'node_modules', 'dep'), { recursive: true });
    await mkdir(join(plugins, 'a', 'lib'), { recursive: true });
    await start({ dirs: [plugins] });
    await writeFile(join(plugins, 'a', 'node_modules', 'dep', 'index.js'), 'x');
    const tool = join(plugins, 'a', 'lib', 'tool.js');
    await fence(tool);
    expect(calls).toEqual([[tool]]);
    await mkdir(join(plugins, 'b'));
    await writeFile(join(plugins, 'b', 'plugin.json'), '{}');
    await seen(join(plugins, 'b', 'plugin.json'));
    for (const path of calls.slice(1).flat()) expect(path.startsWith(join(plugins, 'b'))).toBe(true);
  });

  it('watch() with other targets stops seeing the old ones', async () => {
    const a = join(dir, 'a.toml');
    const b = join(dir, 'b.toml');
    await writeFile(a, '');
    await writeFile(b, '');
    await start({ files: [a] });
    await watcher!.watch({ dirs: [], files: [b] });
    await writeFile(a, 'x');
    await fence(b);
    expect(calls).toEqual([[b]]);
  });
});

describe('isEditorTemp', () => {
  it.each(['.agent.toml.swp', 'agent.toml~', '#agent.toml#', '.#agent.toml', '4913', 'x.tmp'])(
    '%s is a temp file',
    (n) => {
      expect(isEditorTemp(`/d/${n}`)).toBe(true);
    },
  );
  it.each(['agent.toml', 'plugin.json', 'tool.js'])('%s is not', (n) => {
    expect(isEditorTemp(`/d/${n}`)).toBe(false);
  });
});
