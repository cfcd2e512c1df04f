// examples/routing end to end: its three agent configs load (and `agent2389 validate` accepts them), and
// on a real mosquitto its gatekeeper.mjs routes research → write → edit for `agent2389 inject --capability
// research --query … --wait` (the built CLI), each hop a new task with the context and trace extended.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { describe, expect, it, onTestFinished } from 'vitest';

import { loadConfig } from '../../../src/core/config/load.js';
import type { ConfigWarning } from '../../../src/core/config/unknown-keys.js';
import { runCli, startAgentProcess } from '../../helpers/agent-process.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { connectProbe } from '../../helpers/mqtt-probe.js';
import { needs } from '../../helpers/require-tool.js';

const dir = (name: string): string =>
  fileURLToPath(new URL(`../../../examples/routing/${name}`, import.meta.url));
const AGENTS = [
  ['researcher', 'research'],
  ['writer', 'write'],
  ['editor', 'edit'],
] as const;

/** Start examples/routing/gatekeeper.mjs on a free port; resolves with its URL once it listens. */
async function startGatekeeper(): Promise<string> {
  const child = spawn(process.execPath, [dir('gatekeeper.mjs')], {
    env: { PATH: process.env.PATH ?? '', GATEKEEPER_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  onTestFinished(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`gatekeeper exited (${String(code)}): ${out}`)));
  });
}

describe('examples/routing', () => {
  it.each(AGENTS)(
    '%s.toml loads without warnings: capability %s, gatekeeper routing',
    async (id, capability) => {
      const warnings: ConfigWarning[] = [];
      const config = await loadConfig(dir(`${id}.toml`), { env: {}, onWarning: (w) => warnings.push(w) });
      expect(warnings).toEqual([]);
      expect(config.agent).toMatchObject({ id, capabilities: [capability] });
      expect(config.routing).toMatchObject({
        strategy: 'gatekeeper',
        gatekeeper: { url: 'http://127.0.0.1:8089/route' },
      });
      expect(config.llm.provider).toBe('scripted');
    },
  );

  it('agent2389 validate accepts each of them', async () => {
    for (const [id] of AGENTS) {
      const r = await runCli(['validate', dir(`${id}.toml`)], {});
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
  });

  needs('mosquitto').it(
    'inject --capability research --query --wait: research → write → edit, decisions printed, final response once',
    async () => {
      const broker = await startMosquitto({ persistence: false });
      onTestFinished(() => broker.stop());
      const gatekeeper = await startGatekeeper();
      await Promise.all(
        AGENTS.map(async ([id]) => {
          const toml = (await readFile(dir(`${id}.toml`), 'utf8')).replace(
            'http://127.0.0.1:8089/route',
            gatekeeper,
          );
          return startAgentProcess(toml, { MQTT_BROKER_URL: broker.url });
        }),
      );
      const probe = await connectProbe(broker.url);
      await probe.subscribe('/control/agents/+/input');
      await probe.subscribe('/conversations/+/+');
      const r = await runCli(
        [
          'inject',
          '--broker-url',
          broker.url,
          '--capability',
          'research',
          '--query',
          'Rust async',
          '--wait',
          '60',
        ],
        {},
        90_000,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout, r.stderr).toBe(
        'Edit and polish this article\n\nWrite a short article from this research\n\nRust async\n',
      );
      const lines = r.stderr.split('\n');
      const at = (re: RegExp): number => lines.findIndex((l) => re.test(l));
      expect(at(/^chose researcher for capability "research"/)).toBe(0);
      const order = [
        at(/^\[1\] researcher +→ writer · gatekeeper .*"stage 2\/3: write"$/),
        at(/^\[2\] writer +→ editor · gatekeeper .*"stage 3\/3: edit"$/),
        at(/^\[3\] editor +complete · gatekeeper .*"all 3 stages done"$/),
        at(/^response from editor after /),
      ];
      expect(order.every((i) => i > 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);

      // Each hop a new task in the same conversation; the context and trace grow hop by hop.
      const tasks = (await probe.waitFor('/control/agents/', 3)).map((m) => m.json());
      expect(tasks.map((t) => t.topic)).toEqual([
        '/control/agents/researcher/input',
        '/control/agents/writer/input',
        '/control/agents/editor/input',
      ]);
      expect(new Set(tasks.map((t) => t.task_id)).size).toBe(3);
      expect(new Set(tasks.map((t) => t.conversation_id)).size).toBe(1);
      expect(tasks.map((t) => (t.context as { iteration_count: number }).iteration_count)).toEqual([0, 1, 2]);
      expect(tasks[2]).toMatchObject({
        version: expect.stringMatching(/^2/) as string,
        instruction: 'Edit and polish this article',
        context: {
          original_query: 'Rust async',
          steps_completed: [{ agent_id: 'researcher' }, { agent_id: 'writer' }],
        },
        routing_trace: [
          { from_agent: 'researcher', to_agent: 'writer', step_number: 1 },
          { from_agent: 'writer', to_agent: 'editor', step_number: 2 },
        ],
      });
      // Only the editor answered on the conversation topic: the final response, once.
      const answers = probe.on('/conversations/');
      expect(answers.map((a) => a.topic)).toEqual([
        `/conversations/${String(tasks[0]!.conversation_id)}/editor`,
      ]);
    },
    120_000,
  );
});
