// Map internal errors to the five wire codes of docs/protocol.md §3.5 (the only place this happens).
import { AgentError } from '../errors.js';
import type { WireErrorCode } from '../protocol/messages.js';

export interface WireError {
  code: WireErrorCode;
  message: string;
}

/** The `router` of a router error's data ('llm' or 'gatekeeper'), if it names one. */
function routerOf(err: AgentError): unknown {
  const data: unknown = err.data;
  return typeof data === 'object' && data !== null ? (data as { router?: unknown }).router : undefined;
}

/** Map an error to a wire code and a publishable message (redaction happens when it is serialized). */
export function toWireError(err: unknown): WireError {
  if (!AgentError.is(err))
    return { code: 'internal_error', message: 'internal error while processing the task' };
  if (err.code === 'AGENT_ERR_TASK_TIMEOUT') return { code: 'internal_error', message: 'task timed out' };
  if (err.code === 'AGENT_ERR_CLOSED')
    return { code: 'internal_error', message: 'the agent shut down before the task finished' };
  if (err.code.startsWith('AGENT_ERR_PROVIDER_')) return { code: 'llm_error', message: err.message };
  // [routing] on_router_error = "fail": the llm router is an LLM call; the gatekeeper is our own service.
  if (err.code.startsWith('AGENT_ERR_ROUTER_'))
    return { code: routerOf(err) === 'llm' ? 'llm_error' : 'internal_error', message: err.message };
  // Tool failures, sandbox limit hits, script errors and MCP servers down are all a tool that could not do its job.
  if (/^AGENT_ERR_(TOOL|SCRIPT|SANDBOX|MCP)_/.test(err.code))
    return { code: 'tool_execution_failed', message: err.message };
  return { code: 'internal_error', message: err.message };
}
