// The burst line: `count` tasks published at once to one agent; its peak RSS, the time to answer all, exactly once.
import { startTaskLoad } from '../test/helpers/task-load.js';
import { startAgent, statusMb, stopProcess, type AgentSpec } from './processes.js';

/** queued: all tasks wait in the broker for the agent's session before it starts; live: it runs meanwhile. */
export type BurstMode = 'queued' | 'live';

export interface BurstResult {
  readonly mode: BurstMode;
  readonly count: number;
  readonly maxConcurrent: number;
  /** The highest VmRSS sampled every 100 ms from the agent's start to the last answer (MB). */
  readonly peakRssMb: number;
  /** The kernel's high-water mark of the agent's RSS at the end (VmHWM, MB): a check on the sampling. */
  readonly hwmMb: number;
  /**
   * The most task messages the agent had taken in and had waiting (memory budget, then the spool file) at once (gauges
   * agent2389_tasks_held / _spooled of /metrics, read every 100 ms); undefined when it has no such gauge.
   */
  readonly peakHeld: number | undefined;
  readonly peakSpooled: number | undefined;
  /** Publishing all tasks (s). */
  readonly publishSeconds: number;
  /** queued: from the agent's start to the last first answer; live: from the first publish (s). */
  readonly seconds: number;
  readonly answered: number;
  readonly lost: number;
  readonly answeredTwice: number;
  readonly report: string;
}

const SAMPLE_MS = 100;

/** Sample the process's VmRSS every 100 ms; peak() is the highest so far (read once more now). */
function sampleRss(pid: number): { peak(): number; stop(): void } {
  let peak = statusMb(pid, 'VmRSS');
  const read = (): void => {
    try {
      peak = Math.max(peak, statusMb(pid, 'VmRSS'));
    } catch {
      // the process is gone: the wait for the answers times out and says so
    }
  };
  const timer = setInterval(read, SAMPLE_MS);
  return {
    peak: () => (read(), peak),
    stop: () => clearInterval(timer),
  };
}

/** The highest values of gauges (their series summed) on `metricsUrl`, read every 100 ms. */
function sampleGauges(
  metricsUrl: string | undefined,
  names: readonly string[],
): { peaks(): Map<string, number>; stop(): Promise<void> } {
  const peaks = new Map<string, number>();
  let stopped = false;
  const read = async (): Promise<void> => {
    if (metricsUrl === undefined) return;
    const text = await fetch(metricsUrl).then((r) => r.text());
    for (const name of names) {
      const values = [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))];
      if (values.length === 0) continue;
      const sum = values.reduce((total, m) => total + Number(m[1]), 0);
      peaks.set(name, Math.max(peaks.get(name) ?? 0, sum));
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await read().catch(() => undefined); // between two agent processes, or it is busy: the next read
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
    }
  })();
  return {
    peaks: () => peaks,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

const HELD = 'agent2389_tasks_held';
const SPOOLED = 'agent2389_tasks_spooled';

/**
 * A durable agent with `max_concurrent_tasks = maxConcurrent` (the product's other defaults) and `count`
 * tasks (scripted, no delay) published as fast as the broker takes them; waits for every answer.
 * queued: the agent starts once (session and subscription), stops, the tasks are published, and it
 * starts again on the same session and data dir facing the whole backlog. The broker must not cap the
 * agent's queue (mosquitto `max_queued_messages 0`).
 */
export async function runBurst(
  brokerUrl: string,
  dir: string,
  count: number,
  maxConcurrent: number,
  mode: BurstMode,
): Promise<BurstResult> {
  const spec: AgentSpec = { id: 'bench-burst', store: 'file', maxConcurrent };
  // Generous on a loaded 2-core machine: ~10 ms a task, 2 minutes at least.
  const load = await startTaskLoad({
    url: brokerUrl,
    agentId: spec.id,
    delayMs: 0,
    timeoutMs: Math.max(120_000, count * 10),
  });
  let { child: agent, healthUrl } = await startAgent(spec, brokerUrl, dir);
  let rss = sampleRss(agent.pid!);
  const metrics = (): string | undefined => healthUrl && `${healthUrl}/metrics?format=prometheus`;
  let gauges = mode === 'live' ? sampleGauges(metrics(), [HELD, SPOOLED]) : undefined;
  try {
    let started = performance.now();
    if (mode === 'queued') {
      rss.stop();
      await stopProcess(agent);
    }
    await load.publishAll(count);
    const publishSeconds = (performance.now() - started) / 1000;
    if (mode === 'queued') {
      started = performance.now();
      ({ child: agent, healthUrl } = await startAgent(spec, brokerUrl, dir));
      rss = sampleRss(agent.pid!);
    }
    gauges ??= sampleGauges(metrics(), [HELD, SPOOLED]);
    await load.waitFor(`all ${count} burst tasks answered`, () => load.answered === count);
    const seconds = (performance.now() - started) / 1000;
    const peakRssMb = rss.peak();
    const hwmMb = statusMb(agent.pid!, 'VmHWM');
    await gauges.stop();
    // One more task through the same queue: a second answer to a burst task would most likely be in by then.
    await load.barrier();
    return {
      mode,
      count,
      maxConcurrent,
      peakRssMb,
      hwmMb,
      peakHeld: gauges.peaks().get(HELD),
      peakSpooled: gauges.peaks().get(SPOOLED),
      publishSeconds,
      seconds,
      answered: load.answered - 1, // the barrier task
      lost: load.lost().length,
      answeredTwice: load.duplicates().length,
      report: load.report(),
    };
  } finally {
    rss.stop();
    await gauges?.stop();
    await load.close();
    await stopProcess(agent);
  }
}
