// ConfigWatcher on real temp folders with real chokidar: saves in place, by rename, bursts, filters.
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

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

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function start(targets: { dirs?: string[]; files?: string[] }, debounceMs = 100): Promise<void> {
  watcher = new ConfigWatcher({ debounceMs, onChange: (p) => calls.push(p), log: silentLogger });
  await watcher.watch({ dirs: targets.dirs ?? [], files: targets.files ?? [] });
}

/** Wait until `n` callbacks arrived (or fail after `ms`), then a little longer to see no extra one. */
async function expectCalls(n: number, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (calls.length < n && Date.now() < until) await sleep(20);
  await sleep(300);
  expect(calls).toHaveLength(n);
}

describe('ConfigWatcher', () => {
  it('sees a save in place of the config file', async () => {
    const file = join(dir, 'agent.toml');
    await writeFile(file, 'a = 1\n');
    await start({ files: [file] });
    await writeFile(file, 'a = 2\n');
    await expectCalls(1);
    expect(calls[0]).toEqual([file]);
  });

  it('sees a save by rename (write a temp file, rename it over the config) as one change', async () => {
    const file = join(dir, 'agent.toml');
    await writeFile(file, 'a = 1\n');
    await start({ files: [file] });
    const temp = join(dir, '.agent.toml.tmp-123');
    await writeFile(temp, 'a = 2\n');
    await rename(temp, file);
    await expectCalls(1);
    expect(calls[0]).toContain(file);
  });

  it('sees the config file deleted and created again (git checkout)', async () => {
    const file = join(dir, 'agent.toml');
    await writeFile(file, 'a = 1\n');
    await start({ files: [file] });
    await rm(file);
    await sleep(50);
    await writeFile(file, 'a = 3\n');
    await expectCalls(1);
  });

  it('turns a burst of saves into one callback', async () => {
    const file = join(dir, 'agent.toml');
    await writeFile(file, 'a = 0\n');
    await start({ files: [file] }, 150);
    for (let i = 1; i <= 20; i++) {
      await writeFile(file, `a = ${i}\n`);
      await sleep(10);
    }
    await expectCalls(1);
  });

  it('ignores other files next to the config file, and editor temp files', async () => {
    const file = join(dir, 'agent.toml');
    await writeFile(file, 'a = 1\n');
    await start({ files: [file] });
    await writeFile(join(dir, 'notes.txt'), 'x');
    await writeFile(join(dir, '.agent.toml.swp'), 'x');
    await expectCalls(0, 600);
  });

  it('sees changes deep in a plugin folder, a new plugin folder, but not node_modules', async () => {
    const plugins = join(dir, 'plugins');
    await mkdir(join(plugins, 'a', 'node_modules', 'dep'), { recursive: true });
    await mkdir(join(plugins, 'a', 'lib'), { recursive: true });
    await start({ dirs: [plugins] });
    await writeFile(join(plugins, 'a', 'node_modules', 'dep', 'index.js'), 'x');
    await expectCalls(0, 600);
    await writeFile(join(plugins, 'a', 'lib', 'tool.js'), 'export default 1;');
    await expectCalls(1);
    await mkdir(join(plugins, 'b'));
    await writeFile(join(plugins, 'b', 'plugin.json'), '{}');
    await expectCalls(2);
  });

  it('watch() with other targets stops seeing the old ones', async () => {
    const a = join(dir, 'a.toml');
    const b = join(dir, 'b.toml');
    await writeFile(a, '');
    await writeFile(b, '');
    await start({ files: [a] });
    await watcher!.watch({ dirs: [], files: [b] });
    await writeFile(a, 'x');
    await expectCalls(0, 600);
    await writeFile(b, 'x');
    await expectCalls(1);
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
