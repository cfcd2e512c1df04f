// kill -9 under load (issue 16): every task the broker took is answered once across an agent crash and restart.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, onTestFinished } from 'vitest';

import { startAgentProcess } from '../../helpers/agent-process.js';
import { brokerAgentToml } from '../../helpers/broker-agent-toml.js';
import { CHAOS_BROKER, startMosquitto } from '../../helpers/mosquitto.js';
import { needs } from '../../helpers/require-tool.js';
import { startTaskLoad } from '../../helpers/task-load.js';

const TASKS = 500;
const CONCURRENCY = 2;
const KILL_AFTER = 100;

const agentToml = (id: string, url: string, dataDir: string): string =>
  brokerAgentToml({ id, brokerUrl: url, dataDir, maxConcurrent: CONCURRENCY });

describe('delivery: kill -9 under load', () => {
  // FR-010: a task redelivered after the crash is not run or answered again. The one allowed second answer
  // (docs/scaling.md): a task whose answer the broker took just before the kill, before the agent recorded
  // it. Those answers are the last CONCURRENCY to arrive before the kill, or arrive after it from the dead
  // process; a second answer to any other task is a bug.
  needs('mosquitto').it(
    `FR-010: ${TASKS} tasks at concurrency ${CONCURRENCY}, kill -9 after ~${KILL_AFTER} answers, restart: 0 lost, none answered twice outside the crash window`,
    async () => {
      // max_queued_messages 0: the broker queues the whole backlog for the agent's session instead of dropping it.
      const broker = await startMosquitto({ extraConfig: CHAOS_BROKER });
      onTestFinished(() => broker.stop());
      const dir = await mkdtemp(join(tmpdir(), 'agent2389-kill-'));
      onTestFinished(() => rm(dir, { recursive: true, force: true }));
      const toml = agentToml('kill-load', broker.url, join(dir, 'data'));

      const first = await startAgentProcess(toml, {}, true, dir);
      const load = await startTaskLoad({ url: broker.url, agentId: 'kill-load', delayMs: 50 });
      onTestFinished(() => load.close());
      await load.publishAll(TASKS);
      await load.waitFor(`${KILL_AFTER} answers`, () => load.answered >= KILL_AFTER);
      const atKill = load.answered;
      first.signal('SIGKILL');
      await first.exited;
      const beforeRestart = load.answered;

      // The same config file and data dir: the same client id (persistent session) and the same dedupe file.
      const second = await startAgentProcess(toml, {}, true, dir);
      const settled = await load
        .waitFor('every task answered', () => load.answered === load.sent, 120_000)
        .then(() => load.barrier())
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      second.signal('SIGTERM');
      await second.exited;

      const inWindow = new Set(load.order().slice(Math.max(0, atKill - CONCURRENCY), beforeRestart));
      const twice = load.duplicates();
      const summary = `answered at the kill ${atKill}, before the restart ${beforeRestart}; ${load.report()}`;
      const counts = {
        lost: load.lost().length,
        answeredTwiceOutsideTheWindow: twice.filter((id) => !inWindow.has(id)).length,
        answeredTwiceInTheWindowAtMostConcurrency: twice.length <= CONCURRENCY,
      };
      expect(counts, summary).toEqual({
        lost: 0,
        answeredTwiceOutsideTheWindow: 0,
        answeredTwiceInTheWindowAtMostConcurrency: true,
      });
      expect(settled, summary).toBeUndefined();
    },
    300_000,
  );
});
