// The SDK Transport over a spawned stdio MCP server: its own process group, newline-delimited JSON-RPC read
// with a bounded buffer, a bounded stderr tail, and a close that kills the whole group and waits until it is gone.
import { spawn, type ChildProcess } from 'node:child_process';

import type { LoggerV1 } from '@agent2389/tool-sdk';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

import { reasonOf } from '../errors.js';
import type { LaunchPlan } from '../sandbox/launch-plan.js';
import { StreamCap } from '../sandbox/output-cap.js';
import { killGroupUntilGone, registerGroup, signalGroup } from '../sandbox/process-group.js';
import { STDERR_TAIL_BYTES } from '../sandbox/supervise.js';

/** The longest JSON-RPC line a server may write; a longer one ends the session. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** After SIGTERM on close, how long the server may take to exit before its group is SIGKILLed. */
export const KILL_GRACE_MS = 2_000;
/** After the group is gone, how long to wait for stdio to close before giving up on it. */
const CLOSE_GRACE_MS = 500;

export interface StdioTransportOptions {
  readonly server: string;
  readonly plan: LaunchPlan;
  readonly log: LoggerV1;
  /** The SandboxRuntime whose killAllGroups(owner) kills this server. */
  readonly owner?: object;
  readonly maxLineBytes?: number;
  readonly killGraceMs?: number;
  /** Runs once the whole group is gone, before `onclose` (removes the private work dir). */
  readonly afterExit?: () => Promise<void>;
}

/** How a session ended: `expected` when close() (or the agent's shutdown) ended it. */
export interface StdioEnd {
  readonly expected: boolean;
  readonly reason: string;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `the server was killed by ${signal}` : `the server exited with code ${code ?? '?'}`;
}

export class McpStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private child: ChildProcess | undefined;
  private readonly reader: ReadBuffer;
  private readonly stderr = new StreamCap(Number.MAX_SAFE_INTEGER, 'tail', STDERR_TAIL_BYTES);
  private expected = false;
  private reason: string | undefined;
  private forceTimer: NodeJS.Timeout | undefined;
  private finished = false;
  private markGone!: () => void;
  private starting: Promise<void> | undefined;
  /** Settles when the server's whole process group is gone and afterExit ran. */
  readonly gone: Promise<void>;

  constructor(private readonly opts: StdioTransportOptions) {
    this.reader = new ReadBuffer({ maxBufferSize: opts.maxLineBytes ?? MAX_LINE_BYTES });
    this.gone = new Promise((resolve) => (this.markGone = resolve));
  }

  /** The last STDERR_TAIL_BYTES the server wrote on stderr. */
  get stderrTail(): string {
    return this.stderr.text();
  }

  /** The server's process group id (= its pid), once spawned. */
  get pgid(): number | undefined {
    return this.child?.pid;
  }

  /** Why the session ended; undefined while it runs. */
  get end(): StdioEnd | undefined {
    return this.finished ? { expected: this.expected, reason: this.reason ?? 'ended' } : undefined;
  }

  /** Spawn the server; resolves once it runs, rejects when it cannot be started. */
  start(): Promise<void> {
    this.starting ??= this.spawn();
    return this.starting;
  }

  private spawn(): Promise<void> {
    const { plan } = this.opts;
    const child = spawn(plan.file, [...plan.args], {
      cwd: plan.cwd,
      env: plan.env,
      detached: true, // setsid: the server leads its own process group
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(plan.user ? { uid: plan.user.uid, gid: plan.user.gid } : {}),
    });
    this.child = child;
    return new Promise((resolve, reject) => {
      child.on('error', (err) => {
        if (child.pid !== undefined) return; // a stream error of a running child: its exit follows
        this.reason ??= `cannot start the server: ${err.message}`;
        void this.finish();
        reject(err);
      });
      child.once('spawn', () => {
        this.supervise(child, child.pid!);
        resolve();
      });
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || this.finished || !stdin.writable)
      return Promise.reject(new McpError(ErrorCode.ConnectionClosed, 'not connected'));
    return new Promise((resolve, reject) => {
      stdin.write(serializeMessage(message), (err) => (err ? reject(err) : resolve()));
    });
  }

  /** End stdin, SIGTERM the group, SIGKILL it after the grace; resolves once the whole group is gone. */
  async close(): Promise<void> {
    if (!this.child) {
      this.reason ??= 'closed';
      this.expected = true;
      await this.finish();
      return;
    }
    this.stop('closed', false, true);
    await this.gone;
  }

  private stop(reason: string, now: boolean, expected: boolean): void {
    const pgid = this.child?.pid;
    if (this.finished || pgid === undefined) return;
    if (this.reason === undefined) {
      this.reason = reason;
      this.expected = expected;
    }
    this.child!.stdin?.end();
    if (now) {
      signalGroup(pgid, 'SIGKILL');
    } else if (!this.forceTimer) {
      signalGroup(pgid, 'SIGTERM');
      this.forceTimer = setTimeout(
        () => signalGroup(pgid, 'SIGKILL'),
        this.opts.killGraceMs ?? KILL_GRACE_MS,
      );
    }
  }

  private supervise(child: ChildProcess, pgid: number): void {
    const { log, server } = this.opts;
    registerGroup(
      pgid,
      () => this.stop('the agent is shutting down', true, true),
      this.gone,
      this.opts.owner,
    );
    child.stdin!.on('error', () => {}); // EPIPE once the server is gone: its exit reports it
    child.stdout!.on('data', (chunk: Buffer) => this.onStdout(chunk));
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr.push(chunk);
      log.debug(
        { server, stderr: chunk.subarray(0, STDERR_TAIL_BYTES).toString('utf8') },
        'MCP server stderr',
      );
    });
    let closed = false;
    let settle: (() => void) | undefined;
    child.on('close', () => {
      closed = true;
      settle?.();
    });
    child.on('exit', (code, signal) => {
      clearTimeout(this.forceTimer);
      if (this.reason === undefined) this.reason = describeExit(code, signal);
      // The direct child is gone: sweep its group so no grandchild outlives the session.
      void killGroupUntilGone(pgid).then(async (groupGone) => {
        if (!groupGone) log.error({ server, pgid }, 'a process of the MCP server survived SIGKILL');
        if (!closed)
          await new Promise<void>((done) => {
            const grace = setTimeout(done, CLOSE_GRACE_MS);
            settle = () => {
              clearTimeout(grace);
              done();
            };
          });
        child.stdout!.destroy();
        child.stderr!.destroy();
        await this.finish();
      });
    });
  }

  /** Parse every complete line; a malformed one is skipped, an oversized one ends the session. */
  private onStdout(chunk: Buffer): void {
    if (this.finished || this.reason !== undefined) return;
    try {
      this.reader.append(chunk);
    } catch {
      this.stop(
        `the server wrote a line longer than ${this.opts.maxLineBytes ?? MAX_LINE_BYTES} bytes`,
        true,
        false,
      );
      return;
    }
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.reader.readMessage();
      } catch (err) {
        this.opts.log.warn(
          { server: this.opts.server, reason: 'mcp_malformed_message', error: reasonOf(err).slice(0, 300) },
          'MCP server wrote a line that is not a JSON-RPC message; skipped',
        );
        continue;
      }
      if (message === null) return;
      this.onmessage?.(message);
    }
  }

  private async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.reader.clear();
    try {
      await this.opts.afterExit?.();
    } catch (err) {
      this.opts.log.warn({ server: this.opts.server, error: reasonOf(err) }, 'MCP server cleanup failed');
    }
    this.markGone();
    this.onclose?.();
  }
}
