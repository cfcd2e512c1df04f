// Script tool call overhead: cold (start the script host, load, first call) and warm calls through
// the isolated-vm script executor, against the same function called directly in-process.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { DEFAULT_SCRIPT_LIMITS } from '../src/core/sandbox/execution.js';
import { ScriptExecutor, type ScriptSpec } from '../src/core/sandbox/script.js';
import { silentLogger } from '../src/core/observability/silent-logger.js';

const WARM_CALLS = Number(process.env.BENCH_SCRIPT_CALLS ?? 2000);
const SOURCE = 'export default function add({ a, b }) { return { sum: a + b }; }\n';

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const p99 = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length * 0.99)]!;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'agent2389-bench-script-'));
  const source = join(dir, 'add.js');
  await writeFile(source, SOURCE);
  const direct = (({ a, b }: { a: number; b: number }) => ({ sum: a + b })) as (p: unknown) => unknown;
  const executor = new ScriptExecutor({ log: silentLogger });
  const spec: ScriptSpec = { tool: 'add', source, limits: DEFAULT_SCRIPT_LIMITS, hostFunctions: [] };
  const opts = { signal: new AbortController().signal, log: silentLogger };
  try {
    const coldStart = performance.now();
    await executor.load(spec);
    const first = await executor.run(spec, { a: 1, b: 2 }, opts);
    const cold = performance.now() - coldStart;
    if (!first.ok) throw new Error(`first call failed: ${first.error?.message}`);
    const warm: number[] = [];
    const baseline: number[] = [];
    for (let i = 0; i < WARM_CALLS; i++) {
      let t = performance.now();
      JSON.parse(JSON.stringify(direct({ a: i, b: 1 })));
      baseline.push(performance.now() - t);
      t = performance.now();
      const r = await executor.run(spec, { a: i, b: 1 }, opts);
      warm.push(performance.now() - t);
      if (!r.ok) throw new Error(`call ${i} failed: ${r.error?.message}`);
    }
    const overhead = median(warm) - median(baseline);
    const rows = [
      ['cold: start script host + load + first call (ms)', cold.toFixed(1), ''],
      ['warm call p50 (ms)', median(warm).toFixed(3), `direct in-process ${median(baseline).toFixed(4)}`],
      ['warm call p99 (ms)', p99(warm).toFixed(3), ''],
      ['warm overhead p50 (ms)', overhead.toFixed(3), 'target < 1 ms'],
    ];
    process.stdout.write(
      `\nscript tools (isolated-vm in the script host), ${WARM_CALLS} warm calls, back to back\n\n`,
    );
    for (const [name, value, note] of rows)
      process.stdout.write(`${name!.padEnd(50)}${value!.padStart(10)}   ${note}\n`);
    const ok = overhead < 1;
    process.stdout.write(`\n${ok ? 'target met' : 'target MISSED'}\n`);
    if (!ok && process.argv.includes('--check')) process.exitCode = 1;
  } finally {
    await executor.close();
  }
}

await main();
