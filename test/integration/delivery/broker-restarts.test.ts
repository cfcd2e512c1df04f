// Graceful broker restarts under a steady load (issue 16): with broker persistence every task is answered once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, onTestFinished } from 'vitest';

import { startAgentProcess } from '../../helpers/agent-process.js';
import { brokerAgentToml } from '../../helpers/broker-agent-toml.js';
import { CHAOS_BROKER, startMosquitto } from '../../helpers/mosquitto.js';
import { needs } from '../../helpers/require-tool.js';
import { startTaskLoad } from '../../helpers/task-load.js';

const RATE = 300; // tasks/s
const RESTARTS = 10;
const ANSWERS_BETWEEN = 150; // answers to wait for after each restart before the next one

const agentToml = (id: string, url: string, dataDir: string): string =>
  brokerAgentToml({ id, brokerUrl: url, dataDir, maxConcurrent: 16 });

describe('delivery: broker restarts under load', () => {
  // FR-010: a publisher's retry (same task_id) and a redelivery after a restart are not answered again.
  needs('mosquitto').it(
    `FR-010: ${RESTARTS} graceful broker restarts under ${RATE} tasks/s: 0 lost, 0 answered twice`,
    async () => {
      // Persistence on (the helper's default; saved on SIGTERM); max_queued_messages 0: no backlog is dropped.
      const broker = await startMosquitto({ extraConfig: CHAOS_BROKER });
      onTestFinished(() => broker.stop());
      const dir = await mkdtemp(join(tmpdir(), 'agent2389-restarts-'));
      onTestFinished(() => rm(dir, { recursive: true, force: true }));
      // LOG_LEVEL info: debug lines for thousands of tasks would load the machine more than the agent does.
      const agent = await startAgentProcess(
        agentToml('restart-load', broker.url, join(dir, 'data')),
        { LOG_LEVEL: 'info' },
        true,
        dir,
      );
      const load = await startTaskLoad({ url: broker.url, agentId: 'restart-load', delayMs: [5, 20] });
      onTestFinished(() => load.close());

      const pacer = load.startPaced(RATE);
      let settled: unknown;
      try {
        for (let i = 1; i <= RESTARTS + 1; i++) {
          const target = load.answered + ANSWERS_BETWEEN;
          await load.waitFor(
            `${ANSWERS_BETWEEN} answers after restart ${i - 1}`,
            () => load.answered >= target,
          );
          if (i <= RESTARTS) await broker.restart();
        }
        await pacer.stop();
        await load.waitFor('every task answered', () => load.answered === load.sent);
        await load.barrier();
      } catch (err) {
        settled = err;
        pacer.halt();
      }
      agent.signal('SIGTERM');
      await agent.exited;

      const summary = `${RESTARTS} restarts; ${load.report()}\n${broker.output().slice(-2000)}`;
      const counts = { lost: load.lost().length, answeredTwice: load.duplicates().length };
      expect(counts, summary).toEqual({ lost: 0, answeredTwice: 0 });
      expect(settled, summary).toBeUndefined();
    },
    300_000,
  );
});
