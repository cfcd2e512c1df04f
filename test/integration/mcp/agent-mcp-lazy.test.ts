// `lazy = true` through a real agent on mosquitto: no server process and none of its tools until the first
// task; that task starts the server before its first LLM call, can call its tools, and the status then
// lists them.
import { expect, onTestFinished, vi } from 'vitest';

import { startAgentProcess } from '../../helpers/agent-process.js';
import {
  ANSWER_WAIT_MS,
  callTool,
  EVERYTHING,
  everythingAgentToml,
  lastStatus,
  processesWith,
  uniqueScript,
} from '../../helpers/mcp-agent.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { connectProbe } from '../../helpers/mqtt-probe.js';
import { needs } from '../../helpers/require-tool.js';

const AGENT = 'mcp-lazy';

needs('mosquitto').it(
  'a lazy server starts with the first task, whose tool call it answers',
  async () => {
    const broker = await startMosquitto();
    onTestFinished(() => broker.stop());
    const server = await uniqueScript(EVERYTHING, 'everything-lazy');
    const agent = await startAgentProcess(
      everythingAgentToml(AGENT, broker.url, server, ['lazy = true'], ['[tools]\necho = "builtin"']),
    );
    const probe = await connectProbe(broker.url);
    await probe.subscribe(`/control/agents/${AGENT}/status`);
    await probe.subscribe('/conversations/#');
    await vi.waitFor(() => expect(lastStatus(probe, AGENT)?.tools).toEqual(['echo']), {
      timeout: ANSWER_WAIT_MS,
      interval: 20,
    });
    expect(await processesWith(server)).toEqual([]);

    expect(await callTool(probe, AGENT, 'everything__get-sum', { a: 20, b: 22 })).toContain('42');
    expect(await processesWith(server)).not.toEqual([]);
    await vi.waitFor(
      () =>
        expect(lastStatus(probe, AGENT)?.tools).toEqual(
          expect.arrayContaining(['echo', 'everything__get-sum']),
        ),
      { timeout: ANSWER_WAIT_MS, interval: 20 },
    );

    agent.signal('SIGTERM');
    await agent.exited;
    expect(await processesWith(server)).toEqual([]);
  },
  120_000,
);
