import { describe, expect, it } from 'vitest';

import {
  LiveGeneration,
  SharedPluginSet,
  type GenerationParts,
} from '../../../src/core/agent/live-generation.js';
import type { PluginSet } from '../../../src/core/agent/resolve.js';
import { silentLogger } from '../../../src/core/observability/silent-logger.js';

/** A plugin set whose tools record their shutdown and whose close is counted. */
function fakeSet(): { set: PluginSet; closed: () => number; shutdowns: string[] } {
  let closed = 0;
  const shutdowns: string[] = [];
  const tool = { name: 't', tool: { shutdown: () => void shutdowns.push('t') } };
  const set = {
    tools: [tool],
    close: () => {
      closed++;
      return Promise.resolve();
    },
  } as unknown as PluginSet;
  return { set, closed: () => closed, shutdowns };
}

const generation = (plugins: SharedPluginSet, id = 1, stopWith?: AbortSignal): LiveGeneration =>
  new LiveGeneration({ id, plugins } as unknown as GenerationParts, stopWith);

describe('LiveGeneration', () => {
  it('retire() closes at once when idle, after the last task otherwise', async () => {
    const f = fakeSet();
    const gen = generation(new SharedPluginSet(f.set, silentLogger));
    const leave = gen.enter();
    let done = false;
    const retired = gen.retire().then(() => (done = true));
    // Closing is promise work only (the fake set closes at once): a macrotask later it would be done.
    await new Promise((r) => setImmediate(r));
    expect([done, f.closed()]).toEqual([false, 0]);
    leave();
    leave(); // a second call is a no-op
    await retired;
    expect([done, f.closed(), f.shutdowns]).toEqual([true, 1, ['t']]);
  });

  it('a shared plugin set closes when its last generation does', async () => {
    const f = fakeSet();
    const shared = new SharedPluginSet(f.set, silentLogger);
    const first = generation(shared, 1);
    const second = generation(shared.share(), 2);
    await first.retire();
    expect(f.closed()).toBe(0);
    await second.retire();
    expect(f.closed()).toBe(1);
  });

  it('its signal follows the agent shutdown signal, and abort() stops only this generation', () => {
    const shutdown = new AbortController();
    const f = fakeSet();
    const a = generation(new SharedPluginSet(f.set, silentLogger), 1, shutdown.signal);
    const b = generation(new SharedPluginSet(fakeSet().set, silentLogger), 2, shutdown.signal);
    a.abort(new Error('drain ran out'));
    expect([a.signal.aborted, b.signal.aborted]).toEqual([true, false]);
    shutdown.abort(new Error('stop'));
    expect(b.signal.aborted).toBe(true);
  });
});
