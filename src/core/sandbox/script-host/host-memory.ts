// A process's RLIMIT_DATA and how much of it is in use, from /proc (Linux). The script host uses it to
// restart before it is wedged at its cap; the agent, to never ask prlimit for more than its hard limit.
import { readFileSync } from 'node:fs';

/** A script host using this share of its data limit after a call restarts (see main.ts). */
export const NEAR_LIMIT_RATIO = 0.9;

/** RLIMIT_DATA of this process in bytes (`soft` or `hard`); Infinity when unlimited or unknown. */
export function dataLimitBytes(kind: 'soft' | 'hard', limitsFile = '/proc/self/limits'): number {
  let text: string;
  try {
    text = readFileSync(limitsFile, 'utf8');
  } catch {
    return Infinity;
  }
  const line = text.split('\n').find((l) => l.startsWith('Max data size'));
  const value = line?.slice('Max data size'.length).trim().split(/\s+/)[kind === 'soft' ? 0 : 1];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : Infinity;
}

let pageBytes: number | undefined;

/** Bytes per page: statm counts pages, status kB (VmData + VmStk = statm's data field). */
function readPageBytes(): number {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const pages = Number(readFileSync('/proc/self/statm', 'utf8').split(' ')[5]);
    const data = Number(/^VmData:\s+(\d+) kB/m.exec(status)?.[1]);
    const stack = Number(/^VmStk:\s+(\d+) kB/m.exec(status)?.[1]);
    const bytes = ((data + stack) * 1024) / pages;
    return Number.isFinite(bytes) && bytes > 0 ? 2 ** Math.round(Math.log2(bytes)) : 4096;
  } catch {
    return 4096;
  }
}

/** The writable private memory RLIMIT_DATA counts (VmData, plus the small main stack), in bytes: ~4 µs. */
export function dataBytes(): number {
  pageBytes ??= readPageBytes();
  try {
    return Number(readFileSync('/proc/self/statm', 'utf8').split(' ')[5]) * pageBytes;
  } catch {
    return 0;
  }
}

/** How close this process is to its data limit; `near` past NEAR_LIMIT_RATIO of it. */
export function dataUse(limit = dataLimitBytes('soft')): { usedMb: number; limitMb: number; near: boolean } {
  const used = dataBytes();
  const mb = (b: number): number => Math.round(b / (1024 * 1024));
  return { usedMb: mb(used), limitMb: mb(limit), near: used >= limit * NEAR_LIMIT_RATIO };
}
