// What the host tells the subprocess executor about one external tool and one call of it.
import type { LoggerV1 } from '@agent2389/tool-sdk';
import type { SubprocessLimits } from './execution.js';
import type { SandboxUser } from './sandbox-user.js';

export interface SubprocessSpec {
  /** Tool name, for errors and logs. */
  readonly tool: string;
  /** Absolute path, or a bare name looked up on the tool's PATH. */
  readonly command: string;
  readonly args: readonly string[];
  /** The plugin folder (absolute); read-only inside bwrap. */
  readonly toolDir?: string;
  /** Base folder for per-call private work dirs (default os.tmpdir()). */
  readonly workDirBase?: string;
  /** Names of variables passed through from `opts.env`; nothing else. */
  readonly envAllow: readonly string[];
  readonly sandbox: 'none' | 'bwrap';
  /** Only meaningful with bwrap: false → the tool gets its own empty network namespace. */
  readonly network: boolean;
  /** Only meaningful with bwrap: absolute paths bound read-only, beyond the command (and toolDir). */
  readonly readOnlyPaths?: readonly string[];
  /**
   * When the agent is not root (the tool runs as the agent's own user) and sandbox is 'none': run the tool in
   * its own PID namespace with a read-only host view (bubblewrap), so it cannot read the agent's environment
   * or memory nor signal it. Default true; false is the operator's explicit opt-out.
   */
  readonly isolateSameUser?: boolean;
  /** Who the tool runs as when the agent is root ([sandbox] user); default the process-wide sandbox user. */
  readonly runAs?: SandboxUser;
  readonly limits: SubprocessLimits;
}

export interface SubprocessCallOptions {
  readonly signal: AbortSignal;
  readonly env: NodeJS.ProcessEnv;
  readonly log: LoggerV1;
  /** The call belongs to this owner (a SandboxRuntime), whose close kills it. */
  readonly owner?: object;
}

/** The one JSON object written to the tool's stdin. */
export interface SubprocessPayload {
  tool: string;
  parameters: unknown;
  config: Record<string, unknown>;
}
