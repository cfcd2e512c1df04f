// WebAssembly and growable buffers in script tools, attacked through real isolates in real script hosts:
// absent unless the tool opts in; when it does, its wasm memory counts against its memory limit.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { wasmHostLaunch } from '../../../src/core/sandbox/script-host/host-launch.js';
import { ScriptExecutor, WASM_SCRIPT_SANDBOX } from '../../../src/core/sandbox/script.js';
import { callOpts, dataLimitMb, isRunning, peakRssMb, scriptSpec } from './script-helpers.js';

/** The script hosts' cap in these tests; every attack asks for more memory than this. */
const HOST_MB = 1024;
const ATTACK_MB = 1536;
/** The memory limit of the tools under attack. */
const LIMIT_MB = 32;
const POOL_SIZE = 2;

let exec: ScriptExecutor;
beforeAll(() => {
  exec = new ScriptExecutor({ hostMemoryMb: HOST_MB, poolSize: POOL_SIZE });
});
afterAll(() => exec.close());

const plain = (name: string) => scriptSpec(name, { timeoutMs: 10_000, memoryLimitMb: LIMIT_MB });
const optedIn = (name: string, tool = `${name}-wasm`) =>
  scriptSpec(name, { timeoutMs: 10_000, memoryLimitMb: LIMIT_MB }, { wasm: true, tool });

describe('without the opt-in, WebAssembly does not exist', () => {
  it.each([
    ['wasm-memory-grow', { mb: ATTACK_MB }],
    ['wasm-instantiate', { mb: ATTACK_MB, mode: 'sync' }],
    ['wasm-instantiate', { mb: ATTACK_MB, mode: 'async' }],
  ])('%s %o fails with AGENT_ERR_SCRIPT_WASM_DISABLED; the host stays small', async (name, params) => {
    const r = await exec.run(plain(name), params, callOpts());
    expect(r.error?.code).toBe('AGENT_ERR_SCRIPT_WASM_DISABLED');
    expect(r.error?.data).toMatchObject({ tool: name });
    expect(r.sandbox).toContain('no-wasm');
    expect(peakRssMb(exec.pid!)).toBeLessThan(HOST_MB);
    expect(dataLimitMb(exec.pid!)).toBe(HOST_MB);
  });

  it('no trick brings it back: global lookups, constructors, descriptors, eval, own keys', async () => {
    const r = await exec.run(plain('wasm-escape'), {}, callOpts());
    expect(r.ok).toBe(true);
    const seen = r.value as Record<string, string>;
    expect(Object.keys(seen).length).toBeGreaterThanOrEqual(12);
    for (const [attempt, what] of Object.entries(seen))
      expect([attempt, what]).toEqual([attempt, expect.stringMatching(/^(undefined|threw)$/) as string]);
  });

  it.each(['resizable', 'growable-shared'])(
    'a %s ArrayBuffer cannot grow outside the memory limit',
    async (kind) => {
      const r = await exec.run(plain('array-buffer-grow'), { kind, mb: ATTACK_MB }, callOpts());
      expect(r.ok).toBe(false);
      expect(r.error?.code).toBe('AGENT_ERR_SCRIPT_FAILED'); // buffer.resize / grow do not exist
      expect(peakRssMb(exec.pid!)).toBeLessThan(HOST_MB);
    },
  );
});

describe("with the opt-in, wasm memory counts against the tool's memory limit", () => {
  const capMb = wasmHostLaunch(LIMIT_MB, POOL_SIZE, HOST_MB).dataLimitMb;

  it('growing a memory past the limit fails with AGENT_ERR_SCRIPT_MEMORY_LIMIT; the tool answers again', async () => {
    const spec = optedIn('wasm-memory-grow');
    const r = await exec.run(spec, { mb: ATTACK_MB }, callOpts());
    expect(r.error?.code).toBe('AGENT_ERR_SCRIPT_MEMORY_LIMIT');
    expect(r.error?.data).toEqual({ tool: spec.tool, memoryLimitMb: LIMIT_MB });
    expect(r.sandbox).toEqual(WASM_SCRIPT_SANDBOX);
    const pid = exec.hostPid(spec)!;
    expect(pid).not.toBe(exec.pid); // a child of its own
    expect(dataLimitMb(pid)).toBe(capMb);
    expect(peakRssMb(pid)).toBeLessThan(capMb);
    const small = await exec.run(spec, { mb: 8 }, callOpts());
    expect(small).toMatchObject({ ok: true, value: { mb: expect.closeTo(8, 0) as number } });
  });

  it.each(['sync', 'async'])(
    'memory.grow inside wasm (%s instantiation) stops at the limit',
    async (mode) => {
      const spec = optedIn('wasm-instantiate', `wasm-instantiate-${mode}`);
      const r = await exec.run(spec, { mb: ATTACK_MB, mode }, callOpts());
      expect(r).toMatchObject({ ok: true, value: { refused: true } });
      expect((r.value as { mb: number }).mb).toBeLessThanOrEqual(LIMIT_MB);
      expect(peakRssMb(exec.hostPid(spec)!)).toBeLessThan(capMb);
    },
  );

  it("many memories, each within the limit, fail together at the tool's own cap; the tool answers again", async () => {
    const spec = optedIn('wasm-many');
    const r = await exec.run(spec, { mb: 16, count: 100 }, callOpts());
    expect(r.ok).toBe(false);
    // V8 refuses the allocation (the memory limit), or the host restarts at its cap.
    expect(['AGENT_ERR_SCRIPT_MEMORY_LIMIT', 'AGENT_ERR_SCRIPT_HOST_CRASHED']).toContain(r.error?.code);
    const next = await exec.run(spec, { mb: 16, count: 1 }, callOpts());
    expect(next).toMatchObject({ ok: true, value: { mb: 16 } });
    expect(peakRssMb(exec.hostPid(spec)!)).toBeLessThan(capMb);
  });

  it('a tool that stops opting in leaves its own child, which is stopped', async () => {
    const spec = optedIn('wasm-memory-grow', 'switches');
    expect((await exec.run(spec, { mb: 1 }, callOpts())).ok).toBe(true);
    const own = exec.hostPid(spec)!;
    expect(own).toBeTypeOf('number');
    const off = await exec.run({ ...spec, wasm: false }, { mb: 1 }, callOpts());
    expect(off.error?.code).toBe('AGENT_ERR_SCRIPT_WASM_DISABLED');
    expect(exec.hostPid(spec)).toBeUndefined();
    await vi.waitFor(() => expect(isRunning(own)).toBe(false));
  });
});
