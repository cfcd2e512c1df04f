// A module tool that never settles is abandoned at its deadline: ERR_TOOL_TIMEOUT, its signal aborted.
import { describe, expect, it } from 'vitest';

import { withDeadline } from '../../../src/core/agent/tool-deadline.js';
import { ToolRegistry, type ToolExecutor } from '../../../src/core/agent/tool-registry.js';
import { runToolCall } from '../../../src/core/agent/tool-runner.js';
import { AgentError } from '../../../src/core/errors.js';
import { silentLogger as silent } from '../../../src/core/observability/silent-logger.js';
import type { ToolCallContext, ToolV1 } from '../../../tool-sdk/src/index.js';

/** A tool that records the signal it was given and settles as `body` says (never, by default). */
function recordingTool(body: () => Promise<unknown> = () => new Promise(() => {})) {
  const seen: { signal?: AbortSignal } = {};
  const tool: ToolV1 = {
    specificationVersion: 'v1',
    describe: () => ({ name: 't', description: 't', parameters: { type: 'object' } }),
    execute: (_input: unknown, ctx: ToolCallContext) => {
      seen.signal = ctx.signal;
      return body();
    },
  };
  return { tool, seen };
}

function registryOf(tool: ToolV1, executor: ToolExecutor, timeoutMs?: number): ToolRegistry {
  const description = tool.describe();
  return ToolRegistry.fromEntries([
    {
      name: 'slow',
      tool,
      description,
      config: {},
      executor,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    },
  ]);
}

const call = { id: 'c1', name: 'slow', input: {} };

describe('module tool deadline (runToolCall)', () => {
  it('abandons a module tool that never settles: ERR_TOOL_TIMEOUT, timedOut, its signal aborted with it', async () => {
    const { tool, seen } = recordingTool();
    const caller = new AbortController();
    const out = await runToolCall(call, registryOf(tool, 'module', 50), {
      signal: caller.signal,
      log: silent,
      maxOutputBytes: 1000,
    });
    expect(out).toMatchObject({ ok: false, timedOut: true, executor: 'module' });
    expect(out.error?.code).toBe('AGENT_ERR_TOOL_TIMEOUT');
    expect(out.error?.data).toEqual({ tool: 'slow', timeoutMs: 50 });
    expect(out.content).toContain('AGENT_ERR_TOOL_TIMEOUT');
    expect(seen.signal?.aborted).toBe(true);
    expect(seen.signal?.reason).toBe(out.error);
    expect(caller.signal.aborted).toBe(false);
  });

  it('a module tool that answers in time is not affected, and a later rejection is not unhandled', async () => {
    const { tool, seen } = recordingTool(() => Promise.resolve({ fine: true }));
    const out = await runToolCall(call, registryOf(tool, 'module', 60_000), {
      signal: new AbortController().signal,
      log: silent,
      maxOutputBytes: 1000,
    });
    expect(out).toMatchObject({ ok: true, content: '{"fine":true}' });
    expect(seen.signal?.aborted).toBe(false);
  });

  it('a tool failing with its own error before the deadline keeps that error (not timedOut)', async () => {
    const { tool } = recordingTool(() => Promise.reject(new TypeError('kaput')));
    const out = await runToolCall(call, registryOf(tool, 'module', 60_000), {
      signal: new AbortController().signal,
      log: silent,
      maxOutputBytes: 1000,
    });
    expect(out.error?.code).toBe('AGENT_ERR_TOOL_FAILED');
    expect(out.timedOut).toBeUndefined();
  });

  it.each(['subprocess', 'script'] as const)(
    'a %s tool gets the caller signal itself: its executor owns the deadline (no second timer)',
    async (executor) => {
      const { tool, seen } = recordingTool(() => Promise.resolve(1));
      const caller = new AbortController();
      await runToolCall(call, registryOf(tool, executor, 50), {
        signal: caller.signal,
        log: silent,
        maxOutputBytes: 1000,
      });
      expect(seen.signal).toBe(caller.signal);
    },
  );

  it('a module tool without a timeout of its own gets a deadline signal too (the 30 s default)', async () => {
    const { tool, seen } = recordingTool(() => Promise.resolve(1));
    const caller = new AbortController();
    await runToolCall(call, registryOf(tool, 'module'), {
      signal: caller.signal,
      log: silent,
      maxOutputBytes: 1000,
    });
    expect(seen.signal).not.toBe(caller.signal);
  });
});

describe('withDeadline', () => {
  it("aborting the caller's signal aborts the work's signal with the caller's reason", async () => {
    const caller = new AbortController();
    let inner: AbortSignal | undefined;
    const settled = withDeadline('t', 60_000, caller.signal, (signal) => {
      inner = signal;
      return new Promise((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason as Error)),
      );
    });
    caller.abort(new Error('task over'));
    await expect(settled).rejects.toThrow('task over');
    expect(inner?.aborted).toBe(true);
  });

  it('a work that rejects after the deadline leaves no unhandled rejection', async () => {
    let rejectLater: (e: Error) => void = () => {};
    const settled = withDeadline(
      't',
      1,
      new AbortController().signal,
      () => new Promise((_r, reject) => (rejectLater = reject)),
    );
    const err = await settled.catch((e: unknown) => e);
    expect(AgentError.is(err, 'AGENT_ERR_TOOL_TIMEOUT')).toBe(true);
    rejectLater(new Error('late'));
    // test/setup.ts fails the suite on unhandled rejections; give the microtask queue a turn.
    await Promise.resolve();
  });
});
