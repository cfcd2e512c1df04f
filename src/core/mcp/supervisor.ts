// One MCP server's lifecycle: start (eager, or on first use), restart with backoff after a crash while its
// tools answer ERR_MCP_SERVER_DOWN, debounced tool-list refresh on list_changed, close after in-flight calls.
import { ToolError } from '@agent2389/tool-sdk';
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';

import { AgentError, ERR_MCP_SERVER_DOWN, ERR_MCP_START_FAILED, reasonOf } from '../errors.js';
import type {
  ConnectMcp,
  McpCloseInfo,
  McpConnectContext,
  McpConnection,
  McpProgress,
  McpServerSpec,
  McpToolInfo,
} from './types.js';

/** idle: not started (lazy) · starting · up · down: crashed, a restart is scheduled or running · closed. */
export type McpServerState = 'idle' | 'starting' | 'up' | 'down' | 'closed';

/** Time, injectable so that tests need no sleeps. */
export interface McpClock {
  now(): number;
  /** Run `fn` after `ms`; returns a function that cancels it. */
  schedule(ms: number, fn: () => void): () => void;
}

export const systemClock: McpClock = {
  now: () => Date.now(),
  schedule(ms, fn) {
    const timer = setTimeout(fn, ms);
    timer.unref(); // a pending restart or debounce must not keep the process alive
    return () => clearTimeout(timer);
  },
};

export interface McpSupervisorOptions {
  readonly connect: ConnectMcp;
  readonly ctx: McpConnectContext;
  readonly clock?: McpClock;
  /** Restart delays: first, doubling up to max (default 1 s … 30 s). */
  readonly backoffMs?: { readonly first: number; readonly max: number };
  /** list_changed notifications within this window cause one refresh (default 250 ms). */
  readonly refreshDebounceMs?: number;
  /** close() waits this long for in-flight calls, then aborts them (default 10 s). */
  readonly closeGraceMs?: number;
  /** A session up this long before it ends restarts from the first backoff step again (default 60 s). */
  readonly stableMs?: number;
}

export interface McpSupervisorCallOptions {
  readonly signal: AbortSignal;
  readonly onProgress?: (p: McpProgress) => void;
}

interface Session {
  readonly conn: McpConnection;
  readonly since: number;
  closed: boolean;
  /** list_changed arrived before the session was adopted (its listing may predate the change). */
  changedEarly: boolean;
}

interface InFlight {
  readonly tool: string;
  readonly controller: AbortController;
  readonly settled: Promise<void>;
}

const noop = (): void => {};
const MAX_REASON_CHARS = 2000;

/** Why a session ended, with the end of the server's stderr. */
function closeReason(info: McpCloseInfo): string {
  const tail = info.stderrTail.trim().slice(-MAX_REASON_CHARS);
  return `${info.reason.slice(0, MAX_REASON_CHARS)}${tail ? `; stderr: ${tail}` : ''}`;
}

/** Keep entries that are tools at all (a name), as the server's untrusted list may hold anything. */
function wellFormed(list: unknown): McpToolInfo[] {
  if (!Array.isArray(list)) return [];
  return (list as unknown[]).filter(
    (t): t is McpToolInfo =>
      typeof t === 'object' && t !== null && typeof (t as McpToolInfo).name === 'string',
  );
}

/** Supervises one server; `restarts` counts restart attempts after crashes (for metrics). */
export class McpSupervisor {
  readonly server: string;
  readonly #spec: McpServerSpec;
  readonly #opts: McpSupervisorOptions;
  readonly #clock: McpClock;
  readonly #stop = new AbortController();
  readonly #inflight = new Set<InFlight>();
  readonly #toolListeners = new Set<(tools: readonly McpToolInfo[]) => void>();
  readonly #stateListeners = new Set<(state: McpServerState, reason?: string) => void>();
  #state: McpServerState = 'idle';
  #session: Session | undefined;
  #tools: McpToolInfo[] = [];
  #toolsKey = '[]';
  #initial: Promise<void> | undefined;
  #opening: Promise<unknown> | undefined;
  #downReason = '';
  #attempt = 0;
  #restarts = 0;
  #cancelRestart: (() => void) | undefined;
  #cancelRefresh: (() => void) | undefined;
  #refreshing = false;
  #refreshAgain = false;
  #closing: Promise<void> | undefined;

  constructor(spec: McpServerSpec, opts: McpSupervisorOptions) {
    this.server = spec.name;
    this.#spec = spec;
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
  }

  get state(): McpServerState {
    return this.#state;
  }

  get restarts(): number {
    return this.#restarts;
  }

  /** The server's tools after the `tools` / `exclude_tools` filters ([] until it has started). */
  get tools(): readonly McpToolInfo[] {
    return this.#tools;
  }

  /** Called with the filtered tools whenever they change (start, restart, list_changed). */
  onToolsChanged(listener: (tools: readonly McpToolInfo[]) => void): () => void {
    this.#toolListeners.add(listener);
    return () => this.#toolListeners.delete(listener);
  }

  /** Called on every state change; `reason` for `down`. */
  onStateChange(listener: (state: McpServerState, reason?: string) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  /** Start now (once; concurrent callers share it). A lazy server that fails is restarted with backoff. */
  start(): Promise<void> {
    if (this.#state !== 'idle') return this.#initial ?? Promise.resolve();
    this.#setState('starting');
    this.#initial = this.#openAndAdopt().then(
      () => {
        this.#initial = undefined;
      },
      (err: unknown) => {
        this.#initial = undefined;
        if (this.#state !== 'closed') {
          this.#down(`it did not start: ${reasonOf(err)}`);
          if (this.#spec.lazy) this.#scheduleRestart();
        }
        throw err;
      },
    );
    return this.#initial;
  }

  /** Call one of the server's tools (its own name); a lazy server is started first. */
  async call(
    tool: string,
    args: Record<string, unknown>,
    opts: McpSupervisorCallOptions,
  ): Promise<CallToolResult> {
    if (this.#state === 'idle') await this.start();
    else if (this.#initial) await this.#initial;
    const session = this.#session;
    if (this.#state === 'closed') throw this.#unavailable(tool, 'the server has been closed');
    if (!session || this.#state !== 'up') throw this.#unavailable(tool, this.#downReason);
    if (!this.#tools.some((t) => t.name === tool))
      throw new ToolError('MCP_TOOL_UNAVAILABLE', `MCP server "${this.server}" does not offer "${tool}" now`);
    const controller = new AbortController();
    const signal = AbortSignal.any([opts.signal, controller.signal]);
    const work = session.conn
      .callTool(tool, args, {
        signal,
        timeoutMs: this.#spec.timeoutMs,
        maxTotalTimeoutMs: this.#spec.maxTotalTimeoutMs,
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      })
      .catch((err: unknown) => {
        // The SDK reports an abort as a RequestTimeout McpError: the abort's own reason is the truth.
        if (signal.aborted) throw signal.reason;
        throw this.#callError(session, tool, err);
      });
    const entry: InFlight = { tool, controller, settled: work.then(noop, noop) };
    this.#inflight.add(entry);
    try {
      return await work;
    } finally {
      this.#inflight.delete(entry);
    }
  }

  /** No new calls; in-flight calls get closeGraceMs, then are aborted; then the session ends. Idempotent. */
  close(): Promise<void> {
    return (this.#closing ??= this.#close());
  }

  async #close(): Promise<void> {
    this.#setState('closed');
    this.#cancelRestart?.();
    this.#cancelRefresh?.();
    this.#stop.abort(); // a start or restart in progress gives up (and closes what it opened)
    await this.#opening?.catch(noop);
    const calls = Promise.all([...this.#inflight].map((c) => c.settled));
    let cancelGrace = noop;
    const grace = new Promise<'grace'>((resolve) => {
      cancelGrace = this.#clock.schedule(this.#opts.closeGraceMs ?? 10_000, () => resolve('grace'));
    });
    const first = await Promise.race([calls.then(() => 'done' as const), grace]);
    cancelGrace();
    if (first === 'grace')
      for (const c of this.#inflight)
        c.controller.abort(this.#unavailable(c.tool, 'the server was closed before the call ended'));
    const session = this.#session;
    this.#session = undefined;
    if (session) await session.conn.close();
    await calls;
  }

  /** Open a session, list its tools and make it the current one (awaited by close()). */
  #openAndAdopt(): Promise<void> {
    const opening = this.#open();
    this.#opening = opening;
    return opening;
  }

  /** Connect and list the tools; what opens after close() began, or dies at once, is closed again. */
  async #open(): Promise<void> {
    const signal = AbortSignal.any([this.#opts.ctx.signal, this.#stop.signal]);
    const conn = await this.#opts.connect(this.#spec, { ...this.#opts.ctx, signal });
    const session: Session = { conn, since: this.#clock.now(), closed: false, changedEarly: false };
    conn.onClose((info) => this.#onSessionClose(session, info));
    conn.onToolsChanged(() => this.#onListChanged(session));
    let tools: McpToolInfo[] = [];
    let failure: unknown;
    try {
      if (!this.#stop.signal.aborted) tools = await conn.listTools(signal);
    } catch (err) {
      failure = err;
    }
    const reason =
      this.#stop.signal.aborted || this.#state === 'closed'
        ? 'the server was closed while it was starting'
        : failure !== undefined
          ? `tools/list failed: ${reasonOf(failure)}`
          : session.closed
            ? 'the server exited right after it started'
            : undefined;
    if (reason === undefined) {
      this.#session = session;
      this.#setState('up');
      this.#setTools(tools);
      if (session.changedEarly) this.#onListChanged(session);
      return;
    }
    await conn.close().catch(noop);
    if (AgentError.is(failure)) throw failure;
    const tail = conn.stderrTail.trim().slice(-MAX_REASON_CHARS);
    throw new ERR_MCP_START_FAILED(
      { server: this.server, reason, ...(tail ? { stderr_tail: tail } : {}) },
      failure !== undefined ? { cause: failure } : undefined,
    );
  }

  #onSessionClose(session: Session, info: McpCloseInfo): void {
    session.closed = true;
    if (session !== this.#session) return;
    this.#session = undefined;
    this.#cancelRefresh?.();
    if (info.expected || this.#state === 'closed') return;
    // A session that stayed up a while crashed on its own: restart from the first backoff step.
    if (this.#clock.now() - session.since >= (this.#opts.stableMs ?? 60_000)) this.#attempt = 0;
    this.#down(closeReason(info));
    this.#scheduleRestart();
  }

  #down(reason: string): void {
    this.#downReason = reason;
    this.#opts.ctx.log.warn({ mcp_server: this.server, reason }, 'MCP server is down');
    this.#setState('down', reason);
  }

  #scheduleRestart(): void {
    if (this.#stop.signal.aborted || this.#opts.ctx.signal.aborted) return;
    const { first, max } = this.#opts.backoffMs ?? { first: 1000, max: 30_000 };
    const delay = Math.min(first * 2 ** Math.min(this.#attempt, 30), max);
    this.#attempt += 1;
    this.#cancelRestart = this.#clock.schedule(delay, () => {
      this.#cancelRestart = undefined;
      void this.#restart();
    });
  }

  async #restart(): Promise<void> {
    this.#restarts += 1;
    this.#setState('starting');
    try {
      await this.#openAndAdopt();
      this.#opts.ctx.log.info({ mcp_server: this.server, restarts: this.#restarts }, 'MCP server restarted');
    } catch (err) {
      if (this.#state === 'closed') return;
      this.#down(`restart failed: ${reasonOf(err)}`);
      this.#scheduleRestart();
    }
  }

  #onListChanged(session: Session): void {
    if (session !== this.#session) {
      session.changedEarly = true;
      return;
    }
    this.#cancelRefresh?.();
    this.#cancelRefresh = this.#clock.schedule(this.#opts.refreshDebounceMs ?? 250, () => {
      this.#cancelRefresh = undefined;
      void this.#refresh(session);
    });
  }

  /** List the tools again; one refresh at a time, a notification during it causes one more. */
  async #refresh(session: Session): Promise<void> {
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return;
    }
    this.#refreshing = true;
    try {
      const tools = await session.conn.listTools(this.#stop.signal);
      if (session === this.#session && this.#state === 'up') this.#setTools(tools);
    } catch (err) {
      if (session === this.#session)
        this.#opts.ctx.log.warn(
          { mcp_server: this.server, reason: reasonOf(err) },
          'refreshing the MCP tool list failed; keeping the previous tools',
        );
    } finally {
      this.#refreshing = false;
      if (this.#refreshAgain) {
        this.#refreshAgain = false;
        if (session === this.#session) void this.#refresh(session);
      }
    }
  }

  /** Apply the filters; tell the listeners if the result differs. */
  #setTools(listed: readonly McpToolInfo[]): void {
    const all = wellFormed(listed);
    const only = this.#spec.tools;
    const tools = all.filter(
      (t) => (only === undefined || only.includes(t.name)) && !this.#spec.excludeTools.includes(t.name),
    );
    const missing = (only ?? []).filter((name) => !all.some((t) => t.name === name));
    if (missing.length > 0)
      this.#opts.ctx.log.warn({ mcp_server: this.server, missing }, 'MCP server does not list these `tools`');
    const key = JSON.stringify(tools);
    if (key === this.#toolsKey) return;
    this.#tools = tools;
    this.#toolsKey = key;
    for (const listener of this.#toolListeners) listener(tools);
  }

  #setState(state: McpServerState, reason?: string): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const listener of this.#stateListeners) listener(state, reason);
  }

  #unavailable(tool: string, reason: string): AgentError {
    return new ERR_MCP_SERVER_DOWN({ server: this.server, tool, reason: reason || 'it is not running' });
  }

  /** A call that failed because the session ended is ERR_MCP_SERVER_DOWN; anything else as is. */
  #callError(session: Session, tool: string, err: unknown): unknown {
    // The connection may have wrapped the SDK's error (ERR_TOOL_FAILED with it as cause).
    const sdkError = AgentError.is(err) ? err.cause : err;
    const connectionClosed =
      sdkError instanceof McpError && sdkError.code === Number(ErrorCode.ConnectionClosed);
    if (!session.closed && !connectionClosed) return err;
    const reason = `the server stopped during the call: ${this.#downReason || reasonOf(err)}`;
    return new ERR_MCP_SERVER_DOWN({ server: this.server, tool, reason }, { cause: err });
  }
}
