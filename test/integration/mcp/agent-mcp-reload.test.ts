// Hot reload of an [mcp.*] table in a running agent on mosquitto: the edit starts the new generation's server
// as a new process; a call in flight on the old server finishes; then the old server's processes are gone.
import { writeFile } from 'node:fs/promises';

import { expect, vi } from 'vitest';

import {
  ANSWER_WAIT_MS,
  ask,
  callTool,
  everythingAgentToml,
  processesWith,
  progressEvents,
  startEverythingAgent,
} from '../../helpers/mcp-agent.js';
import { needs } from '../../helpers/require-tool.js';

const AGENT = 'mcp-reload';
const LONG = 'everything__trigger-long-running-operation';
const ZONE = 'Pacific/Chatham';

/** The edited table: `env` changes; the rest stays. */
const mcpKeys = (env: string[]): string[] => [`env = ${JSON.stringify(env)}`, 'timeout_seconds = 30'];
const RELOAD = ['[reload]\ndebounce_ms = 100'];

needs('mosquitto').it(
  'an [mcp.*] edit starts a new server; the old one finishes its call, then its processes are gone',
  async () => {
    const { agent, probe, brokerUrl, server } = await startEverythingAgent(AGENT, {
      prefix: 'everything-reload',
      preamble: RELOAD,
      mcpKeys: mcpKeys(['LANG']),
      env: { LANG: 'C.UTF-8', TZ: ZONE },
      waitForTool: LONG,
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
    await writeFile(
      agent.file,
      everythingAgentToml(AGENT, brokerUrl, server, mcpKeys(['LANG', 'TZ']), RELOAD),
    );
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
