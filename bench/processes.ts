// Bench processes: start a real `agent2389 run` or the echo floor, and read a process's RSS and CPU from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { brokerAgentToml } from '../test/helpers/broker-agent-toml.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/** One agent under test: the defaults except for these keys. */
export interface AgentSpec {
  readonly id: string;
  /** `[dedupe] store` (the default is "file"). */
  readonly store: 'file' | 'memory';
  /** `prefetch_tasks`; undefined: the product default. */
  readonly prefetch?: number;
  /** `max_concurrent_tasks`; undefined: the product default. */
  readonly maxConcurrent?: number;
}

/** A /proc/<pid>/status field in MB (VmRSS: resident now; VmHWM: the most resident so far). */
export function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const kb = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

export const rssMb = (pid: number): number => statusMb(pid, 'VmRSS');

/** CPU time (user + system) the process has used so far, in µs (/proc/<pid>/stat, clock ticks of 10 ms). */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
  return (Number(fields[11]) + Number(fields[12])) * 10_000; // utime, stime (fields 14, 15)
}

/** Resolves with all `child` printed up to the first line matching `pattern`. */
function waitForLine(child: ChildProcess, pattern: RegExp, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${seen.slice(-2000)}`)), 15_000);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(seen);
      }
    };
    child.stdout?.on('data', onData);
  });
}

function agentToml(spec: AgentSpec, brokerUrl: string, dataDir: string): string {
  return brokerAgentToml({
    id: spec.id,
    brokerUrl,
    dataDir,
    store: spec.store,
    echoTool: true,
    ...(spec.prefetch !== undefined ? { prefetch: spec.prefetch } : {}),
    ...(spec.maxConcurrent !== undefined ? { maxConcurrent: spec.maxConcurrent } : {}),
  });
}

export interface BenchAgent {
  readonly child: ChildProcess;
  /** The health server's base URL (from its start-up log line), e.g. for /metrics. */
  readonly healthUrl: string | undefined;
}

/** Start `agent2389 run` (built dist/) with the scripted provider; its config and data dir go under `dir`. */
export async function startAgent(spec: AgentSpec, brokerUrl: string, dir: string): Promise<BenchAgent> {
  const home = join(dir, spec.id);
  await mkdir(home, { recursive: true });
  const config = join(home, 'agent.toml');
  await writeFile(config, agentToml(spec, brokerUrl, join(home, 'data')));
  const child = spawn(process.execPath, [join(here, '../src/cli/main.js'), 'run', config], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      LOG_FORMAT: 'json',
      HEALTH_PORT: '0', // the health server runs, as it does by default, on any free port
    },
  });
  const seen = await waitForLine(child, /agent available/, `agent ${spec.id}`);
  const healthUrl = /"url":"(http:\/\/[^"]+)"[^\n]*health server listening/.exec(seen)?.[1];
  return { child, healthUrl };
}

/** The floor: bench/echo-responder.ts (parse, publish; mqtt.js acknowledges on receipt). */
export async function startBaseline(brokerUrl: string, agentId: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(here, 'echo-responder.js'), brokerUrl, agentId], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await waitForLine(child, /ready/, 'baseline');
  return child;
}

/** SIGTERM and wait for the exit (SIGKILL after `graceMs`). */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
