// Startup steps 4 and 5 of docs/protocol.md §5.1 (initialize tools, verify the provider) and tool shutdown.
import type { LoggerV1 } from '@agent2389/tool-sdk';
import { AgentError, ERR_PROVIDER_VERIFY_FAILED, ERR_TOOL_INIT_FAILED, reasonOf } from '../errors.js';
import { untilAborted } from './abort.js';
import type { ResolvedParts } from './resolve.js';

/** What every tool's `initialize` learns about the agent it runs in. */
export interface ToolEnvironment {
  readonly agentId: string;
  readonly dataDir: string;
}

/**
 * Initialize every configured tool in order; the first failure is AGENT_ERR_TOOL_INIT_FAILED. When
 * `signal` aborts (stop() during startup), this rejects with its reason at once, even if a tool
 * ignores the signal.
 */
export async function initializeTools(
  parts: Pick<ResolvedParts, 'tools'>,
  log: LoggerV1,
  signal: AbortSignal,
  env: ToolEnvironment,
): Promise<void> {
  for (const t of parts.tools) {
    try {
      const init = t.tool.initialize?.(t.config, { log: log.child({ tool: t.name }), signal, ...env });
      await untilAborted(Promise.resolve(init), signal);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw new ERR_TOOL_INIT_FAILED({ tool: t.name, reason: reasonOf(err) }, { cause: err });
    }
  }
}

/**
 * The provider's token-free check; any failure is AGENT_ERR_PROVIDER_VERIFY_FAILED. When `signal`
 * aborts, this rejects with its reason at once (the startup was cancelled, the provider did not fail),
 * even if the provider ignores the signal.
 */
export async function verifyProvider(
  parts: Pick<ResolvedParts, 'provider'>,
  signal: AbortSignal,
): Promise<void> {
  try {
    await untilAborted(Promise.resolve(parts.provider.verify?.({ signal })), signal);
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (AgentError.is(err, 'AGENT_ERR_PROVIDER_VERIFY_FAILED')) throw err;
    throw new ERR_PROVIDER_VERIFY_FAILED(
      { provider: parts.provider.id, reason: reasonOf(err) },
      { cause: err },
    );
  }
}

/** Shut tools down in reverse order; failures are logged, never thrown. */
export async function shutdownTools(
  parts: Pick<ResolvedParts, 'tools'> | undefined,
  log: LoggerV1,
): Promise<void> {
  for (const t of [...(parts?.tools ?? [])].reverse()) {
    try {
      await t.tool.shutdown?.();
    } catch (err) {
      log.warn({ err, tool: t.name }, 'tool shutdown failed');
    }
  }
}
