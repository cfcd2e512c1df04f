// The dedupe store: which task ids were answered (and, with Redis, which replica runs one now). `[dedupe]`.
import type { LoggerV1 } from '@agent2389/tool-sdk';

export type DedupeStoreKind = 'memory' | 'file' | 'redis';

export type ClaimResult =
  | { readonly kind: 'run' } // claimed by us: run it
  | { readonly kind: 'answered' } // answered within the TTL: ack, never publish again
  | { readonly kind: 'held'; readonly holder: string }; // a live other replica runs it now: ack, discard

export interface DedupeLimits {
  readonly maxEntries: number;
  readonly ttlMs: number;
}

/**
 * Who serves one agent id (the Redis store): liveness of each replica, and the lock a live replica
 * takes before adopting a dead one's broker session (docs/scaling.md, failover).
 */
export interface ReplicaRegistry {
  /** Replicas whose liveness has not expired (this one included while it runs). */
  liveReplicas(): Promise<string[]>;
  /** Replicas whose liveness expired: dead (or stopped) ones whose sessions may hold tasks. */
  expiredReplicas(): Promise<string[]>;
  /** Take the adoption lock of `replica` for `ttlMs`; false if another replica holds it. */
  tryAdopt(replica: string, ttlMs: number): Promise<boolean>;
  /** Give the adoption lock back (ours only). */
  releaseAdoption(replica: string): Promise<void>;
  /** `replica`'s session was adopted and ended: remove it from the registry. */
  forgetReplica(replica: string): Promise<void>;
}

export interface DedupeStore {
  readonly kind: DedupeStoreKind;
  /** Only shared stores (Redis) know the replicas of an agent id. */
  readonly replicas?: ReplicaRegistry;
  claim(taskId: string): Promise<ClaimResult>;
  markAnswered(taskId: string): Promise<void>;
  /** Give up a claim without an answer. */
  release(taskId: string): Promise<void>;
  /** A reload changed cache_size / ttl_seconds. */
  resize(limits: DedupeLimits): void;
  /** undefined while usable; else why not (e.g. Redis unreachable): /ready answers 503 with it. */
  readonly problem: string | undefined;
  /** Called when `problem` changes (e.g. Redis came back): the intake retries held messages. */
  onHealthChange(listener: () => void): void;
  close(): Promise<void>;
}

/** The `[dedupe]` config section. */
export interface DedupeSettings {
  readonly store: DedupeStoreKind;
  readonly cache_size: number;
  readonly ttl_seconds: number;
  readonly file: string;
  readonly redis_url_env?: string | undefined;
  readonly key_prefix: string;
}

export interface DedupeContext {
  readonly agentId: string;
  /** The agent's data dir (resolveDataDir): the file store's file is relative to it. */
  readonly dataDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** This process's replica id: Redis claims and liveness are recorded under it. */
  readonly holder: string;
  readonly log: LoggerV1;
}

/** `[dedupe] cache_size` / `ttl_seconds` as store limits. */
export function dedupeLimits(settings: Pick<DedupeSettings, 'cache_size' | 'ttl_seconds'>): DedupeLimits {
  return { maxEntries: settings.cache_size, ttlMs: settings.ttl_seconds * 1000 };
}

/**
 * Open the configured store. The SQLite and Redis modules are imported only for their store, so an
 * agent on the memory store never loads them. Throws AGENT_ERR_DEDUPE_STORE_OPEN,
 * AGENT_ERR_CONFIG_SECRET_MISSING (Redis URL variable) or AGENT_ERR_DEDUPE_UNAVAILABLE (Redis unreachable).
 */
export async function openDedupeStore(settings: DedupeSettings, ctx: DedupeContext): Promise<DedupeStore> {
  const limits = dedupeLimits(settings);
  const log = ctx.log.child({ component: 'dedupe', store: settings.store });
  switch (settings.store) {
    case 'memory': {
      const { MemoryDedupeStore } = await import('./memory-dedupe-store.js');
      return new MemoryDedupeStore(limits);
    }
    case 'file': {
      const { FileDedupeStore } = await import('./file-dedupe-store.js');
      return FileDedupeStore.open({ ...limits, file: settings.file, dataDir: ctx.dataDir, log });
    }
    case 'redis': {
      const { redisUrlFromEnv } = await import('./redis-url.js');
      const url = redisUrlFromEnv(settings.redis_url_env, ctx.env); // a config error before ioredis loads
      const { RedisDedupeStore } = await import('./redis-dedupe-store.js');
      return RedisDedupeStore.open({
        ...limits,
        url,
        keyPrefix: `${settings.key_prefix}:${ctx.agentId}`,
        holder: ctx.holder,
        log,
      });
    }
  }
}
