// One MCP tool as a ToolV1: describe() from the server's listing (bounded), execute() through the supervisor.
import type { ToolCallContext, ToolDescriptionV1, ToolV1 } from '@agent2389/tool-sdk';
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';

import { AgentError, ERR_TOOL_FAILED, ERR_TOOL_INVALID_PARAMS, ERR_TOOL_TIMEOUT } from '../errors.js';
import { callResultValue } from './call-result.js';
import type { NamedMcpTool } from './tool-names.js';
import type { HostToolCallContext } from '../agent/tool-runner.js';
import type { McpProgress, McpToolInfo } from './types.js';

/** A server's tool description longer than this is cut: every description goes into every LLM request. */
export const MAX_DESCRIPTION_CHARS = 2048;
/** A progress message longer than this is cut before it is republished. */
export const MAX_PROGRESS_MESSAGE_CHARS = 1024;

/** What a tool needs of its server (McpSupervisor). */
export interface McpToolServer {
  readonly server: string;
  call(
    tool: string,
    args: Record<string, unknown>,
    opts: { signal: AbortSignal; onProgress?: (p: McpProgress) => void },
  ): Promise<CallToolResult>;
}

/** Progress of one call: the agent tool name, the call id, the server's numbers. */
export type McpProgressListener = (tool: string, callId: string, progress: McpProgress) => void;

export interface McpToolOptions {
  /** The server's per-call timeout, reported when the SDK's timeout error does not carry one. */
  readonly timeoutMs: number;
  readonly onProgress?: McpProgressListener;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Why an inputSchema cannot be a tool's parameters (MCP requires an object schema); undefined if it can. */
export function inputSchemaProblem(schema: unknown): string | undefined {
  if (!isRecord(schema)) return 'its inputSchema is not a JSON object';
  if (schema.type !== 'object') return 'its inputSchema does not have "type": "object"';
  return undefined;
}

/** The description the LLM sees: the server's (cut at MAX_DESCRIPTION_CHARS), or a default. */
export function mcpToolDescription(server: string, named: NamedMcpTool): ToolDescriptionV1 {
  const { info, agentName } = named;
  const given = typeof info.description === 'string' ? info.description.trim() : '';
  const description =
    given === ''
      ? `MCP tool ${info.name.slice(0, 200)} of server ${server}`
      : given.length > MAX_DESCRIPTION_CHARS
        ? `${given.slice(0, MAX_DESCRIPTION_CHARS)}…`
        : given;
  return { name: agentName, description, parameters: info.inputSchema };
}

/** Timeouts (from the connection or the SDK) and failures name the agent tool, not the server's own name. */
function callError(tool: string, timeoutMs: number, err: unknown): unknown {
  if (AgentError.is(err, 'AGENT_ERR_TOOL_FAILED')) {
    const data = err.data as ConstructorParameters<typeof ERR_TOOL_FAILED>[0];
    return data.tool === tool ? err : new ERR_TOOL_FAILED({ ...data, tool }, { cause: err.cause ?? err });
  }
  if (AgentError.is(err, 'AGENT_ERR_TOOL_TIMEOUT')) {
    const data = err.data as { tool: string; timeoutMs: number };
    return data.tool === tool
      ? err
      : new ERR_TOOL_TIMEOUT({ tool, timeoutMs: data.timeoutMs }, { cause: err });
  }
  if (err instanceof McpError && err.code === Number(ErrorCode.RequestTimeout)) {
    const data: Record<string, unknown> = isRecord(err.data) ? err.data : {};
    const limit = [data.timeout, data.maxTotalTimeout].find((v): v is number => typeof v === 'number');
    return new ERR_TOOL_TIMEOUT({ tool, timeoutMs: limit ?? timeoutMs }, { cause: err });
  }
  return err;
}

function boundedProgress(p: McpProgress): McpProgress {
  if (typeof p.message !== 'string' || p.message.length <= MAX_PROGRESS_MESSAGE_CHARS) return p;
  return { ...p, message: `${p.message.slice(0, MAX_PROGRESS_MESSAGE_CHARS)}…` };
}

/** The ToolV1 of one MCP tool. Parameters were validated by the ToolRegistry against its inputSchema. */
export function createMcpTool(named: NamedMcpTool, server: McpToolServer, opts: McpToolOptions): ToolV1 {
  const description = mcpToolDescription(server.server, named);
  const tool = named.agentName;
  const mcpName: McpToolInfo['name'] = named.info.name;
  return {
    specificationVersion: 'v1',
    describe: () => description,
    async execute(input: unknown, ctx: ToolCallContext): Promise<unknown> {
      if (!isRecord(input))
        throw new ERR_TOOL_INVALID_PARAMS({ tool, errors: ['(parameters) must be an object'] });
      // Progress goes to the task's channel (a tool_progress event) and to the owner's listener, if any.
      const { onProgress } = opts;
      const host = ctx as HostToolCallContext;
      const report = host.reportProgress ? (p: McpProgress) => host.reportProgress?.(p) : undefined;
      const progress =
        onProgress || report
          ? (p: McpProgress) => {
              const bounded = boundedProgress(p);
              report?.(bounded);
              onProgress?.(tool, ctx.callId, bounded);
            }
          : undefined;
      let result: CallToolResult;
      try {
        result = await server.call(mcpName, input, {
          signal: ctx.signal,
          ...(progress ? { onProgress: progress } : {}),
        });
      } catch (err) {
        throw callError(tool, opts.timeoutMs, err);
      }
      return callResultValue(result);
    },
  };
}
