// `agent2389 plugins`: the config's [mcp] servers — how each is reached and confined, where it comes from —
// and, with --mcp, each one started as the agent would start it, its tools listed by their agent names, closed.
import type { LoggerV1 } from '@agent2389/tool-sdk';

import { AgentError, reasonOf } from '../core/errors.js';
import type { ConnectMcp, McpServerSpec } from '../core/mcp/types.js';
import { killAllSubprocesses } from '../core/sandbox/subprocess.js';
import { terminalText } from './display-text.js';
import { textTable } from './text-table.js';
import { warningLine } from './warning-log.js';

/** Longest line of server-provided text (a reason, a warning) shown on the terminal. */
const MAX_LINE = 1000;

export interface McpServerListing {
  readonly name: string;
  readonly transport: 'stdio' | 'http';
  /** stdio: the command and its arguments. */
  readonly command?: readonly string[];
  /** http: the endpoint. */
  readonly url?: string;
  /** `config`, or the name of the plugin that ships the server. */
  readonly from: string;
  /** stdio: `none` or `bwrap`; http: `address policy` (the http_request one). */
  readonly sandbox: string;
  readonly lazy: boolean;
  /** --mcp: the agent's names of its tools (`<server>__<tool>`), after the filters. */
  readonly tools?: readonly string[];
  /** --mcp: `ok`, or `<CODE>: <reason>` when it could not be started or its tools cannot be named. */
  readonly state?: string;
  /** --mcp: the coded error of a server that failed. */
  readonly error?: { readonly code: string; readonly message: string };
}

/** What the servers' specs say (nothing is started). */
export function listMcpServers(specs: readonly McpServerSpec[]): McpServerListing[] {
  return specs.map((spec) => {
    const t = spec.transport;
    const common = { name: spec.name, from: spec.plugin ?? 'config', lazy: spec.lazy };
    return t.kind === 'stdio'
      ? { ...common, transport: 'stdio', command: [t.command, ...t.args], sandbox: t.sandbox }
      : { ...common, transport: 'http', url: t.url, sandbox: 'address policy' };
  });
}

export interface McpProbeOptions {
  /** The agent's environment: the only source of the servers' allow-listed variables. */
  readonly env: NodeJS.ProcessEnv;
  /** The `[tools]` names: an MCP tool may not take one. */
  readonly takenNames: Iterable<string>;
  /** Aborts the starts (Ctrl-C). */
  readonly signal: AbortSignal;
  /** Where each started server's warnings go (a tool left out, a `tools` entry it does not list). */
  readonly warn: (line: string) => void;
  /** Default connectMcp (tests pass an in-memory one). */
  readonly connect?: ConnectMcp;
}

/** A logger keeping warnings and errors as lines for `server` (its own field left out: the line names it). */
function collectingLogger(server: string, lines: string[]): LoggerV1 {
  const keep = (obj: object | string, msg?: string): void => {
    if (typeof obj !== 'string') {
      const { mcp_server: _s, server: _t, ...rest } = obj as Record<string, unknown>;
      obj = rest;
    }
    lines.push(terminalText(warningLine(`mcp.${server}`, obj, msg), MAX_LINE));
  };
  const log: LoggerV1 = { debug: () => {}, info: () => {}, warn: keep, error: keep, child: () => log };
  return log;
}

/** A `<CODE>: <reason>` state from what a start threw. */
function startFailure(err: unknown): { state: string; error: { code: string; message: string } } {
  const code = AgentError.is(err) ? err.code : 'ERROR';
  const data = AgentError.is(err) ? (err.data as { reason?: unknown }) : {};
  const reason = typeof data.reason === 'string' ? data.reason : reasonOf(err);
  return {
    state: `${code}: ${terminalText(reason, MAX_LINE)}`,
    error: { code, message: reasonOf(err) },
  };
}

/** Start one server as the agent would (lazy or not), read its tools' agent names, close it. */
async function probe(
  spec: McpServerSpec,
  row: McpServerListing,
  opts: McpProbeOptions,
  owner: object,
): Promise<McpServerListing> {
  const lines: string[] = [];
  try {
    // The MCP client (the SDK) is loaded only when a server is started.
    const { createMcpTools } = await import('../core/mcp/mcp-tools.js');
    const connect = opts.connect ?? (await import('../core/mcp/connection.js')).connectMcp;
    const set = await createMcpTools([{ ...spec, lazy: false }], {
      connect,
      env: opts.env,
      log: collectingLogger(spec.name, lines),
      signal: opts.signal,
      owner,
      takenNames: opts.takenNames,
    });
    const tools = set.entries().map((e) => e.name);
    await set.close();
    for (const line of lines) opts.warn(line);
    return { ...row, tools, state: 'ok' };
  } catch (err) {
    return { ...row, tools: [], ...startFailure(err) };
  }
}

/**
 * Start every server (in parallel, as the agent does), list its tools, close it. A server that fails is
 * listed with its code and reason. Tool names cannot collide across servers (`<server>__` prefixes differ),
 * so each is named against the `[tools]` names only, as the agent would.
 */
export async function probeMcpServers(
  specs: readonly McpServerSpec[],
  opts: McpProbeOptions,
): Promise<McpServerListing[]> {
  const rows = listMcpServers(specs);
  const owner = {}; // every process group these servers start, killed at the end whatever happened
  try {
    return await Promise.all(specs.map((spec, i) => probe(spec, rows[i]!, opts, owner)));
  } finally {
    await killAllSubprocesses(owner);
  }
}

/** An argument as a shell would need it to be read back (quoted when it holds blanks or quotes). */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/u.test(word) ? word : JSON.stringify(word);
}

/** A plain-text table like the plugins one; STATE and TOOLS (the widest, last) only once the servers were started. */
export function formatMcpTable(rows: readonly McpServerListing[]): string {
  const probed = rows.some((r) => r.state !== undefined);
  const header = ['MCP SERVER', 'TRANSPORT', 'FROM', 'SANDBOX', ...(probed ? ['STATE', 'TOOLS'] : [])];
  const cells = rows.map((r) => [
    r.name,
    r.transport === 'stdio' ? `stdio: ${(r.command ?? []).map(shellWord).join(' ')}` : `http: ${r.url}`,
    r.from,
    r.sandbox,
    ...(probed ? [r.state ?? '-', r.tools?.join(', ') || '-'] : []),
  ]);
  return textTable(header, cells);
}
