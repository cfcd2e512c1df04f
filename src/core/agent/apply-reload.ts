// One reload of a running agent: diff, build the next generation off to the side, swap it in (live,
// or by a controlled reconnect), re-publish status if what it advertises changed.
import { diffConfigs, type ConfigChange } from '../config/diff.js';
import type { AgentConfig } from '../config/schema.js';
import { ERR_CLOSED } from '../errors.js';
import type { StatusInfo } from '../protocol/messages.js';
import type { ApplyOptions } from './agent-options.js';
import { buildGeneration, type BuildContext } from './build-generation.js';
import type { ReloadOutcome } from './events.js';
import type { LiveGeneration } from './live-generation.js';
import { reconnectTo, type ReconnectRuntime } from './reconnect.js';
import { planPluginSet } from './resolve.js';

/** What a reload reads from and does to the agent's runtime (AgentRuntime implements it). */
export interface ReloadRuntime extends ReconnectRuntime {
  /** stop() was called: no reload starts any more. */
  readonly stopRequested: boolean;
  readonly statusInfo: StatusInfo;
  buildContext(): BuildContext;
  /** The id the next generation gets; `takeGenerationId` uses it up once the swap happened. */
  peekGenerationId(): number;
  takeGenerationId(): number;
  /** Settings that live outside generations follow `next`; `old` retires. */
  afterSwap(old: LiveGeneration, next: AgentConfig, changes: readonly ConfigChange[]): void;
}

const statusFields = (s: StatusInfo): string =>
  JSON.stringify([s.agentId, s.description, s.capabilities, s.tools]);

/**
 * Apply `next` to a running agent, in `reloading` (back to `running` whatever happens); rejects with
 * the coded error of the step that failed, and then nothing has changed. ERR_CLOSED unless running.
 */
export async function applyReload(
  rt: ReloadRuntime,
  next: AgentConfig,
  options: ApplyOptions,
): Promise<ReloadOutcome> {
  if (!rt.lifecycle.is('running') || rt.stopRequested) throw new ERR_CLOSED({});
  rt.lifecycle.to('reloading');
  try {
    return await reload(rt, next, options);
  } finally {
    rt.lifecycle.to('running');
  }
}

async function reload(rt: ReloadRuntime, next: AgentConfig, options: ApplyOptions): Promise<ReloadOutcome> {
  const current = rt.generation;
  const changes = diffConfigs(current.config, next);
  const ctx = rt.buildContext();
  // Same config: still a new generation if a plugin's or an inline tool's files changed.
  const planned = await planPluginSet(next, ctx.available);
  const pluginsRebuilt = options.force === true || planned.key !== current.plugins.set.key;
  if (changes.length === 0 && !pluginsRebuilt)
    return { generation: current.id, changes, reconnected: false, restartNeeded: [], pluginsRebuilt };
  const statusBefore = statusFields(rt.statusInfo);
  const gen = await buildGeneration(next, ctx, {
    id: rt.peekGenerationId(),
    previous: current,
    planned,
    ...(options.force ? { force: true } : {}),
    lifecycle: true,
  });
  const reconnected = changes.some((c) => c.applies === 'reconnect');
  if (reconnected) {
    try {
      await reconnectTo(rt, gen);
    } catch (err) {
      await gen.retire();
      throw err;
    }
  } else {
    rt.adopt(gen);
  }
  rt.takeGenerationId();
  rt.afterSwap(current, next, changes);
  if (!reconnected && statusFields(rt.statusInfo) !== statusBefore)
    await rt
      .publishStatus('available')
      .catch((err: unknown) => rt.log.warn({ err }, 'cannot re-publish status after reload'));
  const restartNeeded = changes.filter((c) => c.applies === 'restart').map((c) => c.key);
  return { generation: gen.id, changes, reconnected, restartNeeded, pluginsRebuilt };
}
