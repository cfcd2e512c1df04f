// How script hosts are started: the node flags (checked against this node), the wasm host's cap, the
// prlimit argv, and reading RLIMIT_DATA from /proc.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import {
  WASM_HOST_BASE_MB,
  launchArgv,
  nodeFlags,
  wasmHostLaunch,
} from '../../../src/core/sandbox/script-host/host-launch.js';
import { dataLimitBytes } from '../../../src/core/sandbox/script-host/host-memory.js';

const MIB = 1024 * 1024;
const tmp = mkdtempSync(join(tmpdir(), 'agent2389-launch-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** What a node started with `flags` sees (a flag this node does not know makes it exit non-zero). */
function probe(flags: string[]): { status: number | null; seen: Record<string, unknown> } {
  const code =
    'const b = new ArrayBuffer(0, { maxByteLength: 1024 });' +
    'console.log(JSON.stringify({ wasm: typeof WebAssembly, resizable: b.resizable === true }))';
  const r = spawnSync(process.execPath, [...flags, '-e', code], { encoding: 'utf8' });
  return { status: r.status, seen: r.status === 0 ? (JSON.parse(r.stdout) as Record<string, unknown>) : {} };
}

describe('script host launch', () => {
  it('a shared host has no WebAssembly and no resizable ArrayBuffers (flags this node accepts)', () => {
    const flags = nodeFlags({ dataLimitMb: 2048 });
    expect(flags).toEqual(expect.arrayContaining(['--no-node-snapshot', '--no-expose-wasm']));
    expect(probe(flags)).toEqual({ status: 0, seen: { wasm: 'undefined', resizable: false } });
  });

  it("a wasm tool's host has WebAssembly, each memory capped at the tool's limit", () => {
    const launch = wasmHostLaunch(32, 2, 2048);
    expect(launch).toEqual({ dataLimitMb: WASM_HOST_BASE_MB + 2 * 2 * 32, wasmMemoryMb: 32 });
    const flags = nodeFlags(launch);
    expect(flags).toEqual(
      expect.arrayContaining(['--wasm-max-mem-pages=512', '--no-wasm-async-compilation']),
    );
    expect(flags).not.toContain('--no-expose-wasm');
    expect(probe(flags)).toEqual({ status: 0, seen: { wasm: 'object', resizable: false } });
    expect(wasmHostLaunch(512, 2, 1024).dataLimitMb).toBe(1024); // never above the operator's ceiling
  });

  it('prlimit sets RLIMIT_DATA (never above our own hard limit) and execs node', () => {
    const { file, args } = launchArgv('/usr/bin/prlimit', '/x/main.js', { dataLimitMb: 100 }, Infinity);
    expect(file).toBe('/usr/bin/prlimit');
    expect(args.slice(0, 4)).toEqual([
      `--data=${100 * MIB}:${100 * MIB}`,
      '--core=0',
      '--',
      process.execPath,
    ]);
    expect(args.at(-1)).toBe('/x/main.js');
    const clamped = launchArgv('/usr/bin/prlimit', '/x/main.js', { dataLimitMb: 100 }, 50 * MIB);
    expect(clamped.args[0]).toBe(`--data=${50 * MIB}:${50 * MIB}`);
  });

  it('reads the soft and hard RLIMIT_DATA from a limits file', () => {
    const file = join(tmp, 'limits');
    writeFileSync(
      file,
      'Limit                     Soft Limit           Hard Limit           Units     \n' +
        'Max data size             1073741824           unlimited            bytes     \n',
    );
    expect(dataLimitBytes('soft', file)).toBe(1024 * MIB);
    expect(dataLimitBytes('hard', file)).toBe(Infinity);
    expect(dataLimitBytes('soft', join(tmp, 'missing'))).toBe(Infinity);
  });
});
