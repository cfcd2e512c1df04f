// Reloader with a real config file, real chokidar, an agent on the in-memory broker.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';

import { Reloader } from '../../../src/core/agent/reloader.js';
import { ConfigWatcher } from '../../../src/core/config/watch.js';
import { silentLogger } from '../../../src/core/observability/silent-logger.js';
import { envelope, makeHarness, toml } from '../../helpers/agent-harness.js';
import { recordingLogger, type LogEntry } from '../../helpers/recording-logger.js';

const waitFor = <T>(fn: () => T, timeout = 3000): Promise<T> => vi.waitFor(fn, { timeout, interval: 10 });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agent2389-reloader-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const text = (id: string, extra = ''): string =>
  toml(id, `[reload]\ndebounce_ms = 50\n${extra}`).replace(
    'provider = "scripted"',
    'provider = "scripted"\nsystem_prompt = "v1"',
  );

async function setup(id: string, extra = '') {
  const file = join(dir, 'agent.toml');
  await writeFile(file, text(id, extra));
  const h = makeHarness(text(id, extra));
  const entries: LogEntry[] = [];
  const log = recordingLogger(entries);
  const reloader = new Reloader(h.agent, { file, log, load: { env: {} } });
  onTestFinished(() => reloader.close());
  const progress = h.collect(`/control/agents/${id}/progress`);
  await h.agent.start();
  return { h, file, reloader, entries, progress };
}

describe('Reloader', () => {
  it('a syntax error is rejected with file and line, the old config keeps serving, and the fix applies', async () => {
    const { h, file, reloader, entries, progress } = await setup('rl1');
    const out = h.collect('/conversations/#');
    await writeFile(file, text('rl1').replace('[llm]', '[llm\n'));
    expect((await reloader.reloadOnce('watch')).status).toBe('rejected');
    const error = entries.find((e) => e.level === 'error')!;
    expect(error.obj).toMatchObject({
      file,
      code: 'AGENT_ERR_CONFIG_PARSE',
      line: expect.any(Number) as number,
    });
    expect(progress.at(-1)!.body).toMatchObject({
      agent_id: 'rl1',
      event: 'config_rejected',
      data: { file, code: 'AGENT_ERR_CONFIG_PARSE', line: expect.any(Number) as number },
    });
    expect(progress.at(-1)!.body.task_id).toBeUndefined();
    h.send(envelope('rl1'));
    await waitFor(() => expect(out).toHaveLength(1));

    await writeFile(file, text('rl1').replace('"v1"', '"v2"'));
    expect((await reloader.reloadOnce('watch')).status).toBe('applied');
    expect(h.agent.config.llm.system_prompt).toBe('v2');
    expect(progress.at(-1)!.body).toMatchObject({
      event: 'config_reloaded',
      data: { generation: 2, changed: ['llm.system_prompt'], summary: 'llm.system_prompt "v1" → "v2"' },
    });
    expect(entries.some((e) => e.msg === 'config reloaded: llm.system_prompt "v1" → "v2"')).toBe(true);
  });

  it('a schema error names the key; an unchanged file is "unchanged"', async () => {
    const { file, reloader, progress } = await setup('rl2');
    expect((await reloader.reloadOnce('watch')).status).toBe('unchanged');
    await writeFile(file, text('rl2', '[budget]\nmax_iterations = "many"\n'));
    expect((await reloader.reloadOnce('watch')).status).toBe('rejected');
    expect(progress.at(-1)!.body).toMatchObject({
      event: 'config_rejected',
      data: { code: 'AGENT_ERR_CONFIG_INVALID', problems: [{ path: 'budget.max_iterations' }] },
    });
  });

  it('coalesces requests that arrive during a reload into one follow-up', async () => {
    const { file, reloader } = await setup('rl3');
    await writeFile(file, text('rl3').replace('"v1"', '"v2"'));
    await Promise.all(Array.from({ length: 10 }, () => reloader.request('watch')));
    expect(reloader.attempts).toBe(2);
  });

  it('watches the file: a save is applied without being asked', async () => {
    const { h, file, reloader } = await setup('rl4');
    await reloader.start();
    await writeFile(file, text('rl4').replace('"v1"', '"v3"'));
    await waitFor(() => expect(h.agent.config.llm.system_prompt).toBe('v3'));
  });

  it('[reload] enabled = false: a save is not seen, an explicit request still reloads', async () => {
    const { h, file, reloader, entries } = await setup('rl5', 'enabled = false\n');
    await reloader.start();
    // No watch is set up at all (it says so, and never "watching …").
    const said = (): Array<string | undefined> => entries.map((e) => e.msg);
    expect(said()).toContain('not watching the config file ([reload] enabled = false)');
    expect(said().filter((m) => m?.startsWith('watching'))).toEqual([]);
    // Fence: a watcher of our own, with the same debounce, sees the save; a watching reloader would
    // have started its reload (counted at once) no later than that.
    const seen = vi.fn();
    const fence = new ConfigWatcher({ debounceMs: 50, onChange: seen, log: silentLogger });
    onTestFinished(() => fence.close());
    await fence.watch({ dirs: [], files: [file] });
    await writeFile(file, text('rl5', 'enabled = false\n').replace('"v1"', '"v4"'));
    await waitFor(() => expect(seen).toHaveBeenCalledWith([file]));
    expect(reloader.attempts).toBe(0);
    expect(h.agent.config.llm.system_prompt).toBe('v1');
    await reloader.request('signal');
    expect(h.agent.config.llm.system_prompt).toBe('v4');
    expect(reloader.attempts).toBe(1);
  });
});
