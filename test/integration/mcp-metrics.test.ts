// An agent's MCP server metrics with the real server-everything over stdio: up while it serves, a kill -9
// counted as a restart attempt, the JSON view's `mcp` part; no server process left after stop.
import { expect } from 'vitest';

import type { McpServerReading } from '../../src/core/observability/agent-metrics.js';
import { makeHarness, toml } from '../helpers/agent-harness.js';
import { EVERYTHING, processesWith, uniqueScript } from '../helpers/mcp-agent.js';
import { needs } from '../helpers/require-tool.js';

/** Resolves once `server` is up after at least `restarts` restart attempts. */
function upAfter(server: McpServerReading, restarts: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (server.state === 'up' && server.restarts >= restarts) resolve();
    };
    server.onStateChange(check);
    check();
  });
}

needs('prlimit').it(
  'agent2389_mcp_server_up / _restarts_total and the mcp JSON follow a server through a crash',
  async () => {
    const script = await uniqueScript(EVERYTHING, 'mcp-metrics');
    const h = makeHarness(
      toml(
        'mcp-metrics',
        `[mcp.everything]\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(script)}, "stdio"]\n`,
      ),
    );
    await h.agent.start();
    const metrics = h.agent.metrics;
    const [server] = metrics.sources.mcpServers?.() ?? [];
    expect(server?.server).toBe('everything');
    const text = async (): Promise<string> => metrics.registry.metrics();
    expect(await text()).toContain('agent2389_mcp_server_up{server="everything"} 1');
    expect(await text()).toContain('agent2389_mcp_server_restarts_total{server="everything"} 0');

    const [pid] = await processesWith(script);
    const restarted = upAfter(server!, 1);
    process.kill(pid!, 'SIGKILL');
    await restarted; // after the first backoff step (1 s)
    expect(await text()).toContain('agent2389_mcp_server_restarts_total{server="everything"} 1');
    expect(await text()).toContain('agent2389_mcp_server_up{server="everything"} 1');
    const { mcp } = (await metrics.snapshot()) as { mcp: { by_server: Record<string, { tools: number }> } };
    expect(mcp).toMatchObject({
      servers_up: 1,
      restarts: 1,
      by_server: { everything: { state: 'up', restarts: 1 } },
    });
    expect(mcp.by_server.everything!.tools).toBeGreaterThan(5);

    await h.agent.stop();
    expect(await processesWith(script)).toEqual([]);
  },
  60_000,
);
