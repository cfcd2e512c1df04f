import { describe, expect, it } from 'vitest';

import type { ReplicaRegistry } from '../../../src/core/delivery/dedupe-store.js';
import { ReplicaFailover, type FailoverHost } from '../../../src/core/delivery/replica-failover.js';
import { silentLogger } from '../../../src/core/observability/silent-logger.js';
import type { Transport } from '../../../src/core/transport/transport.js';

/** A registry whose expired members are `expired`; records adoption attempts and refuses every lock. */
function registry(expired: string[]): ReplicaRegistry & { tried: string[] } {
  const tried: string[] = [];
  return {
    tried,
    liveReplicas: () => Promise.resolve([]),
    expiredReplicas: () => Promise.resolve(expired),
    tryAdopt: (replica) => {
      tried.push(replica);
      return Promise.resolve(false);
    },
    releaseAdoption: () => Promise.resolve(),
    forgetReplica: () => Promise.resolve(),
  };
}

function host(reg: ReplicaRegistry, serving = true): FailoverHost {
  return {
    log: silentLogger,
    registry: reg,
    replicaId: 'me',
    subscription: '$share/g//control/agents/a/input',
    adoptionTimeoutMs: 1_000,
    serving: () => serving,
    transportAs: () => {
      throw new Error('not reached: every lock is refused');
    },
    statusTopicOf: (r) => `/control/agents/a/replicas/${r}/status`,
    onMessage: () => undefined,
  } satisfies FailoverHost & { transportAs: () => Transport };
}

describe('ReplicaFailover.scan', () => {
  it('tries to adopt every expired replica but itself, and only names a replica could have (hostile Redis content)', async () => {
    const reg = registry(['dead-1', 'me', 'bad/+#', '', 'x'.repeat(129), 'dead.2']);
    await new ReplicaFailover(host(reg)).scan();
    expect(reg.tried).toEqual(['dead-1', 'dead.2']);
  });

  it('adopts nothing while this replica does not serve (starting, draining)', async () => {
    const reg = registry(['dead-1']);
    await new ReplicaFailover(host(reg, false)).scan();
    expect(reg.tried).toEqual([]);
  });

  it('a registry that fails is logged and tried again at the next scan; scan never throws', async () => {
    const reg = { ...registry([]), expiredReplicas: () => Promise.reject(new Error('redis down')) };
    await expect(new ReplicaFailover(host(reg)).scan()).resolves.toBeUndefined();
  });
});
