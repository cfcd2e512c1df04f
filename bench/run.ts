// `npm run bench`: our agent (scripted provider) against a bare MQTT echo responder, same broker, same run.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startMosquitto } from '../test/helpers/mosquitto.js';
import { connectLoad, percentile, type LoadClient } from './load.js';

const TOTAL = Number(process.env.BENCH_TASKS ?? 10_000);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 64);
const SERIAL = Number(process.env.BENCH_SERIAL ?? 2_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const here = fileURLToPath(new URL('.', import.meta.url));

function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

/** CPU time (user + system) the process has used so far, in µs (/proc/<pid>/stat, clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
  return (Number(fields[11]) + Number(fields[12])) * 10_000; // utime, stime (fields 14, 15)
}

function waitForLine(child: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${seen.slice(-2000)}`)), 15_000);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
  });
}

async function startAgent(brokerUrl: string, dir: string): Promise<ChildProcess> {
  const config = join(dir, 'bench-agent.toml');
  await writeFile(
    config,
    `[agent]\nid = "bench-agent"\n[mqtt]\nbroker_url = "${brokerUrl}"\n[llm]\nprovider = "scripted"\n[tools]\necho = "builtin"\n`,
  );
  const child = spawn(process.execPath, [join(here, '../src/cli/main.js'), 'run', config], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      LOG_FORMAT: 'json',
      HEALTH_PORT: '0', // the health server runs, as it does by default, on any free port
    },
  });
  await waitForLine(child, /agent available/, 'agent');
  return child;
}

async function startBaseline(brokerUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(here, 'echo-responder.js'), brokerUrl, 'echo-baseline'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await waitForLine(child, /ready/, 'baseline');
  return child;
}

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

async function main(): Promise<void> {
  const broker = await startMosquitto({ persistence: false });
  const dir = await mkdtemp(join(tmpdir(), 'agent2389-bench-'));
  const baseline = await startBaseline(broker.url);
  const agent = await startAgent(broker.url, dir);
  const load = await connectLoad(broker.url);
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const idleRss = rssMb(agent.pid!);
    const baselineIdleRss = rssMb(baseline.pid!);
    await load.throughput('echo-baseline', 1000, WINDOW); // warm-up
    await load.throughput('bench-agent', 1000, WINDOW);
    const base: Sample[] = [];
    const ours: Sample[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      base.push(await sample(load, 'echo-baseline', baseline.pid!));
      ours.push(await sample(load, 'bench-agent', agent.pid!));
    }
    const b = {
      tps: median(base.map((s) => s.tps)),
      p50: median(base.map((s) => s.p50)),
      p99: median(base.map((s) => s.p99)),
      cpu: median(base.map((s) => s.cpuPerTask)),
    };
    const o = {
      tps: median(ours.map((s) => s.tps)),
      p50: median(ours.map((s) => s.p50)),
      p99: median(ours.map((s) => s.p99)),
      cpu: median(ours.map((s) => s.cpuPerTask)),
    };
    const ratio = o.tps / b.tps;
    const rows = [
      ['', 'baseline echo', 'agent2389', 'ratio', 'target'],
      [`throughput (tasks/s, window ${WINDOW})`, fmt(b.tps, 0), fmt(o.tps, 0), fmt(ratio), '≥ 0.50'],
      ['serial latency p50 (ms)', fmt(b.p50, 3), fmt(o.p50, 3), fmt(o.p50 / b.p50), '≤ 1 ms'],
      ['serial latency p99 (ms)', fmt(b.p99, 3), fmt(o.p99, 3), fmt(o.p99 / b.p99), ''],
      ['CPU per task (µs, throughput run)', fmt(b.cpu, 1), fmt(o.cpu, 1), fmt(o.cpu / b.cpu), ''],
      ['idle RSS (MB)', fmt(baselineIdleRss, 1), fmt(idleRss, 1), '', '≤ 100 MB'],
    ];
    process.stdout.write(
      `\nmosquitto (set_tcp_nodelay true), ${ROUNDS} rounds (median), ${TOTAL} tasks/round, ${SERIAL} serial\n\n`,
    );
    for (const row of rows)
      process.stdout.write(
        `${row[0]!.padEnd(34)}${row
          .slice(1)
          .map((c) => c.padStart(14))
          .join('')}\n`,
      );
    const ok = ratio >= 0.5 && o.p50 <= 1 && idleRss <= 100;
    process.stdout.write(`\ntargets ${ok ? 'met' : 'NOT met'}\n`);
    if (process.argv.includes('--check') && !ok) process.exitCode = 1;
  } finally {
    await load.close();
    agent.kill('SIGTERM');
    baseline.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await broker.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
