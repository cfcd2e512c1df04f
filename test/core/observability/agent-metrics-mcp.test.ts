// MCP server metrics: agent2389_mcp_server_up{server} and agent2389_mcp_server_restarts_total{server} from
// real supervisors (in-memory servers, manual clock), and the `mcp` part of the JSON view.
import { afterEach, describe, expect, it } from 'vitest';

import { McpSupervisor } from '../../../src/core/mcp/supervisor.js';
import { AgentMetrics, type MetricSources } from '../../../src/core/observability/agent-metrics.js';
import { manualClock, type ManualClock } from '../../helpers/manual-clock.js';
import { inMemoryConnector, testSpec, type InMemoryConnector } from '../../helpers/mcp-in-memory.js';
import { recordingLogger } from '../../helpers/recording-logger.js';
import { basicServer, reached } from '../mcp/mcp-test-servers.js';

const open: McpSupervisor[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** A supervisor of an in-memory server whose restarts the test drives with a manual clock. */
function supervisor(
  name: string,
  lazy = false,
): { sup: McpSupervisor; clock: ManualClock; conn: InMemoryConnector } {
  const clock = manualClock();
  const conn = inMemoryConnector(() => basicServer());
  const sup = new McpSupervisor(testSpec(name, { lazy, excludeTools: ['hang'] }), {
    connect: conn.connect,
    ctx: { env: {}, log: recordingLogger(), signal: new AbortController().signal },
    clock,
  });
  open.push(sup);
  return { sup, clock, conn };
}

/** Sources with no tasks, serving the supervisors in `serving` (the test swaps them as a reload would). */
function sources(serving: { servers: McpSupervisor[] }): MetricSources {
  return {
    inFlight: () => 0,
    queued: () => 0,
    held: () => 0,
    spooled: () => 0,
    mqttConnected: () => true,
    generation: () => 1,
    mcpServers: () => serving.servers,
  };
}

/** The Prometheus lines of the MCP families. */
async function mcpLines(m: AgentMetrics): Promise<string[]> {
  return (await m.registry.metrics()).split('\n').filter((l) => l.startsWith('agent2389_mcp_'));
}

/** Crash the server and let the restart run (the first backoff step fires at once). */
async function crashAndRestart(s: { sup: McpSupervisor; clock: ManualClock; conn: InMemoryConnector }) {
  const scheduled = s.clock.scheduled();
  await s.conn.crash();
  await scheduled;
  s.clock.fireNext();
  await reached(s.sup, 'up');
}

describe('AgentMetrics: MCP servers', () => {
  it('shows each serving server as up 1 / 0 and counts restart attempts', async () => {
    const fs = supervisor('fs');
    const web = supervisor('web', true); // lazy: idle until first use
    await fs.sup.start();
    const serving = { servers: [fs.sup, web.sup] };
    const m = new AgentMetrics(sources(serving));
    m.watchMcpServers(serving.servers);
    expect(await mcpLines(m)).toEqual([
      'agent2389_mcp_server_restarts_total{server="fs"} 0',
      'agent2389_mcp_server_restarts_total{server="web"} 0',
      'agent2389_mcp_server_up{server="fs"} 1',
      'agent2389_mcp_server_up{server="web"} 0',
    ]);

    const scheduled = fs.clock.scheduled();
    await fs.conn.crash();
    await scheduled;
    expect(await mcpLines(m)).toContain('agent2389_mcp_server_up{server="fs"} 0');
    fs.clock.fireNext();
    await reached(fs.sup, 'up');
    await crashAndRestart(fs);
    const lines = await mcpLines(m);
    expect(lines).toContain('agent2389_mcp_server_restarts_total{server="fs"} 2');
    expect(lines).toContain('agent2389_mcp_server_up{server="fs"} 1');
  });

  it('watches a server once however often its set is passed, and counts restarts made before', async () => {
    const fs = supervisor('fs');
    await fs.sup.start();
    await crashAndRestart(fs);
    const serving = { servers: [fs.sup] };
    const m = new AgentMetrics(sources(serving));
    m.watchMcpServers(serving.servers);
    m.watchMcpServers(serving.servers); // a second generation on the same plugin set
    expect(await m.mcpRestarts.total({ server: 'fs' })).toBe(1);
    await crashAndRestart(fs);
    expect(await m.mcpRestarts.total({ server: 'fs' })).toBe(2);
  });

  it('after a reload shows only the new generation, restarts summed over both', async () => {
    const old = supervisor('fs');
    const gone = supervisor('gone');
    await Promise.all([old.sup.start(), gone.sup.start()]);
    const serving = { servers: [old.sup, gone.sup] };
    const m = new AgentMetrics(sources(serving));
    m.watchMcpServers(serving.servers);
    await crashAndRestart(old);
    expect(await mcpLines(m)).toContain('agent2389_mcp_server_up{server="gone"} 1');
    const next = supervisor('fs2');
    const again = supervisor('fs');
    await Promise.all([next.sup.start(), again.sup.start()]);
    serving.servers = [again.sup, next.sup];
    m.watchMcpServers(serving.servers);
    await crashAndRestart(again);
    await Promise.all([old.sup.close(), gone.sup.close()]);
    expect(await mcpLines(m)).toEqual([
      'agent2389_mcp_server_restarts_total{server="fs"} 2',
      'agent2389_mcp_server_restarts_total{server="gone"} 0',
      'agent2389_mcp_server_restarts_total{server="fs2"} 0',
      'agent2389_mcp_server_up{server="fs"} 1',
      'agent2389_mcp_server_up{server="fs2"} 1',
    ]);
  });

  it('has an mcp part in the JSON view: state, restarts and tools (after filters) per server', async () => {
    const fs = supervisor('fs');
    const web = supervisor('web', true);
    await fs.sup.start();
    const serving = { servers: [fs.sup, web.sup] };
    const m = new AgentMetrics(sources(serving));
    m.watchMcpServers(serving.servers);
    await crashAndRestart(fs);
    expect((await m.snapshot()).mcp).toEqual({
      servers_up: 1,
      restarts: 1,
      by_server: {
        fs: { state: 'up', restarts: 1, tools: 5 }, // basicServer's 6 tools, `hang` excluded
        web: { state: 'idle', restarts: 0, tools: 0 },
      },
    });
  });

  it('without MCP sources: no server series, an empty mcp part', async () => {
    const m = new AgentMetrics({ ...sources({ servers: [] }), mcpServers: undefined });
    expect(await mcpLines(m)).toEqual([]);
    expect((await m.snapshot()).mcp).toEqual({ servers_up: 0, restarts: 0, by_server: {} });
  });
});
