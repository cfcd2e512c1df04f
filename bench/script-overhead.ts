// Script tool call overhead: cold (start the script host, load, first call) and warm calls through
// the isolated-vm script executor, against the same function called directly in-process.
//
// "Warm" is a call that finds a ready isolate: in an agent, tool calls are separated by LLM rounds,
// so the pool has rebuilt its fresh contexts by the next call. "Back to back" calls leave no such gap:
// each call then also waits for a fresh context to be built (~1 ms of CPU per call, the price of
// never letting one call see another's state), so that figure is reported, not held to the target.
// A bare IPC echo child, timed the same way in the same run, shows how much of a call is the process
// boundary itself (on a VM whose idle CPUs are slow to wake, most of it).
import { fork } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

import { DEFAULT_SCRIPT_LIMITS } from '../src/core/sandbox/execution.js';
import { ScriptExecutor, type ScriptSpec } from '../src/core/sandbox/script.js';
import { silentLogger } from '../src/core/observability/silent-logger.js';

const WARM_CALLS = Number(process.env.BENCH_SCRIPT_CALLS ?? 500);
const BACK_TO_BACK_CALLS = Number(process.env.BENCH_SCRIPT_BURST ?? 2000);
/** The gap between warm calls: long enough for the pool to rebuild (a few ms), short next to an LLM round. */
const GAP_MS = 5;
const SOURCE = 'export default function add({ a, b }) { return { sum: a + b }; }\n';

const sorted = (xs: number[]): number[] => [...xs].sort((x, y) => x - y);
const median = (xs: number[]): number => sorted(xs)[Math.floor(xs.length / 2)]!;
const p99 = (xs: number[]): number => sorted(xs)[Math.floor(xs.length * 0.99)]!;

type Call = (i: number) => Promise<void>;

/** Time `calls` calls of `call` and of the direct function, alternating; `gapMs` between pairs. */
async function measure(
  calls: number,
  gapMs: number,
  call: Call,
  direct: Call,
): Promise<[number[], number[]]> {
  const viaScript: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < calls; i++) {
    if (gapMs > 0) await delay(gapMs);
    let t = performance.now();
    await direct(i);
    baseline.push(performance.now() - t);
    t = performance.now();
    await call(i);
    viaScript.push(performance.now() - t);
  }
  return [viaScript, baseline];
}

/** A child that answers every IPC message with itself: the floor of any call to another process. */
async function ipcEcho(dir: string): Promise<{ call: Call; close(): void }> {
  const file = join(dir, 'echo.mjs');
  await writeFile(file, "process.on('message', (m) => process.send(m));\n");
  const child = fork(file, [], { serialization: 'json', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const call: Call = (i) =>
    new Promise((resolve) => {
      child.once('message', () => resolve());
      child.send({ type: 'run', id: i, tool: 'add', params: JSON.stringify({ a: i, b: 1 }) });
    });
  await call(0);
  return { call, close: () => child.kill() };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'agent2389-bench-script-'));
  const source = join(dir, 'add.js');
  await writeFile(source, SOURCE);
  const echo = await ipcEcho(dir);
  const add = ({ a, b }: { a: number; b: number }): { sum: number } => ({ sum: a + b });
  const executor = new ScriptExecutor({ log: silentLogger });
  const spec: ScriptSpec = { tool: 'add', source, limits: DEFAULT_SCRIPT_LIMITS, hostFunctions: [] };
  const opts = { signal: new AbortController().signal, log: silentLogger };
  const call: Call = async (i) => {
    const r = await executor.run(spec, { a: i, b: 1 }, opts);
    if (!r.ok) throw new Error(`call ${i} failed: ${r.error?.message}`);
  };
  // The same work in-process: the function, and the JSON copy a real call makes of params and result.
  const direct: Call = (i) => {
    JSON.parse(JSON.stringify(add(JSON.parse(JSON.stringify({ a: i, b: 1 })) as { a: number; b: number })));
    return Promise.resolve();
  };
  try {
    const coldStart = performance.now();
    await executor.load(spec);
    await call(0);
    const cold = performance.now() - coldStart;
    const [warm, warmBase] = await measure(WARM_CALLS, GAP_MS, call, direct);
    const [warmIpc] = await measure(WARM_CALLS, GAP_MS, echo.call, direct);
    const [burst, burstBase] = await measure(BACK_TO_BACK_CALLS, 0, call, direct);
    const overhead = median(warm) - median(warmBase);
    const beyondIpc = median(warm) - median(warmIpc);
    const rows = [
      ['cold: start script host + load + first call (ms)', cold.toFixed(1), ''],
      ['warm call p50 (ms)', median(warm).toFixed(3), `direct in-process ${median(warmBase).toFixed(4)}`],
      ['warm call p99 (ms)', p99(warm).toFixed(3), ''],
      ['warm overhead p50 (ms)', overhead.toFixed(3), 'target < 1 ms'],
      ['bare IPC echo round trip p50 (ms)', median(warmIpc).toFixed(3), 'same gaps, same run'],
      ['warm call beyond the IPC round trip p50 (ms)', beyondIpc.toFixed(3), ''],
      [
        'back to back p50 (ms)',
        median(burst).toFixed(3),
        `direct ${median(burstBase).toFixed(4)}; includes building a fresh context per call`,
      ],
      ['back to back p99 (ms)', p99(burst).toFixed(3), ''],
    ];
    process.stdout.write(
      `\nscript tools (isolated-vm in the script host): ${WARM_CALLS} warm calls ${GAP_MS} ms apart, ` +
        `${BACK_TO_BACK_CALLS} back to back\n\n`,
    );
    for (const [name, value, note] of rows)
      process.stdout.write(`${name!.padEnd(50)}${value!.padStart(10)}   ${note}\n`);
    const ok = overhead < 1;
    process.stdout.write(`\n${ok ? 'target met' : 'target MISSED'}\n`);
    if (!ok && process.argv.includes('--check')) process.exitCode = 1;
  } finally {
    echo.close();
    await executor.close();
  }
}

await main();
