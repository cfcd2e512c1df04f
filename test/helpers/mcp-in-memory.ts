// Test helper: an McpConnection over the SDK Client and an in-process SDK server, linked in memory
// (InMemoryTransport): the real protocol, no processes. Stands in for connection.ts in unit tests.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolResultSchema,
  ErrorCode,
  McpError,
  ToolListChangedNotificationSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

import { ERR_MCP_START_FAILED, ERR_TOOL_FAILED, ERR_TOOL_TIMEOUT, reasonOf } from '../../src/core/errors.js';
import type {
  ConnectMcp,
  McpCloseInfo,
  McpConnection,
  McpServerSpec,
  McpToolInfo,
} from '../../src/core/mcp/types.js';

/** tools/list read leniently: a hostile server's odd entries reach the code under test as they are. */
const LenientToolList = z.looseObject({
  tools: z.array(z.looseObject({ name: z.string() })),
  nextCursor: z.string().optional(),
});

/** Either server class of the SDK. */
export type AnyMcpServer = McpServer | Server;

function lowLevel(server: AnyMcpServer): Server {
  return server instanceof McpServer ? server.server : server;
}

export interface InMemoryOptions {
  /** Call failures as connection.ts reports them: ERR_TOOL_TIMEOUT / ERR_TOOL_FAILED (SDK error as cause). */
  readonly codedErrors?: boolean;
}

/** As connection.ts: a timeout or failure coded with the server's own tool name; an abort as is. */
function coded(tool: string, err: unknown, signal: AbortSignal, timeoutMs: number): unknown {
  if (signal.aborted) return err;
  if (err instanceof McpError && err.code === Number(ErrorCode.RequestTimeout))
    return new ERR_TOOL_TIMEOUT({ tool, timeoutMs }, { cause: err });
  return new ERR_TOOL_FAILED({ tool, reason: reasonOf(err) }, { cause: err });
}

/** Connect an SDK Client to `server` in memory and wrap it as an McpConnection. */
export async function connectInMemory(
  name: string,
  server: AnyMcpServer,
  opts: InMemoryOptions = {},
): Promise<McpConnection> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'agent2389-test', version: '0.0.0' });
  await server.connect(serverSide);
  await client.connect(clientSide);
  const toolListeners: (() => void)[] = [];
  const closeListeners: ((info: McpCloseInfo) => void)[] = [];
  let closing = false;
  let closed = false;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    for (const l of toolListeners) l();
  });
  client.onclose = () => {
    if (closed) return;
    closed = true;
    const info = { expected: closing, reason: 'the connection closed', stderrTail: 'last words' };
    for (const l of closeListeners) l(info);
  };
  return {
    server: name,
    stderrTail: 'last words',
    async listTools(signal) {
      const tools: McpToolInfo[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.request(
          { method: 'tools/list', params: cursor === undefined ? {} : { cursor } },
          LenientToolList,
          { signal },
        );
        tools.push(...(page.tools as unknown as McpToolInfo[]));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      return tools;
    },
    async callTool(tool, args, call) {
      try {
        const result = await client.callTool({ name: tool, arguments: args }, CallToolResultSchema, {
          signal: call.signal,
          timeout: call.timeoutMs,
          resetTimeoutOnProgress: true,
          maxTotalTimeout: call.maxTotalTimeoutMs,
          ...(call.onProgress ? { onprogress: call.onProgress } : {}),
        });
        return result as CallToolResult;
      } catch (err) {
        throw opts.codedErrors ? coded(tool, err, call.signal, call.timeoutMs) : err;
      }
    },
    onToolsChanged: (l) => void toolListeners.push(l),
    onClose: (l) => void closeListeners.push(l),
    async close() {
      closing = true;
      await client.close();
    },
  };
}

/** A ConnectMcp whose every connect makes a fresh server with `make` (a restart gets a new one). */
export interface InMemoryConnector {
  readonly connect: ConnectMcp;
  /** The servers made so far, newest last. */
  readonly servers: AnyMcpServer[];
  /** The number of connect calls (made or failed). */
  readonly attempts: () => number;
  /** Make the newest server go away as a crash would (its side of the link closes). */
  crash(): Promise<void>;
}

export function inMemoryConnector(
  make: (attempt: number, spec: McpServerSpec) => AnyMcpServer | Promise<AnyMcpServer>,
  opts: InMemoryOptions = {},
): InMemoryConnector {
  const servers: AnyMcpServer[] = [];
  let attempts = 0;
  return {
    servers,
    attempts: () => attempts,
    connect: async (spec, ctx) => {
      attempts += 1;
      try {
        ctx.signal.throwIfAborted();
        const server = await make(attempts, spec);
        servers.push(server);
        return await connectInMemory(spec.name, server, opts);
      } catch (err) {
        throw new ERR_MCP_START_FAILED({ server: spec.name, reason: reasonOf(err) }, { cause: err });
      }
    },
    async crash() {
      const server = servers.at(-1);
      if (!server) throw new Error('no server to crash');
      await lowLevel(server).close();
    },
  };
}

/** A server spec with test defaults. */
export function testSpec(name: string, over: Partial<McpServerSpec> = {}): McpServerSpec {
  return {
    name,
    transport: {
      kind: 'http',
      url: 'http://in-memory.invalid/mcp',
      headers: [],
      allowPrivateNetworks: false,
      allowedPrivateCidrs: [],
    },
    timeoutMs: 60_000,
    maxTotalTimeoutMs: 600_000,
    startupTimeoutMs: 30_000,
    lazy: false,
    excludeTools: [],
    ...over,
  };
}
