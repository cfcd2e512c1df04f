// `agent2389 agents` (the built CLI) against a real mosquitto and real agent processes.
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';

import { runCli, startAgentProcess, type AgentProcess } from '../helpers/agent-process.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { connectProbe } from '../helpers/mqtt-probe.js';
import { startRedis } from '../helpers/redis.js';
import { startPool } from '../helpers/replica-pool.js';
import { needs } from '../helpers/require-tool.js';

const agentToml = (id: string, url: string, capabilities: string[], tools: string[]) =>
  `[agent]\nid = "${id}"\ncapabilities = ${JSON.stringify(capabilities)}\n[mqtt]\nbroker_url = "${url}"\n` +
  `[llm]\nprovider = "scripted"\n[tools]\n${tools.map((t) => `${t} = "builtin"`).join('\n')}\n`;

let broker: Mosquitto;
let beta: AgentProcess;
beforeAll(async () => {
  broker = await startMosquitto();
  // Started in reverse order: the table is sorted by id, not by arrival.
  beta = await startAgentProcess(agentToml('ag-beta', broker.url, ['writing'], ['echo']));
  await startAgentProcess(
    agentToml('ag-alpha', broker.url, ['research', 'search'], ['echo', 'current_time']),
  );
});
afterAll(() => broker.stop());

const agents = (...args: string[]) =>
  runCli(['agents', '--broker-url', broker.url, '--wait', '500', ...args]);

describe('agent2389 agents', () => {
  it('prints a table of the agents with status, capabilities, tools, load and last seen, sorted by id', async () => {
    const r = await agents();
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^ID +STATUS +ROUTABLE +CAPABILITIES +TOOLS +LOAD +LAST SEEN$/);
    expect(lines[1]).toMatch(
      /^ag-alpha +available +yes +research,search +echo,current_time +0\.00 +\d+s ago$/,
    );
    expect(lines[2]).toMatch(/^ag-beta +available +yes +writing +echo +0\.00 +\d+s ago$/);
    // Columns line up: every row has STATUS where the header has it.
    const col = lines[0]!.indexOf('STATUS');
    expect(lines.slice(1).every((l) => l.indexOf('available') === col)).toBe(true);
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('--json prints the status messages with last_seen_ms', async () => {
    const r = await agents('--json');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(rows).toEqual([
      expect.objectContaining({
        agent_id: 'ag-alpha',
        status: 'available',
        capabilities: ['research', 'search'],
        tools: ['echo', 'current_time'],
        load: 0,
        timestamp: expect.any(String) as string,
        last_seen_ms: expect.any(Number) as number,
        routable: true,
      }),
      expect.objectContaining({ agent_id: 'ag-beta', tools: ['echo'], capabilities: ['writing'] }),
    ]);
    expect(rows[0]!.last_seen_ms).toBeGreaterThanOrEqual(0);
    expect(rows[0]!.last_seen_ms).toBeLessThan(60_000);
  });

  it('--available hides an agent that shut down (retained unavailable)', async () => {
    beta.signal('SIGTERM');
    expect(await beta.exited).toBe(0);
    const all = await agents();
    expect(all.stdout).toMatch(/\nag-beta +unavailable +no +writing/);
    const available = await agents('--available', '--json');
    expect((JSON.parse(available.stdout) as Array<{ agent_id: string }>).map((a) => a.agent_id)).toEqual([
      'ag-alpha',
    ]);
    const table = await agents('--available');
    expect(table.stdout).not.toContain('ag-beta');
    expect(table.stdout).toContain('ag-alpha');
  });
});

describe('agent2389 agents with no agents', () => {
  it('exits 0 with a friendly line on stderr (and [] for --json); malformed status payloads are skipped', async () => {
    const empty = await startMosquitto();
    onTestFinished(() => empty.stop());
    const probe = await connectProbe(empty.url);
    await probe.publish('/control/agents/broken/status', '{oops', { retain: true });
    const r = await runCli(['agents', '--broker-url', empty.url, '--wait', '300']);
    expect(r).toMatchObject({ code: 0, stdout: '' });
    expect(r.stderr).toContain('ignored 1 malformed status message(s)');
    expect(r.stderr).toMatch(/no agents known on mqtt:\/\/127\.0\.0\.1:\d+/);
    const json = await runCli(['agents', '--broker-url', empty.url, '--wait', '300', '--json']);
    expect(json).toMatchObject({ code: 0 });
    expect(JSON.parse(json.stdout)).toEqual([]);
  });

  it('exits 64 on a bad --wait', async () => {
    const r = await runCli(['agents', '--wait', 'soon']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--wait <ms>.*soon.*milliseconds/);
  });
});

describe('agent2389 agents --replicas with real replicas', () => {
  const deps = needs('mosquitto', 'redis');

  deps.it(
    'lists both replicas of a shared group under the agent, and one less after a graceful stop',
    async () => {
      const mqtt5 = await startMosquitto();
      onTestFinished(() => mqtt5.stop());
      const redis = await startRedis();
      onTestFinished(() => redis.stop());
      const agentId = 'ag-pool';
      const probe = await connectProbe(mqtt5.url, 5);
      await probe.subscribe(`/control/agents/${agentId}/replicas/+/status`);
      const [, b] = await startPool({ brokerUrl: mqtt5.url, redisUrl: redis.url, agentId }, 'g', [
        'r-a',
        'r-b',
      ]);
      await probe.waitFor(`/control/agents/${agentId}/replicas/`, 2);
      const run = (...args: string[]) =>
        runCli(['agents', '--broker-url', mqtt5.url, '--wait', '500', '--replicas', ...args]);
      type Row = { agent_id: string; status: string; replicas: Array<{ replica_id: string }> };
      const replicaIds = async (): Promise<string[]> => {
        const r = await run('--json');
        expect(r).toMatchObject({ code: 0, stderr: '' });
        const [agent] = JSON.parse(r.stdout) as Row[];
        expect(agent).toMatchObject({ agent_id: agentId, status: 'available' });
        return agent!.replicas.map((x) => x.replica_id);
      };
      expect(await replicaIds()).toEqual(['r-a', 'r-b']);
      const table = await run();
      expect(table.stdout.trimEnd().split('\n').slice(1)).toEqual([
        expect.stringMatching(/^ag-pool +available +/),
        expect.stringMatching(/^ {2}↳ r-a +available +\d\.\d\d +\d+s ago$/),
        expect.stringMatching(/^ {2}↳ r-b +available +\d\.\d\d +\d+s ago$/),
      ]);

      const cleared = probe.received.length;
      b.signal('SIGTERM');
      expect(await b.exited).toBe(0);
      // Its stop cleared its retained status (an empty payload): the broker no longer has it to list.
      await vi.waitFor(
        () =>
          expect(probe.received.slice(cleared).map((m) => [m.topic, m.payload])).toContainEqual([
            `/control/agents/${agentId}/replicas/r-b/status`,
            '',
          ]),
        { timeout: 20_000 },
      );
      expect(await replicaIds()).toEqual(['r-a']);
    },
  );
});
