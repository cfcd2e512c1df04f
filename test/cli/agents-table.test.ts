import { describe, expect, it } from 'vitest';

import { AgentDirectory, agentsJson, agentsTable } from '../../src/cli/agents-table.js';
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
  it('prints id, status, capabilities, tools, load and last seen in aligned columns', () => {
    const lines = agentsTable(directory().list(), NOW, createPalette(false)).split('\n');
    expect(lines).toEqual([
      'ID      STATUS       CAPABILITIES  TOOLS                      LOAD  LAST SEEN',
      'alpha   available    writing       http_request,current_time  1.00  5m ago',
      'editor  unavailable  -             -                          0.25  4s ago',
      'writer  available    writing       http_request,current_time  0.25  4s ago',
    ]);
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
    expect(rows[1]).toEqual({ ...(JSON.parse(status('writer')) as object), last_seen_ms: 4377 });
    expect(rows[0]).toMatchObject({ agent_id: 'alpha', last_seen_ms: 300_000 });
  });

  it('gives last_seen_ms null for an unusable timestamp', () => {
    const d = new AgentDirectory();
    d.add('/control/agents/a/status', status('a', { timestamp: 'soon' }));
    expect(JSON.parse(agentsJson(d.list(), NOW))).toEqual([expect.objectContaining({ last_seen_ms: null })]);
  });
});
