// A `tools/call` result → what the LLM sees: text joined, other content summarised (never dropped silently).
import { ToolError } from '@agent2389/tool-sdk';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** At most this many content blocks are looked at; the rest are counted, not read (a server may send 100 000). */
export const MAX_CONTENT_BLOCKS = 1000;
/** An `isError` text longer than this is cut: error results do not pass the max_output_size cap. */
export const MAX_ERROR_TEXT_CHARS = 16 * 1024;
/** The ToolError code of an `isError` result. */
export const MCP_TOOL_ERROR = 'MCP_TOOL_ERROR';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown, fallback: string): string {
  return typeof v === 'string' ? v : fallback;
}

/** The decoded size of base64 text, from its length and padding (without decoding it). */
export function base64Bytes(data: string): number {
  const len = data.replace(/\s+/g, '').length;
  const pad = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((len * 3) / 4) - pad);
}

/** An embedded resource: its text inlined, a blob summarised. */
function resourceText(resource: unknown): string {
  if (!isObj(resource)) return '[resource content omitted]';
  const uri = str(resource.uri, '?');
  if (typeof resource.text === 'string') return resource.text;
  if (typeof resource.blob === 'string')
    return `[resource: ${uri}, ${str(resource.mimeType, 'unknown type')}, ${base64Bytes(resource.blob)} bytes]`;
  return `[resource: ${uri}]`;
}

/** One content block as text. */
function blockText(block: unknown): string {
  if (!isObj(block)) return '[content omitted]';
  switch (block.type) {
    case 'text':
      return str(block.text, '');
    case 'image':
    case 'audio': {
      const data = typeof block.data === 'string' ? base64Bytes(block.data) : 0;
      return `[${block.type}: ${str(block.mimeType, 'unknown type')}, ${data} bytes]`;
    }
    case 'resource_link':
      return `[resource link: ${str(block.uri, '?')}${typeof block.name === 'string' ? ` (${block.name})` : ''}]`;
    case 'resource':
      return resourceText(block.resource);
    default:
      return `[${typeof block.type === 'string' ? block.type.slice(0, 64) : 'unknown'} content omitted]`;
  }
}

/** The result's content as one text: blocks joined with "\n", at most MAX_CONTENT_BLOCKS of them. */
export function contentText(content: unknown): string {
  if (!Array.isArray(content)) return '';
  const seen = content.slice(0, MAX_CONTENT_BLOCKS).map(blockText);
  const omitted = content.length - seen.length;
  if (omitted > 0) seen.push(`[${omitted} more content blocks omitted]`);
  return seen.join('\n');
}

function cutError(text: string): string {
  if (text.length <= MAX_ERROR_TEXT_CHARS) return text;
  return `${text.slice(0, MAX_ERROR_TEXT_CHARS)}…[${text.length - MAX_ERROR_TEXT_CHARS} characters omitted]`;
}

/**
 * What the LLM sees of a call's result: the content as text, or `structuredContent` (JSON) when there is
 * no content. An `isError` result throws a ToolError (code MCP_TOOL_ERROR) carrying the text.
 */
export function callResultValue(result: CallToolResult): unknown {
  // Read as untrusted data: the fields are whatever the server sent.
  const r: Obj = isObj(result) ? result : {};
  const content = Array.isArray(r.content) ? r.content : [];
  const text = contentText(content);
  if (r.isError === true) {
    const message = text || (isObj(r.structuredContent) ? JSON.stringify(r.structuredContent) : '');
    throw new ToolError(MCP_TOOL_ERROR, cutError(message || 'the MCP tool reported an error'));
  }
  if (content.length === 0 && isObj(r.structuredContent)) return r.structuredContent;
  // Protocol 2024-10-07 servers answer `{ toolResult }` instead of content.
  if (content.length === 0 && r.toolResult !== undefined) return r.toolResult;
  return text;
}
