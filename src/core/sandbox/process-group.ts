// Signal whole process groups of tool subprocesses; a registry of live groups killed on shutdown and exit.
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

/** A live tool call: its process group id and a promise that settles when the call has cleaned up. */
interface LiveGroup {
  readonly pgid: number;
  onShutdown(): void;
  readonly settled: Promise<unknown>;
  /** Whose call it is (a SandboxRuntime): killAllGroups(owner) kills only that owner's groups. */
  readonly owner: object | undefined;
}

const live = new Map<number, LiveGroup>();
let exitHookInstalled = false;

/** Send `signal` to every process in group `pgid`. False when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    // ESRCH: the group is gone. EPERM: it is not ours (cannot happen for a group we spawned).
    return false;
  }
}

/** True while some process of group `pgid` is alive (zombies waiting for a reaper do not count). */
export async function groupAlive(pgid: number): Promise<boolean> {
  if (!signalGroup(pgid, 0)) return false;
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return true; // no /proc: trust kill(0)
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid pgrp ...: comm may contain spaces and parentheses, so parse after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z' && Number(fields[2]) === pgid) return true;
  }
  return false;
}

/**
 * SIGKILL group `pgid` until none of its processes is alive (a fork storm can race one kill),
 * giving up after `withinMs`. Returns true when the group is gone.
 */
export async function killGroupUntilGone(pgid: number, withinMs = 2_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    if (!signalGroup(pgid, 'SIGKILL')) return true;
    if (!(await groupAlive(pgid))) return true;
    if (Date.now() >= deadline) return false;
    await delay(wait);
  }
}

/** Track a live group until `settled` resolves; `onShutdown` is called by killAllGroups before the kill. */
export function registerGroup(
  pgid: number,
  onShutdown: () => void,
  settled: Promise<unknown>,
  owner?: object,
): void {
  installExitHook();
  live.set(pgid, { pgid, onShutdown, settled, owner });
  void settled.finally(() => {
    if (live.get(pgid)?.settled === settled) live.delete(pgid);
  });
}

/** Process group ids of every tool call still running. */
export function liveGroups(): number[] {
  return [...live.keys()];
}

/**
 * SIGKILL every live tool process group (of `owner` only, when given: an old generation closing must
 * not kill the new one's calls) and wait (bounded) until each call has cleaned up.
 */
export async function killAllGroups(owner?: object, withinMs = 5_000): Promise<void> {
  const groups = [...live.values()].filter((g) => owner === undefined || g.owner === owner);
  for (const g of groups) {
    g.onShutdown();
    signalGroup(g.pgid, 'SIGKILL');
  }
  const all = Promise.allSettled(groups.map((g) => g.settled));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, withinMs);
  });
  await Promise.race([all, timeout]);
  clearTimeout(timer);
}

/** The agent is exiting (even via process.exit): no tool process may outlive it. Synchronous by necessity. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of live.keys()) signalGroup(pgid, 'SIGKILL');
  });
}
