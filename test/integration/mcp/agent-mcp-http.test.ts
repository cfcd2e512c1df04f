// An [mcp.*] server over Streamable HTTP (server-everything in HTTP mode on loopback) for a real agent on
// mosquitto: refused by the address policy unless allow_private_networks (the agent does not start, naming
// the server); allowed, its tools are listed and answer.
import { spawn } from 'node:child_process';

import { expect, onTestFinished, vi } from 'vitest';

import { groupAlive, killGroupUntilGone } from '../../../src/core/sandbox/process-group.js';
import { startAgentProcess } from '../../helpers/agent-process.js';
import { freePort } from '../../helpers/free-port.js';
import { ANSWER_WAIT_MS, callTool, EVERYTHING, lastStatus } from '../../helpers/mcp-agent.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { connectProbe } from '../../helpers/mqtt-probe.js';
import { needs } from '../../helpers/require-tool.js';

const AGENT = 'mcp-http';

/** server-everything in Streamable HTTP mode on a free loopback port, in its own process group. */
async function startHttpEverything(): Promise<number> {
  const port = await freePort();
  const server = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], {
    env: { PATH: process.env.PATH, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  onTestFinished(async () => {
    await killGroupUntilGone(server.pid!);
    expect(await groupAlive(server.pid!)).toBe(false);
  });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    server.stderr.setEncoding('utf8');
    server.stderr.on('data', (s: string) => {
      stderr += s;
      if (stderr.includes('listening')) resolve();
    });
    server.on('exit', (code) => reject(new Error(`server-everything exited (${code}): ${stderr}`)));
  });
  return port;
}

function toml(brokerUrl: string, port: number, allowPrivate: boolean): string {
  return [
    `[agent]\nid = "${AGENT}"`,
    `[mqtt]\nbroker_url = "${brokerUrl}"`,
    '[llm]\nprovider = "scripted"',
    '[mcp.remote]',
    `url = "http://127.0.0.1:${port}/mcp"`,
    ...(allowPrivate ? ['allow_private_networks = true'] : []),
    'timeout_seconds = 30',
    '',
  ].join('\n');
}

needs('mosquitto').it(
  'Streamable HTTP on loopback: refused at startup by default (coded, naming the server); allowed, it serves',
  async () => {
    const broker = await startMosquitto();
    onTestFinished(() => broker.stop());
    const port = await startHttpEverything();

    // Loopback is a private address: the agent does not start, and says which server and why.
    const refused = await startAgentProcess(toml(broker.url, port, false), {}, false);
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toMatch(/\[AGENT_ERR_MCP_START_FAILED\] MCP server "remote"/);

    const agent = await startAgentProcess(toml(broker.url, port, true));
    const probe = await connectProbe(broker.url);
    await probe.subscribe(`/control/agents/${AGENT}/status`);
    await probe.subscribe('/conversations/#');
    await vi.waitFor(
      () =>
        expect(lastStatus(probe, AGENT)?.tools).toEqual(
          expect.arrayContaining([
            'remote__echo',
            'remote__get-sum',
            'remote__trigger-long-running-operation',
          ]),
        ),
      { timeout: ANSWER_WAIT_MS, interval: 20 },
    );
    expect(await callTool(probe, AGENT, 'remote__get-sum', { a: 40, b: 2 })).toContain('42');

    agent.signal('SIGTERM');
    expect(await agent.exited).toBe(0);
  },
  120_000,
);
