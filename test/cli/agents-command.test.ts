// `agent2389 agents --replicas` in this process, against the embedded broker: a real agent retains the
// logical status; the per-replica statuses (published by replicas of [mqtt] shared_group, which needs an
// MQTT 5 broker and Redis) are retained here by a probe, hostile ones included.
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createAgent } from '../../src/index.js';
import type { Agent } from '../../src/core/agent/agent.js';
import { parseConfigText } from '../../src/core/config/load.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/core/transport/embedded-broker.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';

const log = pino({ level: 'silent' });
let broker: EmbeddedBroker;
const agents: Agent[] = [];

async function startAgent(id: string): Promise<void> {
  const text =
    `[agent]\nid = "${id}"\ncapabilities = ["cli-test"]\n[mqtt]\nbroker_url = "${broker.url}"\n` +
    `[llm]\nprovider = "scripted"\n[lifecycle]\nshutdown_grace_seconds = 0\n[health]\nenabled = false\n` +
    `[tools]\necho = "builtin"\n`;
  const { config } = parseConfigText(text, `${id}.toml`, { env: {} });
  const agent = createAgent(config, { log });
  agents.push(agent);
  await agent.start();
}

const replicaTopic = (agent: string, replica: string) =>
  `/control/agents/${agent}/replicas/${replica}/status`;
const replicaStatus = (agent: string, replica: string, load: number) =>
  JSON.stringify({
    agent_id: agent,
    status: 'available',
    timestamp: new Date().toISOString(),
    capabilities: ['cli-test'],
    tools: ['echo'],
    load,
    version: '0.1.0',
    replica_id: replica,
  });

beforeAll(async () => {
  broker = await startEmbeddedBroker({ port: 0, log });
  await startAgent('rp-pool');
  await startAgent('rp-solo');
  const probe = await mqtt.connectAsync(broker.url, { clientId: 'agents-command-probe', clean: true });
  const retain = (topic: string, payload: string) =>
    probe.publishAsync(topic, payload, { qos: 1, retain: true });
  await retain(replicaTopic('rp-pool', 'host-b-2'), replicaStatus('rp-pool', 'host-b-2', 0.5));
  await retain(replicaTopic('rp-pool', 'host-a-1'), replicaStatus('rp-pool', 'host-a-1', 0.25));
  // A replica that stopped (or was adopted): its status was cleared.
  await retain(replicaTopic('rp-pool', 'host-gone'), replicaStatus('rp-pool', 'host-gone', 1));
  await retain(replicaTopic('rp-pool', 'host-gone'), '');
  // Hostile broker content: not a status message.
  await retain(replicaTopic('rp-pool', 'host-bad'), '{"status": 42');
  await probe.endAsync();
});
afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await broker?.close();
});

const cli = (...args: string[]) =>
  runCliInProcess(['agents', '--broker-url', broker.url, '--wait', '2000', ...args]);

describe('agent2389 agents --replicas (in process)', () => {
  it('--json gives each agent a replicas array: live ones listed, cleared and malformed ones not', async () => {
    const r = await cli('--replicas', '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('ignored 1 malformed replica status message(s)\n');
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(rows.map((a) => a.agent_id)).toEqual(['rp-pool', 'rp-solo']);
    expect(rows[0]!.replicas).toEqual([
      expect.objectContaining({
        agent_id: 'rp-pool',
        replica_id: 'host-a-1',
        status: 'available',
        load: 0.25,
        timestamp: expect.any(String) as string,
        last_seen_ms: expect.any(Number) as number,
      }),
      expect.objectContaining({ replica_id: 'host-b-2', status: 'available', load: 0.5 }),
    ]);
    expect(rows[1]!.replicas).toEqual([]);
  });

  it('the table lists the replicas as indented rows under their agent', async () => {
    const r = await cli('--replicas');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^ID +STATUS +ROUTABLE +CAPABILITIES +TOOLS +LOAD +LAST SEEN$/);
    expect(lines[1]).toMatch(/^rp-pool +available +yes +cli-test +echo +\d\.\d\d +\d+s ago$/);
    expect(lines[2]).toMatch(/^ {2}↳ host-a-1 +available +0\.25 +\d+s ago$/);
    expect(lines[3]).toMatch(/^ {2}↳ host-b-2 +available +0\.50 +\d+s ago$/);
    expect(lines[4]).toMatch(/^rp-solo +available/);
    const col = lines[0]!.indexOf('LOAD');
    expect(lines[2]!.indexOf('0.25')).toBe(col);
  });

  it('refuses a value for --replicas before connecting (64)', async () => {
    const r = await runCliInProcess(['agents', '--broker-url', 'mqtt://127.0.0.1:1', '--replicas=all']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--replicas/);
  });

  it('refuses a --stale-after that is not a positive number of seconds (64)', async () => {
    for (const bad of ['0', '-5', 'soon']) {
      const r = await runCliInProcess(['agents', '--broker-url', 'mqtt://127.0.0.1:1', '--stale-after', bad]);
      expect(r.code).toBe(64);
      expect(r.stderr).toMatch(/--stale-after/);
    }
  });

  it('--stale-after decides which agents --json marks routable', async () => {
    const fresh = JSON.parse((await cli('--json')).stdout) as Array<Record<string, unknown>>;
    expect(fresh.map((a) => a.routable)).toEqual([true, true]);
    // Statuses are never younger than 0 ms: with a stale-after of 1 µs none is routable.
    const stale = JSON.parse((await cli('--json', '--stale-after', '0.000001')).stdout) as Array<
      Record<string, unknown>
    >;
    expect(stale.map((a) => a.routable)).toEqual([false, false]);
  });

  it('without --replicas nothing about replicas is shown', async () => {
    const r = await cli('--json');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(rows.map((a) => a.agent_id)).toEqual(['rp-pool', 'rp-solo']);
    expect(rows.every((a) => !('replicas' in a))).toBe(true);
  });
});
