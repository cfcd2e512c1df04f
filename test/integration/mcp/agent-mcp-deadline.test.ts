// The per-call deadline of an MCP tool through a real agent on mosquitto: progress notifications keep a call
// alive past timeout_seconds, but not past max_total_timeout_seconds; a timed-out call leaves no process
// behind (the server's tree is what it was) and the server answers the next call.
import { expect } from 'vitest';

import {
  ask,
  callTool,
  loggedTaskError,
  processesWith,
  progressEvents,
  startEverythingAgent,
} from '../../helpers/mcp-agent.js';
import { needs } from '../../helpers/require-tool.js';

const AGENT = 'mcp-deadline';
const LONG = 'everything__trigger-long-running-operation';

// Margins for a loaded machine: progress every 0.25 s against a 2 s idle timeout; the call that succeeds
// takes 3 s (past the 2 s base, 3 s inside the 6 s total); the one that fails would take 30 s.
needs('mosquitto').it(
  'progress extends a call past timeout_seconds up to max_total_timeout_seconds; a timeout leaves no process',
  async () => {
    const { agent, probe, server } = await startEverythingAgent(AGENT, {
      prefix: 'everything-deadline',
      mcpKeys: ['timeout_seconds = 2', 'max_total_timeout_seconds = 6'],
      waitForTool: LONG,
    });
    const tree = await processesWith(server);
    expect(tree).not.toEqual([]);

    // 3 s with progress every 0.25 s: longer than timeout_seconds, and it succeeds.
    const done = await callTool(probe, AGENT, LONG, { duration: 3, steps: 12 });
    expect(done).toContain('completed');
    expect(progressEvents(probe, AGENT, 'tool_progress')).not.toEqual([]);

    // 30 s with progress: cut at max_total_timeout_seconds.
    const cut = await ask(probe, AGENT, LONG, { duration: 30, steps: 120 });
    expect(cut).toMatchObject({ error: { code: 'tool_execution_failed' } });
    expect(cut).not.toHaveProperty('response');
    expect(await loggedTaskError(agent, cut.task_id)).toMatchObject({
      code: 'AGENT_ERR_TOOL_TIMEOUT',
      data: { timeoutMs: 6000 },
    });

    // No process was added or lost (the server itself stays), and it answers the next call.
    expect((await processesWith(server)).sort()).toEqual(tree.sort());
    expect(await callTool(probe, AGENT, 'everything__get-sum', { a: 1, b: 2 })).toContain('3');

    agent.signal('SIGTERM');
    await agent.exited;
    expect(await processesWith(server)).toEqual([]);
  },
  120_000,
);
