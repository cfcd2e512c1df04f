// The Redis dedupe store: answered ids and claims shared by the replicas of one agent, plus their liveness.
import type { LoggerV1 } from '@agent2389/tool-sdk';
import { Redis } from 'ioredis';

import { ERR_DEDUPE_UNAVAILABLE, reasonOf } from '../errors.js';
import { DedupeHealth } from './dedupe-health.js';
import type { ClaimResult, DedupeLimits, DedupeStore, ReplicaRegistry } from './dedupe-store.js';
import { type DedupeScripts, defineDedupeScripts } from './redis-dedupe-scripts.js';
import { redisLocation } from './redis-url.js';

export interface RedisDedupeOptions extends DedupeLimits {
  readonly url: string;
  /** `<key_prefix>:<agent_id>`: every key of this store starts with it. */
  readonly keyPrefix: string;
  /** This replica's id: claims and liveness are recorded under it. */
  readonly holder: string;
  readonly log: LoggerV1;
  /** How often this holder's liveness is refreshed (default 2 s). */
  readonly livenessIntervalMs?: number;
  /** How long a refresh keeps this holder alive (default 6 s); its claims can be taken over after. */
  readonly livenessTtlMs?: number;
  /** A command not answered this fast fails (default 5 s): a Redis that hangs is unavailable, not slow. */
  readonly commandTimeoutMs?: number;
}

const RUN: ClaimResult = Object.freeze({ kind: 'run' });
const ANSWERED: ClaimResult = Object.freeze({ kind: 'answered' });

/**
 * Keys `<prefix>:answered:<id>` (PX ttl) and `<prefix>:claim:<id>` = holder, sorted set
 * `<prefix>:replicas` (member holder, score = liveness expiry in Redis's ms clock).
 *
 * A claim lives as long as an answer (ttl_seconds), not refreshed: it never decides alone whether
 * a task may run again — a claim whose holder's liveness expired is taken over at once — so its
 * TTL only bounds how long the key of a claim nobody asks about again stays in Redis.
 *
 * Commands fail fast while disconnected (no offline queue, no retries): the intake retries, not
 * ioredis. ioredis reconnects by itself; `problem` is set on a lost connection or failed command and
 * cleared once it is ready again (or a command succeeds).
 */
export class RedisDedupeStore implements DedupeStore, ReplicaRegistry {
  readonly kind = 'redis';
  readonly #health: DedupeHealth;
  readonly #redis: Redis & DedupeScripts;
  readonly #replicasKey: string;
  readonly #livenessTtlMs: number;
  #ttlMs: number;
  #timer: NodeJS.Timeout | undefined;
  #refreshing = false;
  #closed = false;
  #lastError: string | undefined;

  private constructor(
    private readonly opts: RedisDedupeOptions,
    readonly location: string,
  ) {
    this.#ttlMs = Math.max(1, opts.ttlMs);
    this.#livenessTtlMs = opts.livenessTtlMs ?? 6_000;
    this.#replicasKey = `${opts.keyPrefix}:replicas`;
    this.#health = new DedupeHealth('redis', opts.log);
    const redis = new Redis(opts.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: opts.commandTimeoutMs ?? 5_000,
      connectTimeout: opts.commandTimeoutMs ?? 5_000,
      retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    });
    this.#redis = defineDedupeScripts(redis);
    redis.on('error', (err: unknown) => {
      this.#lastError = reasonOf(err);
      if (redis.status !== 'ready') this.#health.fail(this.#lastError);
    });
    redis.on('close', () => {
      if (!this.#closed) this.#health.fail(this.#lastError ?? 'connection to Redis closed');
    });
    redis.on('ready', () => {
      this.#lastError = undefined;
      this.#health.recover();
      if (this.#timer !== undefined) void this.#refresh(); // Redis may have restarted empty: be alive in it again
    });
  }

  /** Connect and record this holder alive; AGENT_ERR_DEDUPE_UNAVAILABLE if Redis cannot be reached now. */
  static async open(opts: RedisDedupeOptions): Promise<RedisDedupeStore> {
    const store = new RedisDedupeStore(opts, redisLocation(opts.url));
    try {
      await store.#redis.connect();
      await store.#redis.dedupeHeartbeat(store.#replicasKey, opts.holder, store.#livenessTtlMs);
    } catch (err) {
      store.#closed = true;
      store.#redis.disconnect();
      const reason = store.#lastError ?? reasonOf(err);
      throw new ERR_DEDUPE_UNAVAILABLE({ store: 'redis', reason }, { cause: err });
    }
    store.#timer = setInterval(() => void store.#refresh(), opts.livenessIntervalMs ?? 2_000);
    store.#timer.unref();
    opts.log.info({ redis: store.location, holder: opts.holder }, 'dedupe store opened');
    return store;
  }

  get holder(): string {
    return this.opts.holder;
  }

  get problem(): string | undefined {
    return this.#health.problem;
  }

  async claim(taskId: string): Promise<ClaimResult> {
    const reply = await this.#call(() =>
      this.#redis.dedupeClaim(
        this.#key('answered', taskId),
        this.#key('claim', taskId),
        this.#replicasKey,
        this.opts.holder,
        this.#ttlMs,
      ),
    );
    if (reply[0] === 'held') return { kind: 'held', holder: reply[1] };
    return reply[0] === 'answered' ? ANSWERED : RUN;
  }

  async markAnswered(taskId: string): Promise<void> {
    await this.#call(() =>
      this.#redis.dedupeMarkAnswered(
        this.#key('answered', taskId),
        this.#key('claim', taskId),
        this.opts.holder,
        this.#ttlMs,
      ),
    );
  }

  /** Delete our claim of `taskId` (a claim another holder took over since is left alone). */
  async release(taskId: string): Promise<void> {
    await this.#call(() => this.#redis.dedupeRelease(this.#key('claim', taskId), this.opts.holder));
  }

  /** Only the TTL applies: Redis expires answered ids itself (cache_size does not apply). */
  resize(limits: DedupeLimits): void {
    this.#ttlMs = Math.max(1, limits.ttlMs);
  }

  onHealthChange(listener: () => void): void {
    this.#health.onChange(listener);
  }

  /** Holders whose liveness has not expired (this one included while it runs). */
  liveReplicas(): Promise<string[]> {
    return this.#call(() => this.#redis.dedupeReplicas(this.#replicasKey, 'live'));
  }

  /** Holders whose liveness expired (score < now): dead replicas whose sessions may need adopting. */
  expiredReplicas(): Promise<string[]> {
    return this.#call(() => this.#redis.dedupeReplicas(this.#replicasKey, 'expired'));
  }

  get replicas(): ReplicaRegistry {
    return this;
  }

  async tryAdopt(replica: string, ttlMs: number): Promise<boolean> {
    const key = this.#adoptKey(replica);
    return (await this.#call(() => this.#redis.set(key, this.opts.holder, 'PX', ttlMs, 'NX'))) === 'OK';
  }

  async releaseAdoption(replica: string): Promise<void> {
    await this.#call(() => this.#redis.dedupeRelease(this.#adoptKey(replica), this.opts.holder));
  }

  #adoptKey(replica: string): string {
    return `${this.opts.keyPrefix}:adopt:${replica}`;
  }

  /** Remove `holder` from the liveness set (its session was adopted): its claims can be taken over. */
  async forgetReplica(holder: string): Promise<void> {
    await this.#call(() => this.#redis.zrem(this.#replicasKey, holder));
  }

  /**
   * Stop refreshing, mark this holder expired (best effort) and disconnect. Expired, not removed: its
   * broker session may still hold tasks, and a live replica adopts (and ends) it (docs/scaling.md).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    if (this.#redis.status === 'ready') {
      try {
        await this.#redis.zadd(this.#replicasKey, 0, this.opts.holder);
        await this.#redis.quit();
        return;
      } catch {
        // Redis went away meanwhile: nothing left to tidy
      }
    }
    this.#redis.disconnect();
  }

  #key(kind: 'answered' | 'claim', taskId: string): string {
    return `${this.opts.keyPrefix}:${kind}:${taskId}`;
  }

  async #refresh(): Promise<void> {
    if (this.#refreshing || this.#closed || this.#redis.status !== 'ready') return;
    this.#refreshing = true;
    try {
      await this.#call(() =>
        this.#redis.dedupeHeartbeat(this.#replicasKey, this.opts.holder, this.#livenessTtlMs),
      );
    } catch {
      // `problem` says so; the next tick (or 'ready') tries again
    } finally {
      this.#refreshing = false;
    }
  }

  /** One command: a failure sets `problem` and becomes AGENT_ERR_DEDUPE_UNAVAILABLE; a success clears it. */
  async #call<T>(command: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new ERR_DEDUPE_UNAVAILABLE({ store: 'redis', reason: 'the store is closed' });
    let result: T;
    try {
      result = await command();
    } catch (err) {
      const reason = this.#redis.status === 'ready' ? reasonOf(err) : (this.#lastError ?? reasonOf(err));
      if (!this.#closed) this.#health.fail(reason);
      throw new ERR_DEDUPE_UNAVAILABLE({ store: 'redis', reason }, { cause: err });
    }
    if (this.#redis.status === 'ready') this.#health.recover();
    return result;
  }
}
