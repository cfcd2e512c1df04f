// Test helper: replicas of one agent id as real agent processes (mosquitto + Redis), their logs and health,
// and a Will canary that tells when a delayed Will would have fired.
import { randomUUID } from 'node:crypto';

import mqtt from 'mqtt';
import { onTestFinished } from 'vitest';

import { statusTopic } from '../../src/core/protocol/topics.js';
import { startAgentProcess, type AgentProcess } from './agent-process.js';
import { brokerAgentToml } from './broker-agent-toml.js';
import { CHAOS_BROKER, startMosquitto } from './mosquitto.js';
import { connectProbe, type Probe } from './mqtt-probe.js';
import { startRedis, type RedisServer } from './redis.js';

/** The log message of a finished adoption (src/core/delivery/replica-failover.ts). */
export const ADOPTED = /replica failover: adopted a dead replica/;

/** A broker (persistence, no queue cap), a Redis and an MQTT 5 probe, all closed after the test. */
export async function startPoolInfra(
  redisPersistence = false,
): Promise<{ brokerUrl: string; redis: RedisServer; probe: Probe }> {
  const broker = await startMosquitto({ extraConfig: CHAOS_BROKER });
  onTestFinished(() => broker.stop());
  const redis = await startRedis({ persistence: redisPersistence });
  onTestFinished(() => redis.stop());
  const probe = await connectProbe(broker.url, 5);
  return { brokerUrl: broker.url, redis, probe };
}

export interface ReplicaOptions {
  readonly brokerUrl: string;
  readonly redisUrl: string;
  readonly agentId: string;
  /** With `sharedGroup`: `[agent] replica_id`. */
  readonly replicaId?: string;
  /** `[mqtt] shared_group`; unset: one agent process with the Redis store. */
  readonly sharedGroup?: string;
  readonly concurrency?: number;
}

/** The config of one replica (top-level keys first: TOML would put them in the last table otherwise). */
export function replicaToml(o: ReplicaOptions): string {
  return brokerAgentToml({
    id: o.agentId,
    brokerUrl: o.brokerUrl,
    maxConcurrent: o.concurrency ?? 2,
    store: 'redis',
    ...(o.sharedGroup !== undefined ? { sharedGroup: o.sharedGroup } : {}),
    ...(o.replicaId !== undefined ? { replicaId: o.replicaId } : {}),
  });
}

/** Start one replica (an `agent2389 run` process) and wait until it is available. */
export function startReplica(o: ReplicaOptions): Promise<AgentProcess> {
  return startAgentProcess(replicaToml(o), { REDIS_URL: o.redisUrl });
}

/** Start replicas `ids` of one agent id in the shared group `group`, one after the other (in that order). */
export async function startPool<const T extends readonly string[]>(
  base: Omit<ReplicaOptions, 'replicaId' | 'sharedGroup'>,
  group: string,
  ids: T,
): Promise<{ [K in keyof T]: AgentProcess }> {
  const pool: AgentProcess[] = [];
  for (const id of ids) pool.push(await startReplica({ ...base, sharedGroup: group, replicaId: id }));
  return pool as { [K in keyof T]: AgentProcess };
}

/** The health server's base URL, from its log line (HEALTH_PORT=0: any free port). */
export async function healthUrl(agent: AgentProcess): Promise<string> {
  await agent.waitForLog(/health server listening/);
  const line = agent.logs().find((l) => String(l.msg).startsWith('health server listening'));
  return String(line?.url);
}

/** The first of `agents` to log a line matching `pattern` (the others may log it too). */
export function firstToLog(
  agents: readonly AgentProcess[],
  pattern: RegExp,
  timeoutMs: number,
): Promise<AgentProcess> {
  return Promise.any(agents.map((a) => a.waitForLog(pattern, timeoutMs).then(() => a)));
}

/** What the probe received on exactly `topic` (its messages `from` to `to`): parsed, null if cleared (empty). */
export function statusesOn(
  probe: Probe,
  topic: string,
  from = 0,
  to?: number,
): Array<Record<string, unknown> | null> {
  return probe.received
    .slice(from, to)
    .filter((r) => r.topic === topic)
    .map((r) => (r.payload === '' ? null : r.json()));
}

/** Whether the probe saw the agent's logical status `unavailable` (among its messages `from` to `to`). */
export function unavailableSince(probe: Probe, agentId: string, from: number, to?: number): boolean {
  return statusesOn(probe, statusTopic(agentId), from, to).some((s) => s?.status === 'unavailable');
}

/** The replicas `adopter` adopted, from its log lines. */
export function adoptedBy(adopter: AgentProcess): unknown[] {
  return adopter
    .logs()
    .filter((l) => ADOPTED.test(String(l.msg)))
    .map((l) => l.adopting);
}

export interface WillCanary {
  /** The topic its Will is published on (subscribe to it before sever()). */
  readonly topic: string;
  /** Drop the TCP connection without DISCONNECT: the broker starts the Will's delay now. */
  sever(): void;
}

/**
 * An MQTT 5 client whose Will is delayed `delaySeconds` (its session outlives it, so the delay applies).
 * Severed right after the last replica is killed, with a longer delay than the replicas' Wills, its Will
 * arrives after every replica Will due by then: an event to wait on instead of a sleep. (mosquitto 2.0.11
 * keeps pending Wills sorted by delay interval, not due time, and stops at the first one not due: a Will
 * added later with a shorter or equal delay holds the earlier ones back. Hence "after the last kill".)
 */
export async function willCanary(url: string, delaySeconds: number): Promise<WillCanary> {
  const topic = `test/canary/${randomUUID()}`;
  const client = await mqtt.connectAsync(url, {
    protocolVersion: 5,
    clientId: `canary-${randomUUID().slice(0, 8)}`,
    clean: true,
    reconnectPeriod: 0,
    properties: { sessionExpiryInterval: delaySeconds + 60 },
    will: {
      topic,
      payload: Buffer.from('fired'),
      qos: 1,
      retain: false,
      properties: { willDelayInterval: delaySeconds },
    },
  });
  onTestFinished(() => void client.end(true));
  return { topic, sever: () => client.stream.destroy() };
}
