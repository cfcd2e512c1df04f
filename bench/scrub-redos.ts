// Scrubbing and redaction of hostile text (issue 14, item 4): each function on 256 KB built to make a
// backtracking pattern take super-linear time, against the same function on 256 KB of plain text, in
// the same run. Linear scrubbing keeps every ratio small; before the fix `pwd-`×1000 took 1.5 s to
// scrub and 16 KB of it 286 s to redact (cubic), so 256 KB would not have finished.
import { performance } from 'node:perf_hooks';

import { escapeJsonLogLine } from '../src/core/observability/log-escape.js';
import { scrubLogLine } from '../src/core/observability/log-scrub.js';
import { applyRedactionRules, redactErrorMessage } from '../src/core/protocol/redact.js';

const SIZE = Number(process.env.BENCH_SCRUB_KB ?? 256) * 1024;
const RUNS = Number(process.env.BENCH_SCRUB_RUNS ?? 7);
/** The worst adversarial/plain ratio allowed by `--check`. */
const TARGET_RATIO = 20;

const fill = (unit: string, prefix = '', size = SIZE): string =>
  prefix + unit.repeat(Math.ceil((size - prefix.length - SECRET.length) / unit.length)) + SECRET;

/** Every text ends with a secret pair, so no rule is skipped by its cheap pre-check. */
const SECRET = ' token=abc';

/** Text with what the rules look for (=, ": ", quotes, a URL), none of it a secret but the last. */
const PLAIN_UNIT =
  'GET /v1/models?page=2&sort=asc took 3 ms; status: 200, "model": "m1" at https://example.com ok. ';

/** Each shaped after a pattern that backtracked, or after the attack string recheck found for it. */
const ADVERSARIAL: Record<string, [unit: string, prefix?: string]> = {
  'pwd- run': ['pwd-'],
  '"pwd- (a JSON name)': ['pwd-', '"'],
  'a= pairs': ['a='],
  'key: pairs': ['key: '],
  '"a":" fields': ['"a":"'],
  '\\"a\\":\\" fields': ['\\"a\\":\\"'],
  'host a.a.a.': ['a.'],
  'host USTER.': ['USTER.'],
  'scheme _a://': ['_a://'],
  'scheme A+': ['A+'],
  'name APWDP': ['APWDP', 'H'],
  'name -0': ['-0', 'A'],
  'ports 1.1.1.1:': ['1.1.1.1:'],
  backslashes: ['\\'],
};

type Fn = (text: string) => string;
const FUNCTIONS: Record<string, Fn> = {
  scrubLogLine,
  applyRedactionRules,
  redactErrorMessage,
};

/** Median time of `RUNS` calls of `fn` on `text`, in ms (after one warm-up call). */
function time(fn: Fn, text: string): number {
  fn(text);
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    fn(text);
    samples.push(performance.now() - t);
  }
  return samples.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

const fmt = (n: number, digits = 2): string => n.toFixed(digits);

/** The per-line cost on the hot path: a typical pino line, scrubbed and escaped. */
function perLineNs(): number {
  const line = `${JSON.stringify({
    level: 'info',
    time: '2026-12-06T14:11:28.858Z',
    agent_id: 'bench-agent',
    task_id: '90e41a37-b775-4343-8c8c-c0ffee000001',
    duration_ms: 1.23,
    input_tokens: 10,
    msg: 'task completed',
  })}\n`;
  const calls = 200_000;
  for (let i = 0; i < calls / 10; i++) escapeJsonLogLine(scrubLogLine(line));
  const t = performance.now();
  for (let i = 0; i < calls; i++) escapeJsonLogLine(scrubLogLine(line));
  return ((performance.now() - t) / calls) * 1e6;
}

function main(): void {
  const names = Object.keys(FUNCTIONS);
  const plain = fill(PLAIN_UNIT);
  const plainMs = names.map((n) => time(FUNCTIONS[n]!, plain));
  process.stdout.write(
    `\nScrubbing ${SIZE / 1024} KB (median of ${RUNS}): adversarial text against plain text, and how the time\n` +
      `grows from a quarter of the size (×4 is linear, ×16 quadratic)\n\n`,
  );
  process.stdout.write(`${'input'.padEnd(22)}${names.map((n) => n.padStart(28)).join('')}\n`);
  process.stdout.write(
    `${'plain text (ms)'.padEnd(22)}${plainMs.map((t) => fmt(t, 3).padStart(28)).join('')}\n`,
  );
  const worst = names.map(() => 0);
  const worstGrowth = names.map(() => 0);
  for (const [label, [unit, prefix]] of Object.entries(ADVERSARIAL)) {
    const cells = names.map((n, i) => {
      const t = time(FUNCTIONS[n]!, fill(unit, prefix));
      const quarter = time(FUNCTIONS[n]!, fill(unit, prefix, SIZE / 4));
      const ratio = t / Math.max(plainMs[i]!, 0.001);
      const growth = t / Math.max(quarter, 0.001);
      worst[i] = Math.max(worst[i]!, ratio);
      worstGrowth[i] = Math.max(worstGrowth[i]!, growth);
      return `${fmt(t, 3)} ms ×${fmt(ratio, 1)} (grows ×${fmt(growth, 1)})`.padStart(28);
    });
    process.stdout.write(`${label.padEnd(22)}${cells.join('')}\n`);
  }
  process.stdout.write(
    `${'worst ratio to plain'.padEnd(22)}${worst.map((r) => `×${fmt(r, 1)}`.padStart(28)).join('')}\n`,
  );
  process.stdout.write(
    `${'worst growth (×4 size)'.padEnd(22)}${worstGrowth.map((r) => `×${fmt(r, 1)}`.padStart(28)).join('')}\n`,
  );
  process.stdout.write(`\nper typical log line (scrub + escape): ${fmt(perLineNs(), 0)} ns\n`);
  const ok = worst.every((r) => r <= TARGET_RATIO);
  process.stdout.write(
    `scrubbing target (worst ratio to plain ≤ ${TARGET_RATIO}) ${ok ? 'met' : 'NOT met'}\n`,
  );
  if (!ok && process.argv.includes('--check')) process.exitCode = 1;
}

main();
