// One live MCP session: spawn (stdio, sandboxed) or connect (Streamable HTTP, address policy), initialize
// within the startup timeout, then list and call tools with per-call deadlines, progress and cancellation.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CallToolResultSchema,
  ErrorCode,
  McpError,
  ToolListChangedNotificationSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';

import { ERR_MCP_START_FAILED, ERR_TOOL_FAILED, ERR_TOOL_TIMEOUT, reasonOf } from '../errors.js';
import { sandboxUser } from '../sandbox/sandbox-user.js';
import { createWorkDir, removeWorkDir } from '../sandbox/work-dir.js';
import { VERSION } from '../version.js';
import { createHttpTransport } from './http-transport.js';
import { planMcpLaunch } from './stdio-launch.js';
import { McpStdioTransport } from './stdio-transport.js';
import type {
  ConnectMcp,
  McpCallOptions,
  McpCloseInfo,
  McpConnectContext,
  McpConnection,
  McpServerSpec,
  McpStdioSpec,
  McpToolInfo,
} from './types.js';

/** At most this many tools are taken from one server (the rest are left out with a warning). */
export const MAX_TOOLS = 1000;
/** At most this many `tools/list` pages are read (a server may answer empty pages with cursors forever). */
const MAX_PAGES = 100;

/** Spawn nothing yet: plan the launch in a fresh private work dir, which the transport removes when the server is gone. */
async function stdioTransport(
  server: string,
  spec: McpStdioSpec,
  ctx: McpConnectContext,
): Promise<McpStdioTransport> {
  const user = sandboxUser(spec.runAs);
  const workDir = await createWorkDir(undefined, user);
  const cleanup = async (): Promise<void> => {
    const failed = await removeWorkDir(workDir, user);
    if (failed) ctx.log.warn({ server, dir: workDir, reason: failed }, 'MCP server work dir left behind');
  };
  try {
    const plan = await planMcpLaunch(server, spec, ctx.env, workDir);
    ctx.log.info({ server, sandbox: plan.sandbox }, 'starting MCP server');
    return new McpStdioTransport({ server, plan, log: ctx.log, owner: ctx.owner, afterExit: cleanup });
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Why a start failed, in words: the transport's end (the server exited), a timeout, an abort, or the error. */
function startReason(
  err: unknown,
  transport: Transport | undefined,
  signal: AbortSignal,
  ctx: McpConnectContext,
): string {
  const ended = transport instanceof McpStdioTransport ? transport.end : undefined;
  if (ended && !ended.expected) return ended.reason;
  if (ctx.signal.aborted)
    return 'the start was cancelled (the agent is stopping, or the configuration that started it was replaced)';
  const timedOut = err instanceof McpError && err.code === Number(ErrorCode.RequestTimeout);
  if (timedOut || signal.aborted) return 'no answer to initialize in time (startup_timeout_seconds)';
  return reasonOf(err);
}

/** Map an SDK call failure to the tool codes: a timeout, or a failure; an abort keeps the caller's reason. */
function callFailure(tool: string, err: unknown, opts: McpCallOptions): unknown {
  if (opts.signal.aborted) return err;
  if (err instanceof McpError && err.code === Number(ErrorCode.RequestTimeout)) {
    const total = (err.data as { maxTotalTimeout?: unknown } | undefined)?.maxTotalTimeout;
    return new ERR_TOOL_TIMEOUT(
      { tool, timeoutMs: typeof total === 'number' ? total : opts.timeoutMs },
      { cause: err },
    );
  }
  return new ERR_TOOL_FAILED({ tool, reason: reasonOf(err) }, { cause: err });
}

class Connection implements McpConnection {
  private readonly changeListeners: (() => void)[] = [];
  private readonly closeListeners: ((info: McpCloseInfo) => void)[] = [];
  private changedEarly = false;
  private closing = false;
  private lastError: string | undefined;
  private closed: McpCloseInfo | undefined;

  constructor(
    readonly server: string,
    private readonly client: Client,
    private readonly transport: Transport,
    private readonly ctx: McpConnectContext,
  ) {
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      if (this.changeListeners.length === 0) this.changedEarly = true;
      for (const l of this.changeListeners) l();
    });
    client.onerror = (err) => {
      this.lastError = reasonOf(err);
      ctx.log.debug({ server, error: this.lastError }, 'MCP transport error');
    };
    client.onclose = () => this.ended();
  }

  get stderrTail(): string {
    return this.transport instanceof McpStdioTransport ? this.transport.stderrTail : '';
  }

  async listTools(signal: AbortSignal): Promise<McpToolInfo[]> {
    const tools: McpToolInfo[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await this.client.listTools(cursor === undefined ? {} : { cursor }, { signal });
      for (const t of result.tools) {
        if (tools.length >= MAX_TOOLS) {
          this.ctx.log.warn(
            { server: this.server, max: MAX_TOOLS },
            'MCP server lists too many tools; the rest are left out',
          );
          return tools;
        }
        const info: McpToolInfo = { name: t.name, inputSchema: t.inputSchema };
        tools.push(t.description === undefined ? info : { ...info, description: t.description });
      }
      cursor = result.nextCursor;
      if (cursor === undefined) return tools;
    }
    this.ctx.log.warn(
      { server: this.server, pages: MAX_PAGES },
      'MCP server tools/list did not end; the rest are left out',
    );
    return tools;
  }

  async callTool(name: string, args: Record<string, unknown>, opts: McpCallOptions): Promise<CallToolResult> {
    try {
      const result = await this.client.callTool({ name, arguments: args }, CallToolResultSchema, {
        signal: opts.signal,
        timeout: opts.timeoutMs,
        resetTimeoutOnProgress: true,
        maxTotalTimeout: opts.maxTotalTimeoutMs,
        onprogress: (p) =>
          opts.onProgress?.({
            progress: p.progress,
            ...(p.total !== undefined ? { total: p.total } : {}),
            ...(p.message !== undefined ? { message: p.message } : {}),
          }),
      });
      return result as CallToolResult;
    } catch (err) {
      throw callFailure(name, err, opts);
    }
  }

  onToolsChanged(listener: () => void): void {
    this.changeListeners.push(listener);
    if (this.changedEarly) {
      this.changedEarly = false;
      queueMicrotask(listener);
    }
  }

  onClose(listener: (info: McpCloseInfo) => void): void {
    const info = this.closed;
    if (info) queueMicrotask(() => listener(info));
    else this.closeListeners.push(listener);
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.client.close();
    if (this.transport instanceof McpStdioTransport) await this.transport.gone;
  }

  private ended(): void {
    if (this.closed) return;
    const stdioEnd = this.transport instanceof McpStdioTransport ? this.transport.end : undefined;
    this.closed = {
      expected: this.closing || (stdioEnd?.expected ?? false),
      reason: stdioEnd?.reason ?? (this.closing ? 'closed' : (this.lastError ?? 'the connection closed')),
      stderrTail: this.stderrTail,
    };
    this.ctx.log[this.closed.expected ? 'debug' : 'warn'](
      { server: this.server, reason: this.closed.reason },
      'MCP session ended',
    );
    for (const l of this.closeListeners.splice(0)) l(this.closed);
  }
}

/** Open a session with `spec`'s server within spec.startupTimeoutMs; AGENT_ERR_MCP_START_FAILED otherwise. */
export const connectMcp: ConnectMcp = async (spec: McpServerSpec, ctx: McpConnectContext) => {
  const server = spec.name;
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(spec.startupTimeoutMs)]);
  let transport: Transport | undefined;
  const client = new Client({ name: 'agent2389', version: VERSION }, { capabilities: {} });
  try {
    transport =
      spec.transport.kind === 'stdio'
        ? await stdioTransport(server, spec.transport, ctx)
        : createHttpTransport(server, spec.transport, ctx.env);
    const connection = new Connection(server, client, transport, ctx);
    signal.throwIfAborted();
    await client.connect(transport, { signal, timeout: spec.startupTimeoutMs });
    return connection;
  } catch (err) {
    if (err instanceof ERR_MCP_START_FAILED) throw err;
    // Kill what was started; a stdio transport's close resolves once its process group is gone (or, never
    // started, once its work dir is removed).
    await client.close().catch(() => undefined);
    await transport?.close().catch(() => undefined);
    const tail = transport instanceof McpStdioTransport ? transport.stderrTail : '';
    throw new ERR_MCP_START_FAILED(
      { server, reason: startReason(err, transport, signal, ctx), ...(tail ? { stderr_tail: tail } : {}) },
      { cause: err },
    );
  }
};
