// What the metrics read of the MCP servers, and the `mcp` part of the /metrics JSON built from it.
import { sumOf, type MetricJson } from './metrics-view.js';

/** One MCP server as the metrics see it (an McpSupervisor; structural, so observability imports no mcp code). */
export interface McpServerReading {
  readonly server: string;
  /** idle · starting · up · down · closed. */
  readonly state: string;
  /** Restart attempts so far (after crashes, or a lazy start that failed). */
  readonly restarts: number;
  /** Its tools after the `tools` / `exclude_tools` filters. */
  readonly tools: readonly unknown[];
  onStateChange(listener: () => void): unknown;
}

/** The serving generation's servers (state, tools) with their restart attempts summed over generations. */
export function mcpJson(
  servers: readonly McpServerReading[],
  restarts: MetricJson | undefined,
): Record<string, unknown> {
  const byServer: Record<string, { state: string; restarts: number; tools: number }> = {};
  let up = 0;
  for (const s of servers) {
    if (s.state === 'up') up++;
    byServer[s.server] = {
      state: s.state,
      restarts: sumOf(restarts, { server: s.server }),
      tools: s.tools.length,
    };
  }
  return { servers_up: up, restarts: sumOf(restarts), by_server: byServer };
}
