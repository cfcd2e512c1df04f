// Spawn one tool process (execa) as a new process group and supervise it: stdin, capped output, time,
// abort, kill. execa starts the process and reports a failed start; what it does not do — kill a whole
// process group, count output bytes as they stream and stop the tool at the cap — is done here.
import type { execa as execaFn, Options, Result, ResultPromise } from 'execa';

import { toError } from '../errors.js';
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
 * execa's part: a detached spawn (setsid → the tool leads a new process group), the environment exactly
 * as planned (no extension from ours), streams left to us (no buffering: we count and cap), no
 * rejection (a failed start is a result) and no execa cleanup or timeout (group kills are ours).
 */
const EXECA_OPTIONS = {
  detached: true,
  extendEnv: false,
  buffer: false,
  reject: false,
  cleanup: false,
  stdin: 'pipe',
  stdout: 'pipe',
  stderr: 'pipe',
} as const satisfies Options;

type Execa = typeof execaFn;
type ToolProcess = ResultPromise<typeof EXECA_OPTIONS>;

let execaModule: Promise<Execa> | undefined;

/**
 * execa, imported on first use: it costs ~200 ms and ~16 MB to load, which an agent without
 * subprocess tools should not pay. Tool loading calls this too, so the first call does not wait.
 */
export function loadSpawner(): Promise<Execa> {
  execaModule ??= import('execa').then((m) => m.execa);
  return execaModule;
}

interface Supervision {
  readonly child: ToolProcess;
  readonly pgid: number;
  readonly input: string | undefined;
  readonly limits: SubprocessLimits;
  readonly signal: AbortSignal;
  readonly lifetime: Promise<unknown>;
  readonly owner: object | undefined;
  readonly stdout: StreamCap;
  readonly stderr: StreamCap;
}

/**
 * Run `plan` with `input` on stdin. Never rejects. Every kill — time limit, output cap, abort,
 * shutdown, and the final sweep after the direct child exits — goes to the whole group, so
 * grandchildren die with it.
 */
export async function superviseProcess(
  plan: LaunchPlan,
  input: string | undefined,
  limits: SubprocessLimits,
  signal: AbortSignal,
  lifetime: Promise<unknown>,
  owner?: object,
): Promise<RawOutcome> {
  const stdout = new StreamCap(limits.maxOutputBytes, 'head');
  const stderr = new StreamCap(limits.maxOutputBytes, 'tail', STDERR_TAIL_BYTES);
  const failed = (err: unknown): RawOutcome => ({
    spawnError: toError(err),
    exitCode: null,
    signal: null,
    stdout,
    stderr,
    groupGone: true,
  });
  let child: ToolProcess;
  try {
    const execa = await loadSpawner();
    child = execa(plan.file, plan.args, {
      ...EXECA_OPTIONS,
      cwd: plan.cwd,
      env: plan.env,
      ...(plan.user ? { uid: plan.user.uid, gid: plan.user.gid } : {}),
    });
  } catch (err) {
    return failed(err);
  }
  const pgid = child.pid;
  // Not started (ENOENT, EACCES…): execa resolves with the spawn error as `cause`.
  if (pgid === undefined) return failed(spawnCause(await child));
  return supervise({ child, pgid, input, limits, signal, lifetime, owner, stdout, stderr });
}

function spawnCause(result: Result): Error {
  return result.cause instanceof Error ? result.cause : toError(result.shortMessage);
}

function supervise(s: Supervision): Promise<RawOutcome> {
  const { child, pgid, limits, signal, stdout, stderr } = s;
  return new Promise((resolve) => {
    let stopReason: StopReason | undefined;
    let exited = false;
    let closed = false;
    let forceTimer: NodeJS.Timeout | undefined;
    let settle: (() => void) | undefined;

    const stop = (reason: StopReason, now: boolean): void => {
      if (exited) return;
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
    registerGroup(pgid, () => stop('shutdown', true), s.lifetime, s.owner);

    // How the process ended comes from its 'exit' event; execa's result (a killed tool is a "failed"
    // result, never a rejection) carries nothing more, but must be observed.
    void child.catch(() => undefined);
    child.stdin.on('error', () => {}); // EPIPE when the tool does not read its input: not our concern
    child.stdout.on('data', (chunk: Buffer) => {
      if (!stdout.push(chunk)) stop('stdout', true);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (!stderr.push(chunk)) stop('stderr', true);
    });
    child.on('close', () => {
      closed = true;
      settle?.();
    });
    child.on('exit', (exitCode, exitSignal) => {
      exited = true;
      clearTimeout(timer);
      clearTimeout(forceTimer);
      signal.removeEventListener('abort', onAbort);
      // The direct child is gone: sweep its group so no grandchild outlives the call.
      void killGroupUntilGone(pgid).then(async (groupGone) => {
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
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({ exitCode, signal: exitSignal, stopReason, stdout, stderr, groupGone });
      });
    });
    child.stdin.end(s.input);
  });
}
