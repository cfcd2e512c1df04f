// In-process MCP servers for the mcp/ unit tests (SDK McpServer with zod schemas, or the low-level Server).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

import type { McpSupervisor, McpServerState } from '../../../src/core/mcp/supervisor.js';

/** A promise with its resolve function, for tools the test lets finish. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export interface Controls {
  /** Resolved when `hang` is entered; `release` lets it answer. */
  entered: ReturnType<typeof deferred>;
  release: ReturnType<typeof deferred>;
}

export function controls(): Controls {
  return { entered: deferred(), release: deferred() };
}

/** echo, add, fail (isError), picture (image), slow (progress), hang (waits for the test). */
export function basicServer(c: Controls = controls()): McpServer {
  const s = new McpServer({ name: 'basic', version: '1.0.0' });
  s.registerTool('echo', { description: 'Echo the text', inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  s.registerTool('add', { inputSchema: { a: z.number(), b: z.number() } }, ({ a, b }) => ({
    content: [{ type: 'text', text: String(a + b) }],
  }));
  s.registerTool('fail', { description: 'Always fails' }, () => ({
    isError: true,
    content: [{ type: 'text', text: 'it went wrong' }],
  }));
  s.registerTool('picture', {}, () => ({
    content: [
      { type: 'text', text: 'a picture:' },
      { type: 'image', mimeType: 'image/png', data: Buffer.alloc(1234).toString('base64') },
    ],
  }));
  s.registerTool('slow', {}, async (extra) => {
    const token = extra._meta?.progressToken;
    if (token !== undefined)
      for (const progress of [1, 2])
        await extra.sendNotification({
          method: 'notifications/progress',
          params: { progressToken: token, progress, total: 2, message: `step ${progress}` },
        });
    return { content: [{ type: 'text', text: 'done' }] };
  });
  s.registerTool('hang', {}, async () => {
    c.entered.resolve();
    await c.release.promise;
    return { content: [{ type: 'text', text: 'released' }] };
  });
  return s;
}

/** Resolves when `sup` is in `state` (at once if it is). */
export function reached(sup: McpSupervisor, state: McpServerState): Promise<void> {
  if (sup.state === state) return Promise.resolve();
  return new Promise((resolve) => {
    const off = sup.onStateChange((s) => {
      if (s !== state) return;
      off();
      resolve();
    });
  });
}

/** Resolves with the next tool list `sup` reports. */
export function nextTools(sup: McpSupervisor): Promise<string[]> {
  return new Promise((resolve) => {
    const off = sup.onToolsChanged((tools) => {
      off();
      resolve(tools.map((t) => t.name));
    });
  });
}
