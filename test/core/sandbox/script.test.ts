// ScriptExecutor against a real script-host child: results, load failures, limits, isolation, host.log.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ScriptExecutor } from '../../../src/core/sandbox/script.js';
import { rejected } from '../../helpers/thrown.js';
import { callOpts, recordingLogger, scriptSpec, type LogEntry } from './script-helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'agent2389-script-'));
let exec: ScriptExecutor;

beforeAll(() => {
  exec = new ScriptExecutor();
});
afterAll(async () => {
  await exec.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** After an attack, the same executor still answers a normal call. */
async function expectHealthy(): Promise<void> {
  const r = await exec.run(scriptSpec('add'), { a: 2, b: 3 }, callOpts());
  expect(r).toMatchObject({ ok: true, value: { sum: 5 } });
}

describe('ScriptExecutor results', () => {
  it('runs a sync script and reports what applied', async () => {
    const r = await exec.run(scriptSpec('add'), { a: 1, b: 2, c: 'x' }, callOpts());
    expect(r).toMatchObject({ ok: true, value: { sum: 3, keys: ['a', 'b', 'c'] } });
    expect(r).toMatchObject({ timedOut: false, outputTruncated: false });
    expect(r.sandbox).toEqual([
      'isolate',
      'memory-limit',
      'timeout',
      'wall-clock',
      'result-cap',
      'separate-process',
      'rlimit',
      'no-wasm',
    ]);
  });

  it('runs an async script', async () => {
    const r = await exec.run(scriptSpec('async-ok'), { values: [1, 2, 3] }, callOpts());
    expect(r).toMatchObject({ ok: true, value: { doubled: [2, 4, 6] } });
  });

  it('a throwing script is ERR_SCRIPT_FAILED with its message', async () => {
    const r = await exec.run(scriptSpec('throws'), {}, callOpts());
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('AGENT_ERR_SCRIPT_FAILED');
    expect(r.error?.data).toMatchObject({
      tool: 'throws',
      reason: expect.stringContaining('boom') as string,
    });
    await expectHealthy();
  });

  it('parameters that are not JSON are ERR_TOOL_INVALID_PARAMS', async () => {
    const r = await exec.run(scriptSpec('add'), { a: 1n }, callOpts());
    expect(r.error?.code).toBe('AGENT_ERR_TOOL_INVALID_PARAMS');
  });
});

describe('ScriptExecutor.load', () => {
  const loadError = async (source: string): Promise<string> =>
    (await rejected(exec.load(scriptSpec('x', {}, { tool: 'bad', source })))).code;

  it('rejects a syntax error, a missing default function, imports and a missing file', async () => {
    const broken = join(tmp, 'syntax-error.js');
    writeFileSync(broken, 'export default function ( {\n');
    expect(await loadError(broken)).toBe('AGENT_ERR_SCRIPT_LOAD_FAILED');
    expect(await loadError(scriptSpec('no-default').source)).toBe('AGENT_ERR_SCRIPT_LOAD_FAILED');
    expect(await loadError(scriptSpec('default-not-function').source)).toBe('AGENT_ERR_SCRIPT_LOAD_FAILED');
    expect(await loadError(scriptSpec('imports').source)).toBe('AGENT_ERR_SCRIPT_LOAD_FAILED');
    expect(await loadError(join(tmp, 'missing.js'))).toBe('AGENT_ERR_SCRIPT_LOAD_FAILED');
    await expectHealthy();
  });

  it('a run of a script that cannot load is ok:false ERR_SCRIPT_LOAD_FAILED', async () => {
    const r = await exec.run(scriptSpec('no-default'), {}, callOpts());
    expect(r.error?.code).toBe('AGENT_ERR_SCRIPT_LOAD_FAILED');
  });

  it('loading a new version of a tool replaces the old one', async () => {
    await exec.load(scriptSpec('add', {}, { tool: 'versioned' }));
    const v1 = await exec.run(scriptSpec('add', {}, { tool: 'versioned' }), { a: 1, b: 1 }, callOpts());
    expect(v1.value).toMatchObject({ sum: 2 });
    const v2 = await exec.run(scriptSpec('trivial', {}, { tool: 'versioned' }), { n: 1 }, callOpts());
    expect(v2.value).toBe(2);
  });
});

describe('ScriptExecutor limits', () => {
  it.each(['sync', 'async', 'hang'])('a %s endless script is ERR_TOOL_TIMEOUT', async (mode) => {
    const r = await exec.run(scriptSpec('loop', { timeoutMs: 200 }), { mode }, callOpts());
    expect(r).toMatchObject({ ok: false, timedOut: true });
    expect(r.error?.code).toBe('AGENT_ERR_TOOL_TIMEOUT');
    expect(r.error?.data).toEqual({ tool: 'loop', timeoutMs: 200 }); // its own limit, not a later fallback
    await expectHealthy();
  });

  // Each case can hit only the limit it means: the CPU/wall-clock ones have room to spare in memory, the
  // memory one has a deadline no loaded machine reaches before 16 MiB are allocated.
  it.each([
    ['loop', 'AGENT_ERR_TOOL_TIMEOUT', 300, 128],
    ['hang', 'AGENT_ERR_TOOL_TIMEOUT', 300, 128],
    ['bomb', 'AGENT_ERR_SCRIPT_MEMORY_LIMIT', 20_000, 16],
  ])(
    'a fast tool whose next call (run inline) turns to %s fails with %s; the tool recovers',
    async (mode, code, timeoutMs, memoryLimitMb) => {
      const spec = scriptSpec('turns-bad', { timeoutMs, memoryLimitMb });
      for (let i = 0; i < 3; i++)
        expect(await exec.run(spec, { mode: 'fast' }, callOpts())).toMatchObject({ ok: true });
      const r = await exec.run(spec, { mode }, callOpts());
      expect(r.error?.code).toBe(code);
      expect(await exec.run(spec, { mode: 'fast' }, callOpts())).toMatchObject({ ok: true });
      await expectHealthy();
    },
  );

  it('another tool’s call waits out an inline call that loops, and then succeeds', async () => {
    const spec = scriptSpec('turns-bad', { timeoutMs: 400 }, { tool: 'turns-bad-2' });
    for (let i = 0; i < 3; i++) await exec.run(spec, { mode: 'fast' }, callOpts());
    const looping = exec.run(spec, { mode: 'loop' }, callOpts());
    const other = exec.run(scriptSpec('add', { timeoutMs: 50 }), { a: 1, b: 1 }, callOpts());
    expect((await looping).error?.code).toBe('AGENT_ERR_TOOL_TIMEOUT');
    expect(await other).toMatchObject({ ok: true, value: { sum: 2 } });
  });

  it('a memory bomb is ERR_SCRIPT_MEMORY_LIMIT, and the isolate is replaced', async () => {
    const spec = scriptSpec('memory-bomb', { memoryLimitMb: 16, timeoutMs: 20_000 }); // memory, never time
    for (let i = 0; i < 3; i++) {
      const r = await exec.run(spec, {}, callOpts());
      expect(r.error?.code).toBe('AGENT_ERR_SCRIPT_MEMORY_LIMIT');
    }
    await expectHealthy();
  });

  it('the contexts of finished calls never fill a small isolate: 400 calls at 8 MB all succeed', async () => {
    const spec = scriptSpec('add', { memoryLimitMb: 8 }, { tool: 'add-8mb' });
    let failed = 0;
    for (let i = 0; i < 400; i++) if (!(await exec.run(spec, { a: i, b: 1 }, callOpts())).ok) failed++;
    expect(failed).toBe(0);
  });

  it('a 100 MB result is ERR_TOOL_OUTPUT_TOO_LARGE and never crosses', async () => {
    const spec = scriptSpec('big-result', { memoryLimitMb: 512, timeoutMs: 20_000 });
    const r = await exec.run(spec, { mb: 100 }, callOpts());
    expect(r).toMatchObject({ ok: false, outputTruncated: true });
    expect(r.error?.code).toBe('AGENT_ERR_TOOL_OUTPUT_TOO_LARGE');
    expect(r.error?.data).toMatchObject({ stream: 'result', limitBytes: 1024 * 1024 });
    await expectHealthy();
  });

  it('the cap counts UTF-8 bytes of the JSON result', async () => {
    const tight = await exec.run(scriptSpec('add', { maxOutputBytes: 10 }), { a: 1, b: 2 }, callOpts());
    expect(tight.error?.code).toBe('AGENT_ERR_TOOL_OUTPUT_TOO_LARGE');
    const roomy = await exec.run(scriptSpec('add', { maxOutputBytes: 100 }), { a: 1, b: 2 }, callOpts());
    expect(roomy.ok).toBe(true);
  });
});

describe('ScriptExecutor isolation', () => {
  it('offers no way out: process, require, fetch, timers, imports', async () => {
    const r = await exec.run(scriptSpec('escape'), {}, callOpts());
    expect(r.ok).toBe(true);
    const seen = r.value as Record<string, string>;
    expect(Object.keys(seen).length).toBeGreaterThanOrEqual(11);
    for (const [attempt, what] of Object.entries(seen)) {
      expect([attempt, what]).toEqual([attempt, expect.stringMatching(/^(undefined|threw)$/) as string]);
    }
    await expectHealthy();
  });

  it('pollution of one call is not seen by the next', async () => {
    const spec = scriptSpec('pollute');
    expect((await exec.run(spec, { mode: 'pollute' }, callOpts())).value).toBe('polluted');
    for (let i = 0; i < 4; i++) {
      const r = await exec.run(spec, { mode: 'check' }, callOpts());
      expect(r.value).toEqual({ polluted: null, leftover: null, pushWorks: true });
    }
    await expectHealthy();
  });
});

describe('ScriptExecutor host.log', () => {
  it('forwards host.log lines to the call logger', async () => {
    const entries: LogEntry[] = [];
    const r = await exec.run(scriptSpec('logs', {}, { log: true }), {}, callOpts(recordingLogger(entries)));
    expect(r.value).toBe('function');
    expect(entries.map((e) => [e.level, e.msg])).toEqual([
      ['warn', 'careful'],
      ['info', 'plain message'],
      ['info', 'falls back to info'],
    ]);
    expect(entries[0]!.obj).toMatchObject({ tool: 'logs' });
  });

  it('host.log does not exist unless declared', async () => {
    const r = await exec.run(scriptSpec('logs', {}, { tool: 'logs-undeclared' }), {}, callOpts());
    expect(r.error?.code).toBe('AGENT_ERR_SCRIPT_FAILED');
  });

  it('caps the number of lines per call', async () => {
    const entries: LogEntry[] = [];
    const spec = scriptSpec('logs', {}, { tool: 'logs-flood', log: true });
    const r = await exec.run(spec, { mode: 'flood' }, callOpts(recordingLogger(entries)));
    expect(r.value).toBe('flooded');
    expect(entries).toHaveLength(101);
    expect(entries.at(-1)!.level).toBe('warn');
  });
});
