// Discovery between real agent processes on a real mosquitto: each lists the other as routable in
// /health, and a kill -9 (its Last Will) takes an agent out of the other's list.
import { describe, expect, onTestFinished, vi } from 'vitest';

import { startAgentProcess } from '../../helpers/agent-process.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { healthUrl } from '../../helpers/replica-pool.js';
import { needs } from '../../helpers/require-tool.js';

const agentToml = (id: string, url: string, capabilities: string[]): string =>
  `[agent]\nid = "${id}"\ncapabilities = ${JSON.stringify(capabilities)}\n` +
  `[mqtt]\nbroker_url = "${url}"\n[llm]\nprovider = "scripted"\n`;

interface Routable {
  agent_id: string;
  capabilities: string[];
  load: number;
  last_seen: string;
}

/** The routable agents an agent's /health lists. */
async function routable(base: string): Promise<Routable[]> {
  const body = (await (await fetch(`${base}/health`)).json()) as { routable_agents: Routable[] };
  return body.routable_agents;
}

const idsOf = async (base: string): Promise<string[]> => (await routable(base)).map((a) => a.agent_id);
/** Poll until `check` passes (each poll is an HTTP round trip; the deadline only bounds a failure). */
const eventually = (check: () => Promise<void>): Promise<void> =>
  vi.waitFor(check, { timeout: 20_000, interval: 50 });

describe('discovery between agent processes (mosquitto)', () => {
  needs('mosquitto').it(
    'each agent lists the other as routable in /health; a kill -9 (its Will) removes it from the other',
    async () => {
      const broker = await startMosquitto();
      onTestFinished(() => broker.stop());
      const writer = await startAgentProcess(agentToml('disc-writer', broker.url, ['Writing']));
      const editor = await startAgentProcess(agentToml('disc-editor', broker.url, ['editing', 'review']));
      const [writerHealth, editorHealth] = await Promise.all([healthUrl(writer), healthUrl(editor)]);

      await eventually(async () => expect(await idsOf(writerHealth)).toEqual(['disc-editor', 'disc-writer']));
      await eventually(async () => expect(await idsOf(editorHealth)).toEqual(['disc-editor', 'disc-writer']));
      const seenByWriter = await routable(writerHealth);
      expect(seenByWriter[0]).toEqual({
        agent_id: 'disc-editor',
        capabilities: ['editing', 'review'],
        load: 0,
        last_seen: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as string,
      });

      editor.signal('SIGKILL');
      await editor.exited;
      await eventually(async () => expect(await idsOf(writerHealth)).toEqual(['disc-writer']));
    },
  );
});
