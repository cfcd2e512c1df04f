import { describe, expect, it } from 'vitest';

import {
  MAX_REPLICA_STATUS_BYTES,
  MAX_REPLICAS,
  ReplicaDirectory,
  parseReplicaTopic,
} from '../../src/cli/agents-replicas.js';
import { AgentDirectory, agentsJson, agentsTable } from '../../src/cli/agents-table.js';
import { createPalette } from '../../src/cli/terminal-style.js';

const NOW = Date.parse('2026-11-25T10:15:34.500Z');
const status = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  agent_id: id,
  status: 'available',
  timestamp: '2026-11-25T10:15:30.123Z',
  capabilities: ['writing'],
  tools: ['echo'],
  load: 0.25,
  version: '0.1.0',
  ...extra,
});
const topic = (agent: string, replica: string) => `/control/agents/${agent}/replicas/${replica}/status`;
const bytes = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
const replica = (agent: string, id: string, extra: Record<string, unknown> = {}) =>
  bytes({ ...status(agent), replica_id: id, ...extra });

function agents(): AgentDirectory {
  const d = new AgentDirectory();
  d.add('/control/agents/writer/status', JSON.stringify(status('writer', { load: 0.5 })));
  d.add('/control/agents/editor/status', JSON.stringify(status('editor', { tools: [] })));
  return d;
}

function replicas(): ReplicaDirectory {
  const r = new ReplicaDirectory();
  r.add(topic('writer', 'host-b-2'), replica('writer', 'host-b-2', { load: 0.75 }));
  r.add(
    topic('writer', 'host-a-1'),
    replica('writer', 'host-a-1', { timestamp: '2026-11-25T10:10:34.500Z' }),
  );
  return r;
}

describe('parseReplicaTopic', () => {
  it('names the agent and replica of a replica status topic only', () => {
    expect(parseReplicaTopic('/control/agents/w/replicas/r-1/status')).toEqual({
      agentId: 'w',
      replicaId: 'r-1',
    });
    expect(parseReplicaTopic('control//agents/w/replicas/r-1/status/')).toEqual({
      agentId: 'w',
      replicaId: 'r-1',
    });
    expect(parseReplicaTopic('/control/agents/w/status')).toBeUndefined();
    expect(parseReplicaTopic('/control/agents/w/replicas/r-1/input')).toBeUndefined();
    expect(parseReplicaTopic('/control/agents/w/replicas/r-1/status/x')).toBeUndefined();
  });
});

describe('ReplicaDirectory', () => {
  it('keeps the latest status per replica, grouped by agent and sorted by replica id', () => {
    const r = replicas();
    r.add(topic('writer', 'host-b-2'), replica('writer', 'host-b-2', { load: 1 }));
    expect(r.of('writer').map((x) => [x.replicaId, x.status.load])).toEqual([
      ['host-a-1', 0.25],
      ['host-b-2', 1],
    ]);
    expect(r.of('editor')).toEqual([]);
  });

  it('does not take other topics (the caller handles them)', () => {
    const r = new ReplicaDirectory();
    expect(r.add('/control/agents/writer/status', bytes(status('writer')))).toBe(false);
    expect(r.add(topic('writer', 'a'), replica('writer', 'a'))).toBe(true);
  });

  it('forgets a replica on an empty (cleared) retained payload', () => {
    const r = replicas();
    expect(r.add(topic('writer', 'host-a-1'), Buffer.alloc(0))).toBe(true);
    r.add(topic('writer', 'never-seen'), Buffer.alloc(0));
    expect(r.of('writer').map((x) => x.replicaId)).toEqual(['host-b-2']);
    r.add(topic('writer', 'host-b-2'), Buffer.alloc(0));
    expect(r.of('writer')).toEqual([]);
    expect(r.ignored).toBe(0);
  });

  it('ignores and counts malformed payloads, leaving the replicas known so far', () => {
    const r = replicas();
    const bad = [
      bytes('{oops'),
      bytes('[1,2]'),
      bytes('"available"'),
      bytes({ agent_id: 'writer', replica_id: 'host-a-1' }), // no status
      replica('writer', 'host-a-1', { replica_id: 'someone-else' }), // claims another replica
      Buffer.from([0xff, 0xfe, 0x00]),
      replica('writer', 'host-a-1', { padding: 'x'.repeat(MAX_REPLICA_STATUS_BYTES) }), // too large
    ];
    for (const payload of bad) expect(r.add(topic('writer', 'host-a-1'), payload)).toBe(true);
    expect(r.ignored).toBe(bad.length);
    expect(r.of('writer').map((x) => [x.replicaId, x.status.padding])).toEqual([
      ['host-a-1', undefined],
      ['host-b-2', undefined],
    ]);
  });

  it('accepts a status without replica_id (the topic names the replica)', () => {
    const r = new ReplicaDirectory();
    r.add(topic('writer', 'r1'), bytes(status('writer')));
    expect(r.of('writer').map((x) => x.replicaId)).toEqual(['r1']);
  });

  it(`keeps at most ${MAX_REPLICAS} replicas, counts the rest, and makes room when one is cleared`, () => {
    const r = new ReplicaDirectory();
    const payload = bytes(status('a'));
    for (let i = 0; i < MAX_REPLICAS; i++) r.add(topic(`a${i % 7}`, `r${i}`), payload);
    r.add(topic('late', 'x'), payload);
    r.add(topic('late', 'y'), payload);
    expect(r.overflow).toBe(2);
    expect(r.of('late')).toEqual([]);
    r.add(topic('a0', 'r0'), payload); // a known replica is still updated
    expect(r.overflow).toBe(2);
    r.add(topic('a0', 'r0'), Buffer.alloc(0));
    r.add(topic('late', 'x'), payload);
    expect(r.of('late').map((x) => x.replicaId)).toEqual(['x']);
  });

  it('counts the replicas of agents without a (shown) status as orphans', () => {
    const r = replicas();
    r.add(topic('ghost', 'g1'), replica('ghost', 'g1'));
    expect(r.orphans(new Set(['writer', 'editor']))).toBe(1);
    expect(r.orphans(new Set(['editor']))).toBe(3);
  });
});

describe('agentsTable with replicas', () => {
  it('lists each agent’s replicas as indented rows under it, in the same columns', () => {
    const lines = agentsTable(agents().list(), NOW, createPalette(false), replicas()).split('\n');
    expect(lines).toEqual([
      'ID            STATUS     ROUTABLE  CAPABILITIES  TOOLS  LOAD  LAST SEEN',
      'editor        available  yes       writing       -      0.25  4s ago',
      'writer        available  yes       writing       echo   0.50  4s ago',
      '  ↳ host-a-1  available                                 0.25  5m ago',
      '  ↳ host-b-2  available                                 0.75  4s ago',
    ]);
  });

  it('shows hostile replica text without control characters, cut to a bounded width', () => {
    const r = new ReplicaDirectory();
    const id = `evil\u001b[2J${'x'.repeat(200)}`;
    r.add(
      topic('writer', id),
      bytes({ ...status('writer'), status: 'ok\u001b]0;pwned\u0007', load: 'high' }),
    );
    const rows = agentsTable(agents().list(), NOW, createPalette(false), r).split('\n');
    const row = rows[3]!;
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(row).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(row.startsWith('  ↳ evil?[2Jxxx')).toBe(true);
    expect(row).toContain('…');
    expect(row).toContain('ok?]0;pwned?');
    expect(row.length).toBeLessThan(200);
    expect(row).toMatch(/ - +4s ago$/); // a non-numeric load reads '-'
  });

  it('without replicas the table is unchanged', () => {
    const without = agentsTable(agents().list(), NOW, createPalette(false));
    expect(without.split('\n')).toHaveLength(3);
    expect(without).not.toContain('↳');
  });
});

describe('agentsJson with replicas', () => {
  it('gives each agent a replicas array of status objects with replica_id and last_seen_ms', () => {
    const rows = JSON.parse(agentsJson(agents().list(), NOW, replicas())) as Array<Record<string, unknown>>;
    expect(rows.map((a) => [a.agent_id, a.last_seen_ms])).toEqual([
      ['editor', 4377],
      ['writer', 4377],
    ]);
    expect(rows[0]!.replicas).toEqual([]);
    expect(rows[1]!.replicas).toEqual([
      {
        ...status('writer', { timestamp: '2026-11-25T10:10:34.500Z' }),
        replica_id: 'host-a-1',
        last_seen_ms: 300_000,
      },
      { ...status('writer', { load: 0.75 }), replica_id: 'host-b-2', last_seen_ms: 4377 },
    ]);
  });

  it('has no replicas key without --replicas', () => {
    const rows = JSON.parse(agentsJson(agents().list(), NOW)) as Array<Record<string, unknown>>;
    expect(rows.every((a) => !('replicas' in a))).toBe(true);
  });
});
