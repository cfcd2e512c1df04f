// Agent tool names for MCP tools: `<server>__<tool>`, valid for OpenAI and Anthropic (^[A-Za-z0-9_-]{1,64}$).
import { createHash } from 'node:crypto';

import { ERR_MCP_TOOL_CONFLICT } from '../errors.js';
import type { McpToolInfo } from './types.js';

/** The longest tool name OpenAI and Anthropic accept. */
export const MAX_TOOL_NAME_LENGTH = 64;
const HASH_HEX = 6;

/** An MCP tool with the name the agent (and the LLM) knows it by. */
export interface NamedMcpTool {
  readonly agentName: string;
  readonly info: McpToolInfo;
}

/** `<server>__<tool>`; other characters become `_`; too long → cut + `_` + 6 hex of sha256(the full name). */
export function agentToolName(server: string, tool: string): string {
  const original = `${server}__${tool}`;
  const safe = original.replace(/[^A-Za-z0-9_-]/gu, '_');
  if (safe.length <= MAX_TOOL_NAME_LENGTH) return safe;
  const hash = createHash('sha256').update(original).digest('hex').slice(0, HASH_HEX);
  return `${safe.slice(0, MAX_TOOL_NAME_LENGTH - HASH_HEX - 1)}_${hash}`;
}

/** How a conflict names an MCP tool: `<server>/<tool>` (its own name, as the server lists it). */
export function mcpToolLabel(server: string, tool: string): string {
  return `${server}/${tool}`;
}

/**
 * Name `tools` of `server`, refusing collisions: tools of this server that map to one name are all left
 * out, as is a tool whose name `taken` already holds (name → who holds it). Each collision is one error.
 */
export function findToolNames(
  server: string,
  tools: readonly McpToolInfo[],
  taken: ReadonlyMap<string, string>,
): { named: NamedMcpTool[]; conflicts: InstanceType<typeof ERR_MCP_TOOL_CONFLICT>[] } {
  const byName = new Map<string, McpToolInfo[]>();
  for (const info of tools) {
    const name = agentToolName(server, info.name);
    const same = byName.get(name);
    if (same) same.push(info);
    else byName.set(name, [info]);
  }
  const named: NamedMcpTool[] = [];
  const conflicts: InstanceType<typeof ERR_MCP_TOOL_CONFLICT>[] = [];
  for (const [name, infos] of byName) {
    const labels = infos.map((i) => mcpToolLabel(server, i.name));
    const holder = taken.get(name);
    if (holder !== undefined) conflicts.push(new ERR_MCP_TOOL_CONFLICT({ name, tools: [holder, ...labels] }));
    else if (infos.length > 1) conflicts.push(new ERR_MCP_TOOL_CONFLICT({ name, tools: labels }));
    else named.push({ agentName: name, info: infos[0]! });
  }
  return { named, conflicts };
}

/** As findToolNames, but the first collision is thrown (startup: a collision is a configuration error). */
export function assignToolNames(
  server: string,
  tools: readonly McpToolInfo[],
  taken: ReadonlyMap<string, string>,
): NamedMcpTool[] {
  const { named, conflicts } = findToolNames(server, tools, taken);
  if (conflicts[0]) throw conflicts[0];
  return named;
}
