// How a script-host child is started: under prlimit (RLIMIT_DATA), with the V8 flags that close the
// memory paths isolated-vm's memoryLimit does not see (WebAssembly memory, resizable ArrayBuffers, asm.js).
import { dataLimitBytes } from './host-memory.js';

const MIB = 1024 * 1024;

/** What one child may use. */
export interface HostLaunch {
  /** RLIMIT_DATA of the child, in MiB: its writable private memory (heap, malloc, thread stacks, wasm). */
  readonly dataLimitMb: number;
  /** Present: WebAssembly is exposed, each wasm memory (and the wasm code) capped at this many MiB. */
  readonly wasmMemoryMb?: number;
}

/**
 * Flags of every child. The isolates' own V8 heap is counted by isolated-vm; these close what it does
 * not count: resizable ArrayBuffers and growable SharedArrayBuffers (backing stores reserved and
 * committed outside the ArrayBuffer allocator) and asm.js (compiled to wasm code outside the heap).
 */
const BASE_FLAGS = ['--no-node-snapshot', '--no-harmony-rab-gsab', '--no-validate-asm'];

/**
 * The node flags of a child: no WebAssembly at all, or WebAssembly with each memory (64 KiB pages, 16
 * per MiB) and its compiled code capped. Asynchronous wasm compilation never settles its promise under
 * isolated-vm (laverdet/isolated-vm#308): WebAssembly.compile/instantiate compile synchronously instead.
 */
export function nodeFlags(launch: HostLaunch): string[] {
  const mb = launch.wasmMemoryMb;
  if (mb === undefined) return [...BASE_FLAGS, '--no-expose-wasm'];
  const cap = Math.max(1, Math.floor(mb));
  return [
    ...BASE_FLAGS,
    `--wasm-max-mem-pages=${cap * 16}`,
    `--wasm-max-committed-code-mb=${cap}`,
    '--no-wasm-async-compilation',
  ];
}

/**
 * A wasm tool's own child may use this much beyond its isolates (measured: ~125 MiB of VmData once
 * isolated-vm is loaded with one tool, most of it reserved thread stacks; threads added later take
 * 8 MiB each).
 */
export const WASM_HOST_BASE_MB = 256;

/**
 * A wasm tool's child: each of its `poolSize` isolates may hold its V8 heap (memoryLimitMb) plus wasm
 * memory up to memoryLimitMb, and no more than the operator's script-host ceiling.
 */
export function wasmHostLaunch(memoryLimitMb: number, poolSize: number, hostMemoryMb: number): HostLaunch {
  const own = WASM_HOST_BASE_MB + poolSize * 2 * memoryLimitMb;
  return { dataLimitMb: Math.min(own, hostMemoryMb), wasmMemoryMb: memoryLimitMb };
}

/**
 * argv of the child: prlimit sets its own limits, then execs node, which keeps prlimit's pid (the
 * limit holds before the first instruction of node; there is no window). `--core=0`: a child killed
 * at its limit dumps no core of its memory.
 */
export function launchArgv(
  prlimit: string,
  entry: string,
  launch: HostLaunch,
  hardLimitBytes = dataLimitBytes('hard'),
): { file: string; args: string[] } {
  const bytes = Math.min(Math.max(1, Math.floor(launch.dataLimitMb)) * MIB, hardLimitBytes);
  return {
    file: prlimit,
    args: [`--data=${bytes}:${bytes}`, '--core=0', '--', process.execPath, ...nodeFlags(launch), entry],
  };
}
