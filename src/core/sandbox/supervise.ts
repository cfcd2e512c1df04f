// Spawn one tool process as a new process group and supervise it: stdin, capped output, time, abort, kill.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

import type { SubprocessLimits } from './execution.js';
import type { LaunchPlan } from './launch-plan.js';
import { StreamCap } from './output-cap.js';
import { killGroupUntilGone, registerGroup, signalGroup } from './process-group.js';

/** How much of stderr is kept for error messages. */
export const STDERR_TAIL_BYTES = 2 * 1024;
/** After the group is gone, how long to wait for stdio to close before giving up on it. */
const CLOSE_GRACE_MS = 500;

/** Why the runtime stopped the tool; the first cause wins. */
export type StopReason = 'timeout' | 'abort' | 'shutdown' | 'stdout' | 'stderr';

export interface RawOutcome {
  readonly spawnError?: Error;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stopReason?: StopReason;
  readonly stdout: StreamCap;
  readonly stderr: StreamCap;
  /** False when a process of the group could not be confirmed dead (e.g. it escaped with setsid). */
  readonly groupGone: boolean;
}

/**
 * Run `plan` with `input` on stdin. Never rejects. The tool leads a new process group (spawn `detached`
 * calls setsid), and every kill — time limit, output cap, abort, shutdown, and the final sweep after the
 * direct child exits — goes to the whole group, so grandchildren die with it.
 */
export function superviseProcess(
  plan: LaunchPlan,
  input: string | undefined,
  limits: SubprocessLimits,
  signal: AbortSignal,
  lifetime: Promise<unknown>,
): Promise<RawOutcome> {
  const stdout = new StreamCap(limits.maxOutputBytes, 'head');
  const stderr = new StreamCap(limits.maxOutputBytes, 'tail', STDERR_TAIL_BYTES);
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(plan.file, plan.args, {
        cwd: plan.cwd,
        env: plan.env,
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
        ...(plan.user ? { uid: plan.user.uid, gid: plan.user.gid } : {}),
      });
    } catch (err) {
      resolve({ spawnError: err as Error, exitCode: null, signal: null, stdout, stderr, groupGone: true });
      return;
    }
    const pgid = child.pid;
    let stopReason: StopReason | undefined;
    let exited = false;
    let closed = false;
    let forceTimer: NodeJS.Timeout | undefined;
    let settle: (() => void) | undefined;

    const stop = (reason: StopReason, now: boolean): void => {
      if (exited || pgid === undefined) return;
      stopReason ??= reason;
      if (now) {
        signalGroup(pgid, 'SIGKILL');
      } else if (!forceTimer) {
        signalGroup(pgid, 'SIGTERM');
        forceTimer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), limits.forceKillAfterMs);
      }
    };
    const timer = setTimeout(() => stop('timeout', false), limits.timeoutMs);
    const onAbort = (): void => stop('abort', false);
    signal.addEventListener('abort', onAbort, { once: true });
    if (pgid !== undefined) registerGroup(pgid, () => stop('shutdown', true), lifetime);

    const cleanupTimers = (): void => {
      clearTimeout(timer);
      clearTimeout(forceTimer);
      signal.removeEventListener('abort', onAbort);
    };

    child.on('error', (err) => {
      if (pgid !== undefined) return; // a failed kill or stdin write on a live process: handled elsewhere
      cleanupTimers();
      resolve({ spawnError: err, exitCode: null, signal: null, stdout, stderr, groupGone: true });
    });
    child.stdin?.on('error', () => {}); // EPIPE when the tool does not read its input: not our concern
    child.stdout?.on('data', (chunk: Buffer) => {
      if (!stdout.push(chunk)) stop('stdout', true);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (!stderr.push(chunk)) stop('stderr', true);
    });
    child.on('close', () => {
      closed = true;
      settle?.();
    });
    child.on('exit', (exitCode, exitSignal) => {
      exited = true;
      cleanupTimers();
      // The direct child is gone: sweep its group so no grandchild outlives the call.
      void killGroupUntilGone(pgid!).then(async (groupGone) => {
        if (!closed) {
          await new Promise<void>((done) => {
            const grace = setTimeout(done, CLOSE_GRACE_MS);
            settle = () => {
              clearTimeout(grace);
              done();
            };
          });
        }
        // A process outside the group (setsid) may still hold a pipe: stop listening to it.
        child.stdout?.destroy();
        child.stderr?.destroy();
        resolve({ exitCode, signal: exitSignal, stopReason, stdout, stderr, groupGone });
      });
    });
    if (pgid !== undefined) child.stdin?.end(input);
  });
}
