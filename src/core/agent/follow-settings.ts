// After a reload: the settings that live outside a generation follow the new config.
import type { ConfigChange } from '../config/diff.js';
import type { AgentConfig } from '../config/schema.js';
import { LruTtlIdempotencyStore, type IdempotencyStore } from '../pipeline/idempotency.js';
import type { TaskQueue } from './task-queue.js';

/** What follows the new settings (AgentRuntime implements it). */
export interface AgentSettingsTargets {
  readonly queue: TaskQueue;
  readonly store: IdempotencyStore;
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
  // A store given in code (shared by replicas) is the caller's to size.
  if (changed('dedupe.') && t.store instanceof LruTtlIdempotencyStore)
    t.store.resize({ maxEntries: next.dedupe.cache_size, ttlMs: next.dedupe.ttl_seconds * 1000 });
  if (changed('lifecycle.heartbeat_seconds')) t.restartHeartbeat();
  if (changed('log.level')) t.onLogLevel?.(next.log.level);
  if (changed('llm.')) t.providerChanged();
}
