// An MCP server a plugin ships (plugin.json mcpServers), enabled by the operator with
// `[mcp.<name>] plugin = "…"`: it runs from the plugin's folder under bwrap and its tool answers.
import { fileURLToPath } from 'node:url';

import { expect, onTestFinished, vi } from 'vitest';

import { startAgentProcess } from '../../helpers/agent-process.js';
import { callTool, lastStatus, NODE_MODULES } from '../../helpers/mcp-agent.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { connectProbe } from '../../helpers/mqtt-probe.js';
import { needs } from '../../helpers/require-tool.js';

const PLUGIN = fileURLToPath(new URL('../../fixtures/plugins/mcp-servers', import.meta.url));
const AGENT = 'mcp-plugin';

needs('mosquitto', 'bwrap').it(
  'a plugin-shipped server (mcpServers.ping) under bwrap: listed as ping__ping and callable',
  async () => {
    const broker = await startMosquitto();
    onTestFinished(() => broker.stop());
    const agent = await startAgentProcess(
      [
        `[agent]\nid = "${AGENT}"`,
        `[mqtt]\nbroker_url = "${broker.url}"`,
        '[llm]\nprovider = "scripted"',
        `[plugins]\ndirs = ["${PLUGIN}"]`,
        '[mcp.ping]',
        'plugin = "mcp-servers"',
        // The operator's paths replace the manifest's: the server imports the MCP SDK from node_modules.
        `read_only_paths = ["${NODE_MODULES}"]`,
        '',
      ].join('\n'),
    );
    onTestFinished(() => agent.signal('SIGTERM'));
    const probe = await connectProbe(broker.url);
    await probe.subscribe(`/control/agents/${AGENT}/status`);
    await probe.subscribe('/conversations/#');
    await vi.waitFor(() => expect(lastStatus(probe, AGENT)?.tools).toEqual(['ping__ping']), {
      timeout: 30_000,
      interval: 20,
    });
    expect(await callTool(probe, AGENT, 'ping__ping', { text: 'hi' })).toContain('pong hi');
  },
  120_000,
);
