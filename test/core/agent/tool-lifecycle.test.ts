import { describe, expect, it } from 'vitest';

import { recordingLogger, type LogEntry } from '../../helpers/recording-logger.js';
import { resolveParts, type ResolvedParts } from '../../../src/core/agent/resolve.js';
import { initializeTools, shutdownTools, verifyProvider } from '../../../src/core/agent/tool-lifecycle.js';
import { parseConfigText } from '../../../src/core/config/load.js';
import { AgentError, ERR_CLOSED, ERR_PROVIDER_VERIFY_FAILED } from '../../../src/core/errors.js';
import type { ProviderV1, ToolFactoryV1, ToolV1 } from '@agent2389/tool-sdk';

type Hooks = Pick<ToolV1, 'initialize' | 'shutdown'>;

const toolFactory = (name: string, hooks: Hooks): ToolFactoryV1 => ({
  name,
  create: () => ({
    specificationVersion: 'v1',
    describe: () => ({ name, description: name, parameters: { type: 'object' } }),
    execute: () => null,
    ...hooks,
  }),
});

/** Parts whose `[tools]` lists `tools` in order, each with `config = { position = n }`. */
function partsWith(tools: Record<string, Hooks>, provider: Partial<ProviderV1> = {}): Promise<ResolvedParts> {
  const toolLines = Object.keys(tools).map(
    (name, i) => `${name} = { impl = "builtin", config = { position = ${i + 1} } }\n`,
  );
  const text = `[agent]\nid = "a1"\n[mqtt]\nbroker_url = "embedded"\n[llm]\nprovider = "fake"\n[tools]\n${toolLines.join('')}`;
  const { config } = parseConfigText(text, 'a.toml', { env: {} });
  const factories = Object.entries(tools).map(([name, hooks]) => toolFactory(name, hooks));
  const providerFactory = {
    id: 'fake',
    requiresApiKey: false,
    create: (): ProviderV1 => ({
      specificationVersion: 'v1',
      id: 'fake-instance',
      doGenerate: () => Promise.resolve({ text: '', toolCalls: [], finishReason: 'stop' }),
      ...provider,
    }),
  };
  return resolveParts(config, { providers: [providerFactory], tools: factories }, {}, recordingLogger());
}

async function rejection(p: Promise<unknown>): Promise<AgentError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (AgentError.is(err)) return err;
  throw new Error(`expected an AgentError, got ${String(err)}`);
}

const toolEnv = { agentId: 'a1', dataDir: '/var/lib/agent2389/a1' };

describe('initializeTools', () => {
  it('initializes every tool in order with its config, a tool-bound logger and the signal', async () => {
    const calls: {
      name: string;
      config: Record<string, unknown>;
      signal: AbortSignal;
      agentId: string;
      dataDir: string;
    }[] = [];
    const entries: LogEntry[] = [];
    const hooks = (name: string): Hooks => ({
      initialize: (config, ctx) => {
        calls.push({ name, config, signal: ctx.signal, agentId: ctx.agentId, dataDir: ctx.dataDir });
        ctx.log.info('ready');
      },
    });
    const parts = await partsWith({ first: hooks('first'), second: hooks('second'), third: hooks('third') });
    const { signal } = new AbortController();
    await initializeTools(parts, recordingLogger(entries, { agent: 'a1' }), signal, toolEnv);
    expect(calls.map((c) => [c.name, c.config])).toEqual([
      ['first', { position: 1 }],
      ['second', { position: 2 }],
      ['third', { position: 3 }],
    ]);
    expect(calls.every((c) => c.signal === signal)).toBe(true);
    expect(calls.every((c) => c.agentId === 'a1' && c.dataDir === '/var/lib/agent2389/a1')).toBe(true);
    expect(entries.map((e) => e.bindings)).toEqual([
      { agent: 'a1', tool: 'first' },
      { agent: 'a1', tool: 'second' },
      { agent: 'a1', tool: 'third' },
    ]);
  });

  it("rejects with the signal's reason when aborted, even if a tool ignores its signal", async () => {
    const initialized: string[] = [];
    const parts = await partsWith({
      first: { initialize: () => new Promise<void>(() => undefined) },
      second: { initialize: () => void initialized.push('second') },
    });
    const controller = new AbortController();
    const initializing = rejection(initializeTools(parts, recordingLogger(), controller.signal, toolEnv));
    const reason = new ERR_CLOSED({});
    controller.abort(reason);
    expect(await initializing).toBe(reason);
    expect(initialized).toEqual([]);
  });

  it('stops at the first failure with AGENT_ERR_TOOL_INIT_FAILED and the cause', async () => {
    const initialized: string[] = [];
    const cause = new Error('missing api token');
    const parts = await partsWith({
      first: { initialize: () => void initialized.push('first') },
      second: { initialize: () => Promise.reject(cause) },
      third: { initialize: () => void initialized.push('third') },
    });
    const err = await rejection(
      initializeTools(parts, recordingLogger(), new AbortController().signal, toolEnv),
    );
    expect(err.code).toBe('AGENT_ERR_TOOL_INIT_FAILED');
    expect(err.data).toEqual({ tool: 'second', reason: 'missing api token' });
    expect(err.cause).toBe(cause);
    expect(initialized).toEqual(['first']);
  });

  it('wraps a synchronous non-Error throw', async () => {
    const parts = await partsWith({
      first: {
        initialize: () => {
          throw 'bad config'; // eslint-disable-line @typescript-eslint/only-throw-error
        },
      },
      second: {},
      third: {},
    });
    const err = await rejection(
      initializeTools(parts, recordingLogger(), new AbortController().signal, toolEnv),
    );
    expect(err.code).toBe('AGENT_ERR_TOOL_INIT_FAILED');
    expect(err.data).toEqual({ tool: 'first', reason: 'bad config' });
  });

  it('skips tools without initialize', async () => {
    const parts = await partsWith({ first: {}, second: {}, third: {} });
    await expect(
      initializeTools(parts, recordingLogger(), new AbortController().signal, toolEnv),
    ).resolves.toBeUndefined();
  });
});

describe('verifyProvider', () => {
  it('passes the signal to verify and resolves when it does', async () => {
    const signals: AbortSignal[] = [];
    const parts = await partsWith(
      {},
      {
        verify: (opts) => {
          signals.push(opts.signal);
          return Promise.resolve();
        },
      },
    );
    const { signal } = new AbortController();
    await verifyProvider(parts, signal);
    expect(signals).toEqual([signal]);
  });

  it('resolves for a provider without verify', async () => {
    await expect(verifyProvider(await partsWith({}), new AbortController().signal)).resolves.toBeUndefined();
  });

  it('wraps a plain error as AGENT_ERR_PROVIDER_VERIFY_FAILED naming the provider', async () => {
    const cause = new Error('HTTP 401');
    const parts = await partsWith({}, { verify: () => Promise.reject(cause) });
    const err = await rejection(verifyProvider(parts, new AbortController().signal));
    expect(err.code).toBe('AGENT_ERR_PROVIDER_VERIFY_FAILED');
    expect(err.data).toEqual({ provider: 'fake-instance', reason: 'HTTP 401' });
    expect(err.cause).toBe(cause);
  });

  it("rejects with the signal's reason when aborted, even if verify() ignores its signal", async () => {
    const parts = await partsWith({}, { verify: () => new Promise<void>(() => undefined) });
    const controller = new AbortController();
    const verifying = rejection(verifyProvider(parts, controller.signal));
    const reason = new ERR_CLOSED({});
    controller.abort(reason);
    expect(await verifying).toBe(reason);
  });

  it('keeps an AGENT_ERR_PROVIDER_VERIFY_FAILED error as is', async () => {
    const own = new ERR_PROVIDER_VERIFY_FAILED({ provider: 'fake', reason: 'model gpt-x not found' });
    const parts = await partsWith({}, { verify: () => Promise.reject(own) });
    expect(await rejection(verifyProvider(parts, new AbortController().signal))).toBe(own);
  });
});

describe('shutdownTools', () => {
  it('shuts tools down in reverse order', async () => {
    const order: string[] = [];
    const hooks = (name: string): Hooks => ({ shutdown: () => void order.push(name) });
    await shutdownTools(
      await partsWith({ first: hooks('first'), second: hooks('second'), third: hooks('third') }),
      recordingLogger(),
    );
    expect(order).toEqual(['third', 'second', 'first']);
  });

  it('logs a synchronous throw or a rejection and still shuts the others down', async () => {
    const order: string[] = [];
    const syncErr = new Error('sync failure');
    const asyncErr = new Error('async failure');
    const entries: LogEntry[] = [];
    const parts = await partsWith({
      first: { shutdown: () => void order.push('first') },
      second: {
        shutdown: () => {
          throw syncErr;
        },
      },
      third: { shutdown: () => Promise.reject(asyncErr) },
    });
    await expect(shutdownTools(parts, recordingLogger(entries))).resolves.toBeUndefined();
    expect(order).toEqual(['first']);
    expect(entries.map((e) => [e.level, e.obj])).toEqual([
      ['warn', { err: asyncErr, tool: 'third' }],
      ['warn', { err: syncErr, tool: 'second' }],
    ]);
  });

  it('does nothing without parts', async () => {
    const entries: LogEntry[] = [];
    await expect(shutdownTools(undefined, recordingLogger(entries))).resolves.toBeUndefined();
    expect(entries).toEqual([]);
  });
});
