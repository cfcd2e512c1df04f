// notifications/tools/list_changed through a real agent process on mosquitto: a stdio MCP server (built on
// the official SDK) adds a tool while the agent runs; the agent lists its tools again, re-publishes its
// status with the new tool, and the LLM can call it.
import { fileURLToPath } from 'node:url';

import { expect, onTestFinished, vi } from 'vitest';

import { startAgentProcess } from '../../helpers/agent-process.js';
import { callTool, lastStatus } from '../../helpers/mcp-agent.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { connectProbe } from '../../helpers/mqtt-probe.js';
import { needs } from '../../helpers/require-tool.js';

const GROWING = fileURLToPath(new URL('../../fixtures/mcp/growing-server.js', import.meta.url));
const AGENT = 'mcp-growing';

needs('mosquitto').it(
  'a tool the server adds after startup appears in the status and can be called',
  async () => {
    const broker = await startMosquitto();
    onTestFinished(() => broker.stop());
    await startAgentProcess(
      [
        `[agent]\nid = "${AGENT}"`,
        `[mqtt]\nbroker_url = "${broker.url}"`,
        '[llm]\nprovider = "scripted"',
        '[mcp.grower]',
        `command = "${process.execPath}"`,
        `args = ["${GROWING}"]`,
        '',
      ].join('\n'),
    );
    const probe = await connectProbe(broker.url);
    await probe.subscribe(`/control/agents/${AGENT}/status`);
    await probe.subscribe('/conversations/#');
    await vi.waitFor(() => expect(lastStatus(probe, AGENT)?.tools).toEqual(['grower__grow']), {
      timeout: 30_000,
      interval: 20,
    });

    expect(await callTool(probe, AGENT, 'grower__grow', { name: 'fresh' })).toContain('added fresh');
    await vi.waitFor(
      () => expect(lastStatus(probe, AGENT)?.tools).toEqual(['grower__grow', 'grower__fresh']),
      { timeout: 30_000, interval: 20 },
    );
    expect(await callTool(probe, AGENT, 'grower__fresh', {})).toContain('I am fresh');
  },
  120_000,
);
