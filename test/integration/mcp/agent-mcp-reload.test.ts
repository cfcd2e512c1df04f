// Hot reload of an [mcp.*] table in a running agent on mosquitto: the edit starts the new generation's server
// as a new process; a call in flight on the old server finishes; then the old server's processes are gone.
import { writeFile } from 'node:fs/promises';

import { expect, onTestFinished, vi } from 'vitest';

import { startAgentProcess } from '../../helpers/agent-process.js';
import {
  ANSWER_WAIT_MS,
  ask,
  callTool,
  EVERYTHING,
  lastStatus,
  processesWith,
  progressEvents,
  uniqueScript,
} from '../../helpers/mcp-agent.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { connectProbe } from '../../helpers/mqtt-probe.js';
import { needs } from '../../helpers/require-tool.js';

const AGENT = 'mcp-reload';
const LONG = 'everything__trigger-long-running-operation';
const ZONE = 'Pacific/Chatham';

function toml(brokerUrl: string, server: string, env: string[]): string {
  return [
    `[agent]\nid = "${AGENT}"`,
    `[mqtt]\nbroker_url = "${brokerUrl}"`,
    '[llm]\nprovider = "scripted"',
    '[reload]\ndebounce_ms = 100',
    '[mcp.everything]',
    `command = "${process.execPath}"`,
    `args = ["${server}", "stdio"]`,
    `env = ${JSON.stringify(env)}`,
    'timeout_seconds = 30',
    '',
  ].join('\n');
}

needs('mosquitto').it(
  'an [mcp.*] edit starts a new server; the old one finishes its call, then its processes are gone',
  async () => {
    const broker = await startMosquitto();
    onTestFinished(() => broker.stop());
    const server = await uniqueScript(EVERYTHING, 'everything-reload');
    const agent = await startAgentProcess(toml(broker.url, server, ['LANG']), {
      LANG: 'C.UTF-8',
      TZ: ZONE,
    });
    const probe = await connectProbe(broker.url);
    await probe.subscribe(`/control/agents/${AGENT}/status`);
    await probe.subscribe(`/control/agents/${AGENT}/progress`);
    await probe.subscribe('/conversations/#');
    await vi.waitFor(() => expect(lastStatus(probe, AGENT)?.tools).toEqual(expect.arrayContaining([LONG])), {
      timeout: ANSWER_WAIT_MS,
      interval: 20,
    });
    const old = await processesWith(server);
    expect(old).not.toEqual([]);
    expect(await callTool(probe, AGENT, 'everything__get-env', {})).not.toContain(ZONE);

    // A call in flight on the old server (its first progress is out) when the file is edited: TZ is added.
    const inFlight = ask(probe, AGENT, LONG, { duration: 6, steps: 12 });
    await vi.waitFor(() => expect(progressEvents(probe, AGENT, 'tool_progress')).not.toEqual([]), {
      timeout: ANSWER_WAIT_MS,
      interval: 20,
    });
    await writeFile(agent.file, toml(broker.url, server, ['LANG', 'TZ']));
    await vi.waitFor(() => expect(progressEvents(probe, AGENT, 'config_reloaded')).not.toEqual([]), {
      timeout: ANSWER_WAIT_MS,
      interval: 20,
    });
    const fresh = (await processesWith(server)).filter((pid) => !old.includes(pid));
    expect(fresh).not.toEqual([]);

    // The old server finishes the call, then its processes end; the new one serves with the new env.
    expect(String((await inFlight).response)).toContain('completed');
    await vi.waitFor(
      async () => expect((await processesWith(server)).filter((pid) => old.includes(pid))).toEqual([]),
      { timeout: ANSWER_WAIT_MS, interval: 50 },
    );
    expect(await callTool(probe, AGENT, 'everything__get-env', {})).toContain(ZONE);
    expect((await processesWith(server)).sort()).toEqual(fresh.sort());

    agent.signal('SIGTERM');
    await agent.exited;
    expect(await processesWith(server)).toEqual([]);
  },
  120_000,
);
