import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

import { openDedupeStore, type DedupeSettings } from '../../../src/core/delivery/dedupe-store.js';
import { RedisDedupeStore, type RedisDedupeOptions } from '../../../src/core/delivery/redis-dedupe-store.js';
import { recordingLogger } from '../../helpers/recording-logger.js';
import { startRedis, type RedisServer } from '../../helpers/redis.js';
import { needs } from '../../helpers/require-tool.js';
import { rejected } from '../../helpers/thrown.js';

const { describe, it } = needs('redis');

let server: RedisServer;
let prefix = 0;
const opened: RedisDedupeStore[] = [];
const clients: Redis[] = [];

/** A store on `server` under a key prefix of its own test (stores of one test share it). */
async function store(holder: string, opts: Partial<RedisDedupeOptions> = {}): Promise<RedisDedupeStore> {
  const s = await RedisDedupeStore.open({
    url: server.url,
    keyPrefix: `test${prefix}:agent`,
    holder,
    maxEntries: 10,
    ttlMs: 60_000,
    log: recordingLogger(),
    ...opts,
  });
  opened.push(s);
  return s;
}

/** A plain client, to look at what the store wrote. */
function client(url = server.url): Redis {
  const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  clients.push(c);
  return c;
}

/** Resolves the next time `s` tells its listeners, with its `problem` then. */
function nextHealthChange(s: RedisDedupeStore): Promise<string | undefined> {
  return new Promise((resolve) => s.onHealthChange(() => resolve(s.problem)));
}

/** Re-check `cond` on every macrotask turn until it holds (for conditions no event announces). */
async function until(cond: () => Promise<boolean>): Promise<void> {
  while (!(await cond())) await new Promise((r) => setImmediate(r));
}

describe('RedisDedupeStore (real redis-server)', () => {
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });
  afterEach(async () => {
    prefix++;
    for (const s of opened.splice(0)) await s.close();
    for (const c of clients.splice(0)) c.disconnect();
  });

  it('run → answered; keys are <prefix>:answered:<id> with the TTL, the claim is gone', async () => {
    const s = await store('r1', { ttlMs: 50_000 });
    expect(s.kind).toBe('redis');
    expect(s.problem).toBeUndefined();
    expect(await s.claim('t1')).toEqual({ kind: 'run' });
    const c = client();
    expect(await c.get(`test${prefix}:agent:claim:t1`)).toBe('r1');
    expect(await s.claim('t1')).toEqual({ kind: 'run' }); // our own claim: the intake tracks its runs
    await s.markAnswered('t1');
    expect(await s.claim('t1')).toEqual({ kind: 'answered' });
    expect(await c.exists(`test${prefix}:agent:claim:t1`)).toBe(0);
    const ttl = await c.pttl(`test${prefix}:agent:answered:t1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(50_000);
  });

  it('a claim of a live other holder is held; answered wins for both; release frees only our own', async () => {
    const a = await store('replica-a');
    const b = await store('replica-b');
    expect(await a.claim('t')).toEqual({ kind: 'run' });
    expect(await b.claim('t')).toEqual({ kind: 'held', holder: 'replica-a' });
    await b.release('t'); // not b's claim: left alone
    expect(await b.claim('t')).toEqual({ kind: 'held', holder: 'replica-a' });
    await a.release('t');
    expect(await b.claim('t')).toEqual({ kind: 'run' });
    expect(await a.claim('t')).toEqual({ kind: 'held', holder: 'replica-b' });
    await b.markAnswered('t');
    expect(await a.claim('t')).toEqual({ kind: 'answered' });
    expect(await b.claim('t')).toEqual({ kind: 'answered' });
  });

  it('a claim whose holder liveness expired is taken over; the old holder then sees it held', async () => {
    // a refreshes once at open, valid 1 ms, and not again within the test
    const a = await store('replica-a', { livenessTtlMs: 1, livenessIntervalMs: 3_600_000 });
    const b = await store('replica-b');
    expect(await a.claim('t')).toEqual({ kind: 'run' });
    await until(async () => (await b.expiredReplicas()).includes('replica-a'));
    expect(await b.liveReplicas()).toEqual(['replica-b']);
    expect(await b.claim('t')).toEqual({ kind: 'run' });
    expect(await client().get(`test${prefix}:agent:claim:t`)).toBe('replica-b');
    expect(await a.claim('t')).toEqual({ kind: 'held', holder: 'replica-b' });
    await a.markAnswered('t'); // a finished after all: the answer counts, b's claim stays
    expect(await client().get(`test${prefix}:agent:claim:t`)).toBe('replica-b');
    expect(await b.claim('t')).toEqual({ kind: 'answered' });
  });

  it('close marks the holder expired (its session is left for adoption); its claims are taken over', async () => {
    const a = await store('replica-a');
    const b = await store('replica-b');
    expect((await b.liveReplicas()).sort()).toEqual(['replica-a', 'replica-b']);
    expect(await a.claim('t')).toEqual({ kind: 'run' });
    await a.close();
    expect(await b.liveReplicas()).toEqual(['replica-b']);
    expect(await b.expiredReplicas()).toEqual(['replica-a']);
    expect(await b.claim('t')).toEqual({ kind: 'run' });
  });

  it('one replica at a time adopts a dead one: the adoption lock', async () => {
    const b = await store('replica-b');
    const c = await store('replica-c');
    expect(await b.replicas.tryAdopt('replica-a', 60_000)).toBe(true);
    expect(await c.replicas.tryAdopt('replica-a', 60_000)).toBe(false);
    await c.replicas.releaseAdoption('replica-a'); // not c's lock: left alone
    expect(await c.replicas.tryAdopt('replica-a', 60_000)).toBe(false);
    await b.replicas.releaseAdoption('replica-a');
    expect(await c.replicas.tryAdopt('replica-a', 60_000)).toBe(true);
  });

  it('forgetReplica removes an expired holder from the set', async () => {
    await store('replica-a', { livenessTtlMs: 1, livenessIntervalMs: 3_600_000 });
    const b = await store('replica-b');
    await until(async () => (await b.expiredReplicas()).includes('replica-a'));
    await b.forgetReplica('replica-a');
    expect(await b.expiredReplicas()).toEqual([]);
  });

  it('refreshes its liveness by itself', async () => {
    const s = await store('replica-a', { livenessTtlMs: 60_000, livenessIntervalMs: 5 });
    const c = client();
    const first = Number(await c.zscore(`test${prefix}:agent:replicas`, 'replica-a'));
    await until(async () => Number(await c.zscore(`test${prefix}:agent:replicas`, 'replica-a')) > first);
    expect(s.problem).toBeUndefined();
  });

  it('resize changes the TTL of later answers', async () => {
    const s = await store('r', { ttlMs: 60_000 });
    s.resize({ maxEntries: 1, ttlMs: 5_000 });
    await s.markAnswered('t');
    expect(await client().pttl(`test${prefix}:agent:answered:t`)).toBeLessThanOrEqual(5_000);
  });
});

describe('RedisDedupeStore when Redis goes away (own redis-server)', () => {
  it('stopped: DEDUPE_UNAVAILABLE, problem set, listeners told; back: problem cleared', async () => {
    const own = await startRedis({ persistence: true });
    try {
      const s = await store('r1', { url: own.url, keyPrefix: 'p:agent' });
      await s.markAnswered('before');
      let told = 0;
      s.onHealthChange(() => told++);
      const down = nextHealthChange(s);
      await own.kill();
      expect(await down).toEqual(expect.any(String));
      expect(s.problem).toEqual(expect.any(String));
      const err = await rejected(s.claim('t'));
      expect(err).toMatchObject({ code: 'AGENT_ERR_DEDUPE_UNAVAILABLE', data: { store: 'redis' } });
      await expect(s.markAnswered('t')).rejects.toMatchObject({ code: 'AGENT_ERR_DEDUPE_UNAVAILABLE' });
      const up = nextHealthChange(s);
      await own.restart();
      expect(await up).toBeUndefined();
      expect(s.problem).toBeUndefined();
      expect(await s.claim('before')).toEqual({ kind: 'answered' }); // persistence on: the data came back
      expect(await s.claim('t')).toEqual({ kind: 'run' });
      expect(told).toBe(2); // down once and up once, however often ioredis failed to reconnect between
      await s.close();
    } finally {
      await own.stop();
    }
  });

  it('a Redis that restarted empty hears from this holder again at once', async () => {
    const own = await startRedis();
    try {
      const s = await store('r1', {
        url: own.url,
        keyPrefix: 'p:agent',
        livenessIntervalMs: 3_600_000, // not the timer: the reconnection itself
      });
      opened.push(s);
      const down = nextHealthChange(s);
      await own.kill();
      await down;
      const up = nextHealthChange(s);
      await own.restart();
      await up;
      await until(async () => (await s.liveReplicas()).includes('r1'));
      await s.close();
    } finally {
      await own.stop();
    }
  });

  it('unreachable at open: AGENT_ERR_DEDUPE_UNAVAILABLE', async () => {
    const own = await startRedis();
    const url = own.url;
    await own.stop();
    const err = await rejected(
      RedisDedupeStore.open({
        url,
        keyPrefix: 'p:a',
        holder: 'r',
        maxEntries: 1,
        ttlMs: 1,
        log: recordingLogger(),
      }),
    );
    expect(err).toMatchObject({ code: 'AGENT_ERR_DEDUPE_UNAVAILABLE', data: { store: 'redis' } });
  });
});

describe('openDedupeStore with store = "redis"', () => {
  const settings: DedupeSettings = {
    store: 'redis',
    cache_size: 10,
    ttl_seconds: 60,
    file: 'unused',
    redis_url_env: 'TEST_REDIS_URL',
    key_prefix: 'kp',
  };
  const ctx = (env: NodeJS.ProcessEnv, log = recordingLogger()) => ({
    agentId: 'agent-1',
    dataDir: '/nonexistent',
    env,
    holder: 'h1',
    log,
  });

  it('a missing or empty URL variable is AGENT_ERR_CONFIG_SECRET_MISSING naming it', async () => {
    for (const env of [{}, { TEST_REDIS_URL: '' }])
      expect(await rejected(openDedupeStore(settings, ctx(env)))).toMatchObject({
        code: 'AGENT_ERR_CONFIG_SECRET_MISSING',
        data: { key: 'dedupe.redis_url_env', variable: 'TEST_REDIS_URL' },
      });
    expect(await rejected(openDedupeStore({ ...settings, redis_url_env: undefined }, ctx({})))).toMatchObject(
      { code: 'AGENT_ERR_CONFIG_SECRET_MISSING', data: { key: 'dedupe.redis_url_env' } },
    );
  });

  it('a value that is not a redis URL is AGENT_ERR_DEDUPE_STORE_OPEN without the value', async () => {
    for (const value of ['not a url', 'http://user:hunter22@host:1/', 'redis://'])
      expect(await rejected(openDedupeStore(settings, ctx({ TEST_REDIS_URL: value })))).toMatchObject({
        code: 'AGENT_ERR_DEDUPE_STORE_OPEN',
        data: {
          store: 'redis',
          location: '$TEST_REDIS_URL',
          reason: expect.not.stringContaining('hunter22') as string,
        },
      });
  });

  it('keys are <key_prefix>:<agent_id>:…; the password is used but never logged', async () => {
    const own = await startRedis({ extraConfig: ['requirepass s3cret-pass'] });
    try {
      const log = recordingLogger();
      const url = own.url.replace('redis://', 'redis://:s3cret-pass@');
      const s = await openDedupeStore(settings, ctx({ TEST_REDIS_URL: url }, log));
      opened.push(s as RedisDedupeStore);
      await s.markAnswered('t');
      const c = client(url);
      expect(await c.exists('kp:agent-1:answered:t')).toBe(1);
      expect(await c.zrange('kp:agent-1:replicas', 0, -1)).toEqual(['h1']);
      expect(log.entries.length).toBeGreaterThan(0);
      expect(JSON.stringify(log.entries)).not.toContain('s3cret-pass');
      expect(JSON.stringify(log.entries)).toContain(`127.0.0.1:${own.port}`);
      const wrong = own.url.replace('redis://', 'redis://:wrong-pass@');
      expect(await rejected(openDedupeStore(settings, ctx({ TEST_REDIS_URL: wrong }, log)))).toMatchObject({
        code: 'AGENT_ERR_DEDUPE_UNAVAILABLE',
        data: { store: 'redis' },
      });
      expect(JSON.stringify(log.entries)).not.toContain('wrong-pass');
      await s.close();
      c.disconnect();
    } finally {
      await own.stop();
    }
  });
});
