import { describe, expect, it } from 'vitest';

import { AgentDirectory, agentsJson, agentsTable, isRoutable } from '../../src/cli/agents-table.js';
import { createPalette } from '../../src/cli/terminal-style.js';

const NOW = Date.parse('2026-11-25T10:15:34.500Z');
const status = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    agent_id: id,
    status: 'available',
    timestamp: '2026-11-25T10:15:30.123Z',
    capabilities: ['writing'],
    tools: ['http_request', 'current_time'],
    load: 0.25,
    version: '0.1.0',
    ...extra,
  });

function directory(): AgentDirectory {
  const d = new AgentDirectory();
  d.add('/control/agents/writer/status', status('writer'));
  d.add(
    '/control/agents/editor/status',
    status('editor', { status: 'unavailable', tools: [], capabilities: [] }),
  );
  d.add('/control/agents/alpha/status', status('alpha', { timestamp: '2026-11-25T10:10:34.500Z', load: 1 }));
  return d;
}

describe('AgentDirectory', () => {
  it('keeps the latest status per agent, sorted by id', () => {
    const d = directory();
    d.add('/control/agents/writer/status', status('writer', { load: 0.5 }));
    expect(d.list().map((a) => a.id)).toEqual(['alpha', 'editor', 'writer']);
    expect(d.list().find((a) => a.id === 'writer')?.status.load).toBe(0.5);
  });

  it('--available keeps only available agents', () => {
    expect(
      directory()
        .list(true)
        .map((a) => a.id),
    ).toEqual(['alpha', 'writer']);
  });

  it('counts malformed status payloads, forgets an agent on an empty (cleared) retained payload', () => {
    const d = directory();
    d.add('/control/agents/x/status', '{oops');
    d.add('/control/agents/y/status', '{"agent_id":"y"}');
    d.add('/control/agents/writer/status', '');
    d.add('/control/agents/z/input', status('z'));
    expect(d.ignored).toBe(2);
    expect(d.list().map((a) => a.id)).toEqual(['alpha', 'editor']);
  });
});

describe('agentsTable', () => {
  it('shows a hostile status without control characters: id, status, capabilities and tools', () => {
    const d = new AgentDirectory();
    const id = 'evil\u009b2J';
    d.add(
      `/control/agents/${id}/status`,
      status(id, {
        status: 'available\u001b[2J',
        capabilities: ['a\u001b]0;pwned\u0007', 'b'.repeat(500)],
        tools: ['t\r\nforged line'],
      }),
    );
    const row = agentsTable(d.list(), NOW, createPalette(false)).split('\n')[1]!;
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(row).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(row).toContain('evil?2J');
    expect(row).toContain('a?]0;pwned?,bbb');
    expect(row).toContain('t forged line');
    expect(row.length).toBeLessThan(400);
  });

  it('prints id, status, routable, capabilities, tools, load and last seen in aligned columns', () => {
    const lines = agentsTable(directory().list(), NOW, createPalette(false)).split('\n');
    expect(lines).toEqual([
      'ID      STATUS       ROUTABLE  CAPABILITIES  TOOLS                      LOAD  LAST SEEN',
      'alpha   available    no        writing       http_request,current_time  1.00  5m ago',
      'editor  unavailable  no        -             -                          0.25  4s ago',
      'writer  available    yes       writing       http_request,current_time  0.25  4s ago',
    ]);
  });

  it('marks routable by the given stale-after (alpha, 5 min old, is routable under 10 min)', () => {
    const lines = agentsTable(directory().list(), NOW, createPalette(false), undefined, 600_000).split('\n');
    expect(lines[1]).toMatch(/^alpha +available +yes /);
  });

  it('colours the status when asked to', () => {
    const table = agentsTable(directory().list(), NOW, createPalette(true));
    expect(table).toContain('\u001b[32mavailable  \u001b[39m');
    expect(table).toContain('\u001b[31munavailable\u001b[39m');
  });
});

describe('agentsJson', () => {
  it('is the array of status objects, each with last_seen_ms', () => {
    const rows = JSON.parse(agentsJson(directory().list(true), NOW)) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(2);
    expect(rows[1]).toEqual({
      ...(JSON.parse(status('writer')) as object),
      last_seen_ms: 4377,
      routable: true,
    });
    expect(rows[0]).toMatchObject({ agent_id: 'alpha', last_seen_ms: 300_000, routable: false });
  });

  it('gives last_seen_ms null for an unusable timestamp', () => {
    const d = new AgentDirectory();
    d.add('/control/agents/a/status', status('a', { timestamp: 'soon' }));
    expect(JSON.parse(agentsJson(d.list(), NOW))).toEqual([expect.objectContaining({ last_seen_ms: null })]);
  });
});

describe('isRoutable (what the agents would route to)', () => {
  const one = (topic: string, payload: string) => {
    const d = new AgentDirectory();
    d.add(topic, payload);
    return d.list()[0]!;
  };
  const STALE = 90_000;

  it('is an available status younger than stale-after, by its timestamp', () => {
    expect(isRoutable(one('/control/agents/writer/status', status('writer')), NOW, STALE)).toBe(true);
    expect(isRoutable(one('/control/agents/writer/status', status('writer')), NOW, 4_377)).toBe(false);
  });

  it('is not an unavailable one, nor one without a usable timestamp', () => {
    const down = status('writer', { status: 'unavailable' });
    expect(isRoutable(one('/control/agents/writer/status', down), NOW, STALE)).toBe(false);
    const undated = status('writer', { timestamp: 'soon' });
    expect(isRoutable(one('/control/agents/writer/status', undated), NOW, STALE)).toBe(false);
  });

  it('is not a status the agents would ignore (another agent_id, a load that is no number)', () => {
    expect(isRoutable(one('/control/agents/writer/status', status('editor')), NOW, STALE)).toBe(false);
    const badLoad = status('writer', { load: 'low' });
    expect(isRoutable(one('/control/agents/writer/status', badLoad), NOW, STALE)).toBe(false);
  });
});
