// MCP servers as tools of a real agent process on mosquitto: the third-party server-everything over stdio
// (as root it runs as nobody, under prlimit), called through the scripted provider's tool_request. Its
// tools are in the status message, calls answer, progress is republished, the agent's key never reaches
// the server, and the server's process tree is gone when the agent stops.
import { expect, vi } from 'vitest';

import {
  ANSWER_WAIT_MS as WAIT,
  ask as askAgent,
  callTool as callAgentTool,
  processesWith,
  startEverythingAgent,
} from '../../helpers/mcp-agent.js';
import type { Probe } from '../../helpers/mqtt-probe.js';
import { needs } from '../../helpers/require-tool.js';

const AGENT = 'mcp-e2e';
const SECRET = 'sk-agent-secret-never-for-mcp-servers';
const ask = (probe: Probe, name: string, parameters: Record<string, unknown>) =>
  askAgent(probe, AGENT, name, parameters);
const callTool = (probe: Probe, name: string, parameters: Record<string, unknown>) =>
  callAgentTool(probe, AGENT, name, parameters);

needs('mosquitto').it(
  'server-everything (stdio) as agent tools: listed in the status, called, progress republished, no key leaked, no process left',
  async () => {
    const { agent, probe, server } = await startEverythingAgent(AGENT, {
      prefix: 'everything',
      mcpKeys: ['env = ["LANG"]', 'timeout_seconds = 20'],
      env: { OPENAI_API_KEY: SECRET, LANG: 'C.UTF-8' },
      waitForTool: 'everything__get-sum',
    });

    // The status lists the server's tools, including the one it adds after initialization (list_changed).
    await vi.waitFor(
      () => {
        const status = probe.on(`/control/agents/${AGENT}/status`).at(-1)?.json();
        expect(status?.tools).toEqual(
          expect.arrayContaining([
            'everything__echo',
            'everything__get-sum',
            'everything__get-env',
            'everything__simulate-research-query',
          ]),
        );
      },
      { timeout: WAIT, interval: 20 },
    );

    expect(await callTool(probe, 'everything__get-sum', { a: 2, b: 3 })).toContain('5');

    // Progress notifications become tool_progress events of the task.
    await callTool(probe, 'everything__trigger-long-running-operation', { duration: 1, steps: 2 });
    const progress = probe
      .on(`/control/agents/${AGENT}/progress`)
      .map((m) => m.json())
      .filter((e) => e.event === 'tool_progress');
    expect(progress[0]).toMatchObject({
      agent_id: AGENT,
      data: { tool: 'everything__trigger-long-running-operation', progress: 1, total: 2 },
    });

    // The server's environment: LANG (allow-listed), never the agent's API key.
    const env = await callTool(probe, 'everything__get-env', {});
    expect(env).toContain('C.UTF-8');
    expect(env).not.toContain(SECRET);

    // An image is summarised for the LLM, not dropped and not pasted as base64.
    const image = await callTool(probe, 'everything__get-tiny-image', {});
    expect(image).toMatch(/\[image: image\/png, \d+ bytes\]/);
    expect(image.length).toBeLessThan(2000);

    // Invalid parameters never reach the server: the call fails, and with it this one-call task.
    const bad = await ask(probe, 'everything__get-sum', { a: 'two' });
    expect(bad).toMatchObject({ error: { code: 'tool_execution_failed' } });
    expect(JSON.stringify(bad)).toContain('invalid parameters for tool');

    expect(await processesWith(server)).not.toEqual([]);
    agent.signal('SIGTERM');
    await agent.exited;
    expect(await processesWith(server)).toEqual([]);
  },
  120_000,
);
