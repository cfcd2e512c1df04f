// Status, response and error messages (docs/protocol.md §3.3–§3.5) and their builders.
import { nowTimestamp } from './timestamp.js';

export type WireErrorCode =
  'tool_execution_failed' | 'llm_error' | 'invalid_input' | 'pipeline_depth_exceeded' | 'internal_error';

export const WIRE_ERROR_CODES: readonly WireErrorCode[] = [
  'tool_execution_failed',
  'llm_error',
  'invalid_input',
  'pipeline_depth_exceeded',
  'internal_error',
];

export interface StatusMessage {
  agent_id: string;
  status: 'available' | 'unavailable';
  timestamp: string;
  description?: string;
  capabilities: string[];
  tools: string[];
  load: number;
  version: string;
}

export interface ResponseMessage {
  task_id: string;
  response: string;
}

export interface ErrorMessage {
  task_id: string;
  error: { code: WireErrorCode; message: string };
}

export interface StatusInfo {
  agentId: string;
  description?: string | undefined;
  capabilities: readonly string[];
  tools: readonly string[];
  version: string;
}

export function buildStatus(info: StatusInfo, status: StatusMessage['status'], load: number): StatusMessage {
  const msg: StatusMessage = {
    agent_id: info.agentId,
    status,
    timestamp: nowTimestamp(),
    capabilities: [...info.capabilities],
    tools: [...info.tools],
    load: Math.round(load * 1000) / 1000,
    version: info.version,
  };
  if (info.description !== undefined) msg.description = info.description;
  return msg;
}
