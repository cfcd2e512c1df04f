// MCP servers as tool sources: the shapes the config, the connection and the supervisor share.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { LoggerV1 } from '@agent2389/tool-sdk';
import type { SandboxUser } from '../sandbox/sandbox-user.js';

/** A variable the server's environment gets: `name`, with the value of the agent's `from`. */
export interface McpEnvVar {
  readonly name: string;
  readonly from: string;
}

/** Resource limits of a stdio server's process tree (prlimit; RLIMIT_DATA, not RLIMIT_AS: V8 reserves). */
export interface McpServerLimits {
  /** RLIMIT_DATA in MiB. */
  readonly memoryMb: number;
  readonly maxProcesses: number;
  readonly maxFileSizeBytes: number;
  /** RLIMIT_CPU over the server's whole life; undefined = none (a server lives as long as the agent). */
  readonly cpuSeconds?: number;
}

export interface McpStdioSpec {
  readonly kind: 'stdio';
  /** Absolute path, or a bare name looked up on the server's PATH. */
  readonly command: string;
  readonly args: readonly string[];
  /** Absolute; the server's working directory, read-only under bwrap. Default: a private empty dir. */
  readonly cwd?: string;
  readonly env: readonly McpEnvVar[];
  readonly sandbox: 'none' | 'bwrap';
  /** bwrap only: false → its own empty network namespace. */
  readonly network: boolean;
  /** bwrap only: absolute paths bound read-only. */
  readonly readOnlyPaths: readonly string[];
  /** bwrap only: absolute paths bound read-write. */
  readonly writablePaths: readonly string[];
  readonly limits: McpServerLimits;
  /** The plugin folder of a plugin-shipped server (read-only under bwrap). */
  readonly pluginDir?: string;
  /** Who the server runs as when the agent is root ([sandbox] user); default the sandbox user. */
  readonly runAs?: SandboxUser;
  /** Non-root agent, sandbox = "none": run in its own PID namespace (as subprocess tools). Default true. */
  readonly isolateSameUser?: boolean;
}

export interface McpHttpSpec {
  readonly kind: 'http';
  readonly url: string;
  /** Request headers whose values come from the agent's environment (e.g. Authorization). */
  readonly headers: readonly { readonly name: string; readonly env: string }[];
  /** The http_request address policy keys: loopback and private ranges refused unless allowed. */
  readonly allowPrivateNetworks: boolean;
  readonly allowedPrivateCidrs: readonly string[];
}

/** One `[mcp.<name>]` table (or a plugin's `mcpServers` entry), normalised. */
export interface McpServerSpec {
  /** The table key: /^[A-Za-z0-9-]{1,32}$/ (no `_` pairs: `__` separates server and tool). */
  readonly name: string;
  /** Where it was declared: the config, or the plugin that ships it. */
  readonly plugin?: string;
  readonly transport: McpStdioSpec | McpHttpSpec;
  /** Per call. */
  readonly timeoutMs: number;
  /** With progress notifications a call may run this long at most. */
  readonly maxTotalTimeoutMs: number;
  readonly startupTimeoutMs: number;
  /** Start on first use instead of at startup. */
  readonly lazy: boolean;
  /** Only these of the server's tools (its own names); undefined = all. */
  readonly tools?: readonly string[];
  readonly excludeTools: readonly string[];
}

/** A tool as the server lists it (`tools/list`). */
export interface McpToolInfo {
  readonly name: string;
  readonly description?: string;
  readonly inputSchema: Record<string, unknown>;
}

export interface McpProgress {
  readonly progress: number;
  readonly total?: number;
  readonly message?: string;
}

export interface McpCallOptions {
  /** The task's signal: aborting sends notifications/cancelled and rejects. */
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly maxTotalTimeoutMs: number;
  readonly onProgress?: (p: McpProgress) => void;
}

/** Why a connection ended. `expected`: close() was called. */
export interface McpCloseInfo {
  readonly expected: boolean;
  readonly reason: string;
  readonly stderrTail: string;
}

/** A live session with one MCP server (connection.ts). */
export interface McpConnection {
  readonly server: string;
  listTools(signal: AbortSignal): Promise<McpToolInfo[]>;
  callTool(name: string, args: Record<string, unknown>, opts: McpCallOptions): Promise<CallToolResult>;
  /** `notifications/tools/list_changed` arrived (debouncing is the caller's). */
  onToolsChanged(listener: () => void): void;
  /** The session ended (server exit, crash, transport error, or close()). Called once. */
  onClose(listener: (info: McpCloseInfo) => void): void;
  /** The last bytes the server wrote on stderr (stdio), for errors. */
  readonly stderrTail: string;
  /** End the session; for stdio, kill the whole process tree and wait (bounded) until it is gone. */
  close(): Promise<void>;
}

export interface McpConnectContext {
  /** The agent's environment: the only source of the server's allow-listed variables. */
  readonly env: NodeJS.ProcessEnv;
  readonly log: LoggerV1;
  /** Aborts the start (agent shutdown). */
  readonly signal: AbortSignal;
  /** The SandboxRuntime whose close kills this server's process group. */
  readonly owner?: object;
}

/** Open a session (spawn or connect, initialize) within spec.startupTimeoutMs; ERR_MCP_START_FAILED otherwise. */
export type ConnectMcp = (spec: McpServerSpec, ctx: McpConnectContext) => Promise<McpConnection>;
