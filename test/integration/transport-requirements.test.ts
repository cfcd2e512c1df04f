// Transport requirements end to end: protocol versions (NFR-001), QoS 1 (NFR-002), credentials (NFR-004).
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { startAgentProcess } from '../helpers/agent-process.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { connectProbe } from '../helpers/mqtt-probe.js';

let broker: Mosquitto | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

const agentToml = (id: string, url: string, mqttExtra = ''): string =>
  `[agent]\nid = "${id}"\n[mqtt]\nbroker_url = "${url}"\n${mqttExtra}\n[llm]\nprovider = "scripted"\n`;

/** mosquitto logs "New client connected from … as <id> (p5, c0, k60)": p5 = MQTT 5, p2 = MQTT 3.1.1. */
function protocolOf(b: Mosquitto, clientId: string): string | undefined {
  return new RegExp(`as ${clientId} \\((p\\d)`).exec(b.output())?.[1];
}

describe('transport requirements over mosquitto', () => {
  it('NFR-001: MQTT 5 by default, MQTT 3.1.1 with protocol_version = 4', async () => {
    broker = await startMosquitto();
    await startAgentProcess(agentToml('nfr1-v5', broker.url));
    await startAgentProcess(agentToml('nfr1-v4', broker.url, 'protocol_version = 4'));
    expect(protocolOf(broker, 'agent2389-nfr1-v5')).toBe('p5');
    expect(protocolOf(broker, 'agent2389-nfr1-v4')).toBe('p2');
  });

  it('NFR-002: status, responses and forwarded tasks are published at QoS 1', async () => {
    broker = await startMosquitto();
    await startAgentProcess(agentToml('nfr2', broker.url));
    const probe = await connectProbe(broker.url, 5);
    await probe.subscribe('/control/agents/#');
    await probe.subscribe('/conversations/#');
    const taskId = randomUUID();
    const next = { topic: '/control/agents/nfr2-next/input', instruction: null, input: null, next: null };
    await probe.publish(
      '/control/agents/nfr2/input',
      JSON.stringify({
        task_id: taskId,
        conversation_id: 'q',
        topic: '/control/agents/nfr2/input',
        instruction: 'x',
        input: null,
        next,
      }),
    );
    const [forwarded] = await probe.waitFor('/control/agents/nfr2-next/input');
    const [status] = await probe.waitFor('/control/agents/nfr2/status');
    expect(forwarded!.qos).toBe(1);
    expect(status!.qos).toBe(1);
    await probe.publish(
      '/control/agents/nfr2/input',
      JSON.stringify({
        task_id: randomUUID(),
        conversation_id: 'q',
        topic: '/control/agents/nfr2/input',
        instruction: 'y',
        input: null,
        next: null,
      }),
    );
    const [response] = await probe.waitFor('/conversations/q/nfr2');
    expect(response!.qos).toBe(1);
  });

  it('NFR-004: credentials come only from the named environment variables and are never logged', async () => {
    const password = `pw-${randomUUID()}`;
    const passwd = join(await mkdtemp(join(tmpdir(), 'nfr4-')), 'passwd');
    writeFileSync(passwd, '');
    execFileSync('mosquitto_passwd', ['-b', passwd, 'agent-user', password]);
    broker = await startMosquitto({ extraConfig: ['allow_anonymous false', `password_file ${passwd}`] });
    const creds = 'username_env = "NFR4_USER"\npassword_env = "NFR4_PASS"';
    const agent = await startAgentProcess(agentToml('nfr4', broker.url, creds), {
      NFR4_USER: 'agent-user',
      NFR4_PASS: password,
    });
    expect(agent.output()).toContain('agent available');
    expect(agent.output()).not.toContain(password);
    const wrong = await startAgentProcess(
      agentToml('nfr4-bad', broker.url, creds),
      { NFR4_USER: 'agent-user', NFR4_PASS: 'nope' },
      false,
    );
    await wrong.waitForLog(/MQTT connection attempt failed/);
    expect(wrong.output()).not.toContain('"nope"');
  });
});
