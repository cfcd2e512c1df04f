// After a reload: the settings that live outside a generation follow the new config.
import type { ConfigChange } from '../config/diff.js';
import type { AgentConfig } from '../config/schema.js';
import { dedupeLimits, type DedupeLimits } from '../delivery/dedupe-store.js';
import type { TaskQueue } from './task-queue.js';

/** What follows the new settings (AgentRuntime implements it). */
export interface AgentSettingsTargets {
  readonly queue: TaskQueue;
  resizeDedupe(limits: DedupeLimits): void;
  restartHeartbeat(): void;
  onLogLevel?(level: AgentConfig['log']['level']): void;
  providerChanged(): void;
}

export function followSettings(
  next: AgentConfig,
  changes: readonly ConfigChange[],
  t: AgentSettingsTargets,
): void {
  const changed = (key: string): boolean => changes.some((c) => c.key.startsWith(key));
  if (changed('max_concurrent_tasks')) t.queue.setMax(next.max_concurrent_tasks);
  if (changed('dedupe.cache_size') || changed('dedupe.ttl_seconds'))
    t.resizeDedupe(dedupeLimits(next.dedupe));
  if (changed('lifecycle.heartbeat_seconds')) t.restartHeartbeat();
  if (changed('log.level')) t.onLogLevel?.(next.log.level);
  if (changed('llm.')) t.providerChanged();
}
