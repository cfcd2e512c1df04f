// Replicas of one agent id behind a shared subscription (issue 16, docs/scaling.md): failover by session
// takeover, the logical and per-replica statuses, graceful stops, and a Redis outage — real processes.
import { describe, expect, onTestFinished } from 'vitest';

import { REPLICA_WILL_DELAY_SECONDS } from '../../../src/core/agent/agent-link.js';
import { replicaStatusTopic, statusTopic } from '../../../src/core/protocol/topics.js';
import {
  ADOPTED,
  adoptedBy,
  firstToLog,
  healthUrl,
  startPool,
  startPoolInfra as infra,
  startReplica,
  statusesOn,
  unavailableSince,
  willCanary,
} from '../../helpers/replica-pool.js';
import { needs } from '../../helpers/require-tool.js';
import { startTaskLoad } from '../../helpers/task-load.js';

const CONCURRENCY = 2;
const WAIT = 120_000; // an event's generous timeout (a loaded 2-core machine)

describe('delivery: replicas behind a shared subscription', () => {
  const deps = needs('mosquitto', 'redis');

  deps.it(
    'three replicas, one killed with -9 mid-load: every task answered once, the dead one adopted, the agent stays available',
    async () => {
      const agentId = 'pool-kill';
      const { brokerUrl, redis, probe } = await infra();
      const base = { brokerUrl, redisUrl: redis.url, agentId, concurrency: CONCURRENCY };
      const [a, b, c] = await startPool(base, 'g', ['a', 'b', 'c']);
      await probe.subscribe(statusTopic(agentId));
      await probe.subscribe(replicaStatusTopic(agentId, '+'));
      const retained = await probe.waitFor(`/control/agents/${agentId}/replicas/`, 3, WAIT);
      expect(retained.map((r) => [r.topic, r.retain, r.json().replica_id]).sort()).toEqual(
        ['a', 'b', 'c'].map((id) => [replicaStatusTopic(agentId, id), true, id]),
      );
      // Its Will is delayed one second more than the replica's: once it arrives, b's would have too.
      const canary = await willCanary(brokerUrl, REPLICA_WILL_DELAY_SECONDS + 1);
      await probe.subscribe(canary.topic);

      const load = await startTaskLoad({ url: brokerUrl, agentId, delayMs: 50 });
      onTestFinished(() => load.close());
      await load.publishAll(300);
      await load.waitFor('60 answers', () => load.answered >= 60);
      for (const r of [a, b, c]) await r.waitForLog(/"msg":"task finished"/, WAIT); // all three ran tasks
      const mark = probe.received.length;
      const atKill = load.answered;
      b.signal('SIGKILL');
      await b.exited;
      canary.sever();
      const afterKill = load.answered;

      const adopter = await firstToLog([a, c], ADOPTED, WAIT);
      await load.waitFor('every task answered', () => load.answered === load.sent, WAIT);
      await load.barrier();
      await probe.waitFor(canary.topic, 1, WAIT);

      // The one crash window (docs/scaling.md): b's answers the broker took just before the kill, not yet
      // recorded. They reach the load's collector among the answers (of any replica) just before or after it.
      const slack = 3 * CONCURRENCY;
      const inWindow = new Set(load.order().slice(Math.max(0, atKill - slack), afterKill + slack));
      const twice = load.duplicates();
      expect(
        {
          lost: load.lost().length,
          twiceOutsideTheWindow: twice.filter((id) => !inWindow.has(id)).length,
          twiceAtMostConcurrency: twice.length <= CONCURRENCY,
          adopted: adoptedBy(adopter),
          unavailableAfterTheKill: unavailableSince(probe, agentId, mark),
          bStatusCleared: statusesOn(probe, replicaStatusTopic(agentId, 'b'), mark).includes(null),
        },
        `answered at the kill ${atKill}, after it ${afterKill}; ${load.report()}`,
      ).toEqual({
        lost: 0,
        twiceOutsideTheWindow: 0,
        twiceAtMostConcurrency: true,
        adopted: ['b'],
        unavailableAfterTheKill: false,
        bStatusCleared: true,
      });
    },
    300_000,
  );

  deps.it(
    'killing the last replicas with -9 flips the agent to unavailable once the last Will is due',
    async () => {
      const agentId = 'pool-last';
      const { brokerUrl, redis, probe } = await infra();
      const [a, c] = await startPool({ brokerUrl, redisUrl: redis.url, agentId }, 'g', ['a', 'c']);
      await probe.subscribe(statusTopic(agentId));
      await probe.waitFor(statusTopic(agentId), 1, WAIT);

      const canary = await willCanary(brokerUrl, REPLICA_WILL_DELAY_SECONDS + 1);
      await probe.subscribe(canary.topic);
      a.signal('SIGKILL');
      await a.exited;
      await c.waitForLog(ADOPTED, WAIT); // the first is adopted by the last
      const mark = probe.received.length;
      c.signal('SIGKILL'); // the last has nobody: its Will fires after its delay
      await c.exited;
      canary.sever(); // after the last kill: its Will comes after c's, and after a's had it not been cancelled
      await probe.waitFor(canary.topic, 1, WAIT);
      expect({
        adopted: adoptedBy(c),
        unavailableBeforeTheLastKill: unavailableSince(probe, agentId, 0, mark),
        unavailable: statusesOn(probe, statusTopic(agentId)).filter((s) => s?.status === 'unavailable')
          .length,
      }).toEqual({ adopted: ['a'], unavailableBeforeTheLastKill: false, unavailable: 1 });
    },
    300_000,
  );

  deps.it(
    'SIGTERM of one of two replicas with tasks queued: none lost, its session adopted, still available; SIGTERM of the last: unavailable at once',
    async () => {
      const agentId = 'pool-term';
      const { brokerUrl, redis, probe } = await infra();
      const base = { brokerUrl, redisUrl: redis.url, agentId, concurrency: CONCURRENCY };
      const [a, b] = await startPool(base, 'g', ['a', 'b']);
      await probe.subscribe(statusTopic(agentId));
      await probe.subscribe(replicaStatusTopic(agentId, '+'));
      await probe.waitFor(`/control/agents/${agentId}/replicas/`, 2, WAIT);

      const load = await startTaskLoad({ url: brokerUrl, agentId, delayMs: 50 });
      onTestFinished(() => load.close());
      await load.publishAll(200);
      await load.waitFor('30 answers', () => load.answered >= 30);
      for (const r of [a, b]) await r.waitForLog(/"msg":"task finished"/, WAIT);
      const mark = probe.received.length;
      b.signal('SIGTERM');
      expect(await b.exited).toBe(0);
      await a.waitForLog(ADOPTED, WAIT);
      await load.waitFor('every task answered', () => load.answered === load.sent, WAIT);
      await load.barrier();
      expect(
        {
          lost: load.lost().length,
          twice: load.duplicates().length,
          adopted: adoptedBy(a),
          unavailable: unavailableSince(probe, agentId, mark),
          bStatusCleared: statusesOn(probe, replicaStatusTopic(agentId, 'b'), mark).includes(null),
        },
        load.report(),
      ).toEqual({ lost: 0, twice: 0, adopted: ['b'], unavailable: false, bStatusCleared: true });

      const last = probe.received.length;
      a.signal('SIGTERM');
      expect(await a.exited).toBe(0);
      // Published before the process exits; a graceful disconnect never fires the (15 s delayed) Will.
      await expect
        .poll(() => unavailableSince(probe, agentId, last), { timeout: 10_000, interval: 20 })
        .toBe(true);
    },
    300_000,
  );

  deps.it(
    'Redis stopped mid-run: tasks held, none lost or answered twice, /ready 503 and a coded error; all answered once Redis is back',
    async () => {
      const agentId = 'redis-down';
      const { brokerUrl, redis } = await infra(true);
      const agent = await startReplica({ brokerUrl, redisUrl: redis.url, agentId, concurrency: 4 });
      const ready = `${await healthUrl(agent)}/ready`;
      const readyStatus = async (): Promise<number> => (await fetch(ready)).status;
      expect(await readyStatus()).toBe(200);

      const load = await startTaskLoad({ url: brokerUrl, agentId, delayMs: 20 });
      onTestFinished(() => load.close());
      const pacer = load.startPaced(40);
      onTestFinished(() => pacer.halt());
      await load.waitFor('40 answers', () => load.answered >= 40);
      await redis.kill(); // stopped without warning; restart() brings it back on the same port and data
      await agent.waitForLog(/AGENT_ERR_DEDUPE_UNAVAILABLE|dedupe store unavailable/, WAIT);
      await expect.poll(readyStatus, { timeout: WAIT, interval: 100 }).toBe(503);
      const acked = load.acked;
      await load.waitFor(
        '40 more tasks taken by the broker while Redis is down',
        () => load.acked >= acked + 40,
      );
      const duringOutage = { twice: load.duplicates().length, ready: await readyStatus() };

      await redis.restart();
      await pacer.stop();
      await load.waitFor('every task answered', () => load.answered === load.sent, WAIT);
      await load.barrier();
      await expect.poll(readyStatus, { timeout: WAIT, interval: 100 }).toBe(200);
      expect(
        { duringOutage, lost: load.lost().length, twice: load.duplicates().length },
        load.report(),
      ).toEqual({ duringOutage: { twice: 0, ready: 503 }, lost: 0, twice: 0 });
    },
    300_000,
  );
});
