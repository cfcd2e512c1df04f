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
import { planPluginSet } from './resolve.js';

/** What a reload reads from and does to its agent. */
export interface ReloadHost {
  /** The generation new tasks run on, when the agent is running; else undefined. */
  runningGeneration(): LiveGeneration | undefined;
  buildContext(): BuildContext;
  /** The id the next generation gets; `takeGenerationId` uses it up once the swap happened. */
  peekGenerationId(): number;
  takeGenerationId(): void;
  statusInfo(): StatusInfo;
  /** Make `gen` current without touching the connection. */
  adopt(gen: LiveGeneration): void;
  /** Drain, reconnect with `gen`'s settings and make it current; rejects (as before) on failure. */
  reconnect(gen: LiveGeneration): Promise<void>;
  /** Settings that live outside generations follow `next`; `old` retires. */
  afterSwap(old: LiveGeneration, next: AgentConfig, changes: readonly ConfigChange[]): void;
  /** Publish `available` again (what the status advertises changed); never rejects. */
  republishStatus(): Promise<void>;
  /** A new generation is serving (not called when nothing changed). */
  reloaded(outcome: ReloadOutcome): void;
}

const statusFields = (s: StatusInfo): string =>
  JSON.stringify([s.agentId, s.description, s.capabilities, s.tools]);

/** Apply `next`; rejects with the coded error of the step that failed, and then nothing has changed. */
export async function applyReload(
  host: ReloadHost,
  next: AgentConfig,
  options: ApplyOptions,
): Promise<ReloadOutcome> {
  const current = host.runningGeneration();
  if (!current) throw new ERR_CLOSED({});
  const changes = diffConfigs(current.config, next);
  const ctx = host.buildContext();
  // Same config: still a new generation if a plugin's or an inline tool's files changed.
  const planned = await planPluginSet(next, ctx.available);
  const pluginsRebuilt = options.force === true || planned.key !== current.plugins.set.key;
  if (changes.length === 0 && !pluginsRebuilt)
    return { generation: current.id, changes, reconnected: false, restartNeeded: [], pluginsRebuilt };
  const statusBefore = statusFields(host.statusInfo());
  const gen = await buildGeneration(next, ctx, {
    id: host.peekGenerationId(),
    previous: current,
    planned,
    ...(options.force ? { force: true } : {}),
    lifecycle: true,
  });
  const reconnected = changes.some((c) => c.applies === 'reconnect');
  if (reconnected) {
    try {
      await host.reconnect(gen);
    } catch (err) {
      await gen.retire();
      throw err;
    }
  } else {
    host.adopt(gen);
  }
  host.takeGenerationId();
  host.afterSwap(current, next, changes);
  if (!reconnected && statusFields(host.statusInfo()) !== statusBefore) await host.republishStatus();
  const restartNeeded = changes.filter((c) => c.applies === 'restart').map((c) => c.key);
  const outcome = { generation: gen.id, changes, reconnected, restartNeeded, pluginsRebuilt };
  host.reloaded(outcome);
  return outcome;
}
