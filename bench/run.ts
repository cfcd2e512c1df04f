// `npm run bench`: our agent (scripted provider) against a bare MQTT echo responder, same broker, same run.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startMosquitto } from '../test/helpers/mosquitto.js';
import { runBurst, type BurstMode, type BurstResult } from './burst.js';
import { connectLoad, percentile, type LoadClient } from './load.js';
import {
  cpuMicros,
  rssMb,
  startAgent,
  startBaseline,
  statusMb,
  stopProcess,
  type AgentSpec,
} from './processes.js';

const TOTAL = Number(process.env.BENCH_TASKS ?? 10_000);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 64);
const SERIAL = Number(process.env.BENCH_SERIAL ?? 2_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** More durable agents, one per `prefetch_tasks` value listed (e.g. "4,56"), measured in the same rounds. */
const PREFETCH = (process.env.BENCH_PREFETCH ?? '')
  .split(',')
  .filter((v) => v.trim() !== '')
  .map(Number);
/** Tasks in the burst line (0: no burst line). */
const BURST = Number(process.env.BENCH_BURST ?? 50_000);
/** queued (default): the burst waits in the broker before the agent starts; live: the agent runs meanwhile. */
const BURST_MODE: BurstMode = process.env.BENCH_BURST_MODE === 'live' ? 'live' : 'queued';
const BURST_CONCURRENCY = 4;
const BURST_TARGET_MB = 200;
/** The product's default prefetch_tasks: the burst agent's receive maximum is max_concurrent_tasks + this. */
const DEFAULT_PREFETCH = 4;

interface Sample {
  tps: number;
  p50: number;
  p99: number;
  /** The responder's CPU time per task in the throughput run (µs): unlike tasks/s, not skewed by other load. */
  cpuPerTask: number;
}

async function sample(load: LoadClient, agentId: string, pid: number): Promise<Sample> {
  const cpuBefore = cpuMicros(pid);
  const tps = await load.throughput(agentId, TOTAL, WINDOW);
  const cpuPerTask = (cpuMicros(pid) - cpuBefore) / TOTAL;
  const lat = await load.latencies(agentId, SERIAL);
  return { tps, p50: percentile(lat, 50), p99: percentile(lat, 99), cpuPerTask };
}

const median = (xs: number[]): number => percentile(xs, 50);
const fmt = (n: number, d = 2): string => n.toFixed(d);

/** One process under load: the echo floor or an agent, its medians over the rounds. */
interface Responder {
  readonly column: string;
  readonly legend: string;
  readonly id: string;
  readonly child: ChildProcess;
  idleRss: number;
  /** VmHWM after the rounds: the most the process held, for comparison with the burst's peak. */
  peakRss: number;
  readonly samples: Sample[];
}

type Metric = 'tps' | 'p50' | 'p99' | 'cpuPerTask';
const value = (r: Responder, m: Metric): number => median(r.samples.map((s) => s[m]));

/** The agents measured against the floor: the default (durable), the memory store, and BENCH_PREFETCH ones. */
function agentSpecs(): Array<{ spec: AgentSpec; column: string; legend: string }> {
  return [
    {
      spec: { id: 'bench-durable', store: 'file' },
      column: 'durable',
      legend: 'agent, durable (file store, ack after answer): the defaults',
    },
    {
      spec: { id: 'bench-memory', store: 'memory' },
      column: 'memory',
      legend: 'agent, memory store (ack after answer, no disk write): [dedupe] store = "memory"',
    },
    ...PREFETCH.map((p) => ({
      spec: { id: `bench-durable-p${p}`, store: 'file' as const, prefetch: p },
      column: `durable p${p}`,
      legend: `agent, durable (file store, ack after answer), prefetch_tasks = ${p}`,
    })),
  ];
}

function printTable(rows: string[][], first = 34, width = 13): void {
  for (const row of rows)
    process.stdout.write(
      `${row[0]!.padEnd(first)}${row
        .slice(1)
        .map((c) => c.padStart(width))
        .join('')}`.trimEnd() + '\n',
    );
}

/** Metric rows; after each agent its ratio to the floor; then file store / memory store, then the target. */
function printThroughput(floor: Responder, agents: Responder[]): void {
  const [durable, memory] = agents as [Responder, Responder];
  const metric = (label: string, m: Metric | 'idle' | 'peak', d: number, target: string): string[] => {
    const v = (r: Responder): number => (m === 'idle' ? r.idleRss : m === 'peak' ? r.peakRss : value(r, m));
    const ratio = (a: Responder, b: Responder): string =>
      m === 'idle' || m === 'peak' ? '' : fmt(v(a) / v(b));
    return [
      label,
      fmt(v(floor), d),
      ...agents.flatMap((a) => [fmt(v(a), d), ratio(a, floor)]),
      ratio(durable, memory),
      target,
    ];
  };
  process.stdout.write(
    `\nmosquitto (set_tcp_nodelay true, max_queued_messages 0), ${ROUNDS} rounds (median), ` +
      `${TOTAL} tasks/round with ${WINDOW} in flight, then ${SERIAL} one at a time\n\n`,
  );
  for (const r of [floor, ...agents]) process.stdout.write(`  ${r.column.padEnd(14)}${r.legend}\n`);
  process.stdout.write('  ratio         against the echo floor; file/memory: durable against memory\n\n');
  printTable([
    ['', floor.column, ...agents.flatMap((a) => [a.column, 'ratio']), 'file/memory', 'target'],
    metric(`throughput (tasks/s, window ${WINDOW})`, 'tps', 0, '≥ 0.50'),
    metric('serial latency p50 (ms)', 'p50', 3, '≤ 1 ms'),
    metric('serial latency p99 (ms)', 'p99', 3, ''),
    metric('CPU per task (µs, throughput run)', 'cpuPerTask', 1, ''),
    metric('idle RSS (MB)', 'idle', 1, '≤ 100 MB'),
    metric('peak RSS in the rounds (MB, VmHWM)', 'peak', 1, ''),
  ]);
}

function printBurst(b: BurstResult): void {
  process.stdout.write(
    `\nburst (${b.mode}): ${b.count} tasks published at once to agent, durable (file store, ack after answer), ` +
      `max_concurrent_tasks ${b.maxConcurrent}, scripted without delay` +
      (b.mode === 'queued'
        ? ', all queued in the broker before the agent starts\n\n'
        : ', the agent running\n\n'),
  );
  printTable(
    [
      ['', 'measured', 'target'],
      ['peak RSS (MB, VmRSS every 100 ms)', fmt(b.peakRssMb, 1), `< ${BURST_TARGET_MB} MB`],
      ['peak RSS (MB, VmHWM at the end)', fmt(b.hwmMb, 1), ''],
      [
        'peak tasks held in memory (gauge)',
        b.peakHeld === undefined ? 'n/a' : String(b.peakHeld),
        `≤ ${b.maxConcurrent + DEFAULT_PREFETCH}`,
      ],
      [
        'peak tasks waiting to be taken in (gauge)',
        b.peakSpooled === undefined ? 'n/a' : String(b.peakSpooled),
        '',
      ],
      ['publishing all (s)', fmt(b.publishSeconds, 1), ''],
      [
        `time to answer all (s, from ${b.mode === 'queued' ? 'the agent start' : 'the first publish'})`,
        fmt(b.seconds, 1),
        '',
      ],
      ['tasks/s', fmt(b.count / b.seconds, 0), ''],
      ['answered exactly once', `${b.answered - b.answeredTwice} / ${b.count}`, 'all'],
    ],
    48,
    12,
  );
  process.stdout.write(`  (${b.report})\n`);
}

async function main(): Promise<void> {
  // max_queued_messages 0: the broker keeps the whole burst for the agent's session instead of dropping it.
  const broker = await startMosquitto({ persistence: false, extraConfig: ['max_queued_messages 0'] });
  const dir = await mkdtemp(join(tmpdir(), 'agent2389-bench-'));
  const responders: Responder[] = [];
  const load = await connectLoad(broker.url);
  try {
    const floor = 'echo-baseline';
    const echo = await startBaseline(broker.url, floor);
    responders.push({
      column: 'echo floor',
      legend: 'bench/echo-responder.ts: parse, publish (mqtt.js acknowledges on receipt)',
      id: floor,
      child: echo,
      idleRss: 0,
      peakRss: 0,
      samples: [],
    });
    for (const { spec, column, legend } of agentSpecs()) {
      const { child } = await startAgent(spec, broker.url, dir);
      responders.push({ column, legend, id: spec.id, child, idleRss: 0, peakRss: 0, samples: [] });
    }
    await new Promise((r) => setTimeout(r, 1000));
    for (const r of responders) r.idleRss = rssMb(r.child.pid!);
    for (const r of responders) await load.throughput(r.id, 1000, WINDOW); // warm-up
    for (let round = 0; round < ROUNDS; round++)
      for (const r of responders) r.samples.push(await sample(load, r.id, r.child.pid!));
    for (const r of responders) r.peakRss = statusMb(r.child.pid!, 'VmHWM');
    await Promise.all(responders.map((r) => stopProcess(r.child)));
    const [echoFloor, ...agents] = responders as [Responder, ...Responder[]];
    printThroughput(echoFloor, agents);
    const durable = agents[0]!;
    const ratio = value(durable, 'tps') / value(echoFloor, 'tps');
    let ok = ratio >= 0.5 && value(durable, 'p50') <= 1 && durable.idleRss <= 100;

    if (BURST > 0) {
      const burst = await runBurst(broker.url, dir, BURST, BURST_CONCURRENCY, BURST_MODE);
      printBurst(burst);
      ok &&= burst.peakRssMb < BURST_TARGET_MB && burst.lost === 0 && burst.answeredTwice === 0;
    }
    process.stdout.write(`\ntargets ${ok ? 'met' : 'NOT met'}\n`);
    if (process.argv.includes('--check') && !ok) process.exitCode = 1;
  } finally {
    await load.close();
    await Promise.all(responders.map((r) => stopProcess(r.child)));
    await broker.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
