// Lua scripts of the Redis dedupe store: each decision is one atomic script. Times are Redis's own
// clock (TIME), so replicas whose clocks disagree still agree on whose liveness has expired.
import type { Redis } from 'ioredis';

/** Milliseconds since the epoch on the Redis server. */
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS answered, claim, replicas; ARGV holder, claimTtlMs → {'answered'} | {'held', holder} | {'run'}.
 * An answered id wins; a claim of another holder whose liveness has not expired is 'held'; anything
 * else (no claim, our own, or one of a holder that is dead or gone from the set) becomes ours.
 */
const CLAIM = `if redis.call('EXISTS', KEYS[1]) == 1 then return {'answered'} end
local current = redis.call('GET', KEYS[2])
if current and current ~= ARGV[1] then
  local expiry = redis.call('ZSCORE', KEYS[3], current)
  if expiry then
    ${NOW}
    if tonumber(expiry) >= now then return {'held', current} end
  end
end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return {'run'}`;

/** KEYS answered, claim; ARGV holder, ttlMs: record the answer, drop our claim (not one taken over since). */
const MARK_ANSWERED = `redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1`;

/** KEYS claim; ARGV holder: delete the claim only if we hold it. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** KEYS replicas; ARGV holder, livenessTtlMs: this holder is alive until now + ttl. */
const HEARTBEAT = `${NOW}
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return now`;

/** KEYS replicas; ARGV 'live' | 'expired': members whose expiry is not yet / already past. */
const REPLICAS = `${NOW}
if ARGV[1] == 'live' then return redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf') end
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)`;

export type ClaimReply = [kind: 'answered' | 'run'] | [kind: 'held', holder: string];

/** The scripts as methods of the client (ioredis runs them by EVALSHA, and reloads them after a Redis restart). */
export interface DedupeScripts {
  dedupeClaim(
    answered: string,
    claim: string,
    replicas: string,
    holder: string,
    ttlMs: number,
  ): Promise<ClaimReply>;
  dedupeMarkAnswered(answered: string, claim: string, holder: string, ttlMs: number): Promise<number>;
  dedupeRelease(claim: string, holder: string): Promise<number>;
  dedupeHeartbeat(replicas: string, holder: string, ttlMs: number): Promise<number>;
  dedupeReplicas(replicas: string, which: 'live' | 'expired'): Promise<string[]>;
}

/** Define the scripts on `redis` (before it connects). */
export function defineDedupeScripts(redis: Redis): Redis & DedupeScripts {
  redis.defineCommand('dedupeClaim', { numberOfKeys: 3, lua: CLAIM });
  redis.defineCommand('dedupeMarkAnswered', { numberOfKeys: 2, lua: MARK_ANSWERED });
  redis.defineCommand('dedupeRelease', { numberOfKeys: 1, lua: RELEASE });
  redis.defineCommand('dedupeHeartbeat', { numberOfKeys: 1, lua: HEARTBEAT });
  redis.defineCommand('dedupeReplicas', { numberOfKeys: 1, lua: REPLICAS });
  // defineCommand adds these methods at run time; the interface above is their typed face.
  return redis as Redis & DedupeScripts;
}
