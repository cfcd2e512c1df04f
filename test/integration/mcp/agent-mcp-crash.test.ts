// An MCP server killed (SIGKILL) in the middle of a call, through a real agent on mosquitto: the task in
// flight gets an error (the server is down), the server is restarted with backoff, the next call works,
// and no server process outlives the agent.
import { expect, vi } from 'vitest';

import {
  ANSWER_WAIT_MS,
  ask,
  callTool,
  loggedTaskError,
  processesWith,
  progressEvents,
  startEverythingAgent,
} from '../../helpers/mcp-agent.js';
import { needs } from '../../helpers/require-tool.js';

const AGENT = 'mcp-crash';
const LONG = 'everything__trigger-long-running-operation';

needs('mosquitto').it(
  'kill -9 of the server mid-call: that call fails (server down), the server restarts, the next call works',
  async () => {
    const { agent, probe, server } = await startEverythingAgent(AGENT, {
      prefix: 'everything-crash',
      mcpKeys: ['timeout_seconds = 60'],
      waitForTool: LONG,
    });
    const before = await processesWith(server);
    expect(before).not.toEqual([]);

    // A 30 s call in flight: once its first progress event is out, the server is killed.
    const crashed = ask(probe, AGENT, LONG, { duration: 30, steps: 30 }, 60_000);
    await vi.waitFor(
      () =>
        expect(
          progressEvents(probe, AGENT, 'tool_progress').some(
            (e) => (e.data as { tool?: unknown }).tool === LONG,
          ),
        ).toBe(true),
      { timeout: ANSWER_WAIT_MS, interval: 20 },
    );
    for (const pid of before) process.kill(pid, 'SIGKILL');

    const failed = await crashed;
    expect(failed).toMatchObject({ error: { code: 'tool_execution_failed' } });
    // The agent's log says why: the server went down during the call.
    expect(await loggedTaskError(agent, failed.task_id)).toMatchObject({
      code: 'AGENT_ERR_MCP_SERVER_DOWN',
      data: { server: 'everything' },
    });
    expect(failed).not.toHaveProperty('response');

    // Restarted (after the first backoff step) as a new process; its tools answer again.
    await agent.waitForLog(/"msg":"MCP server restarted"/, ANSWER_WAIT_MS);
    const after = await processesWith(server);
    expect(after).not.toEqual([]);
    expect(after.filter((pid) => before.includes(pid))).toEqual([]);
    expect(await callTool(probe, AGENT, 'everything__get-sum', { a: 20, b: 22 })).toContain('42');

    agent.signal('SIGTERM');
    await agent.exited;
    expect(await processesWith(server)).toEqual([]);
  },
  120_000,
);
