// One SDK call of an HTTP provider: a cancelled call ends with the caller's abort reason; any other failure
// with a short, redacted Error whose cause is what the SDK threw.
import type { ProviderSettingsV1 } from '@agent2389/tool-sdk';
import { describeFailure, failureOf, type FailureContext, type SdkErrors } from './provider-failure.js';
import {
  clientLimits,
  hostOf,
  requestSettings,
  timeoutMs,
  type RequestSettings,
} from './provider-settings.js';

export interface ProviderCallsOptions extends Omit<FailureContext, 'phase'> {
  /** Names the provider in request failures, e.g. `OpenAI`. */
  readonly label: string;
  readonly sdk: SdkErrors;
}

export interface ProviderCalls {
  /** For doGenerate: failures read `<label> request failed: <reason>`. */
  request<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T>;
  /** For verify(): failures are the reason alone (the agent's error names the provider). */
  verify<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T>;
}

/** The caller's abort reason (e.g. the task timeout) as an Error: that, not the SDK's abort, is the outcome. */
export function abortReason(signal: AbortSignal, label: string): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(`${label} request aborted`, { cause: reason });
}

export function providerCalls(opts: ProviderCallsOptions): ProviderCalls {
  const run = async <T>(phase: FailureContext['phase'], signal: AbortSignal, fn: () => Promise<T>) => {
    try {
      return await fn();
    } catch (err) {
      if (signal.aborted) throw abortReason(signal, opts.label);
      const reason = describeFailure(failureOf(err, opts.sdk), { ...opts, phase });
      throw new Error(phase === 'request' ? `${opts.label} request failed: ${reason}` : reason, {
        cause: err,
      });
    }
  };
  return {
    request: (signal, fn) => run('request', signal, fn),
    verify: (signal, fn) => run('verify', signal, fn),
  };
}

/**
 * What an HTTP provider derives from its settings: its SDK client's `timeout` (ms) and `maxRetries`, its
 * guarded calls and its request settings.
 */
export function httpProviderParts(
  settings: ProviderSettingsV1,
  provider: { readonly label: string; readonly sdk: SdkErrors; readonly defaultHost: string },
): {
  clientOptions: { timeout: number; maxRetries: number };
  calls: ProviderCalls;
  request: RequestSettings;
} {
  const limits = clientLimits(settings.options);
  const calls = providerCalls({
    label: provider.label,
    sdk: provider.sdk,
    host: hostOf(settings.baseUrl, provider.defaultHost),
    ...limits,
    model: settings.model,
    apiKey: settings.apiKey,
  });
  const clientOptions = { timeout: timeoutMs(limits), maxRetries: limits.maxRetries };
  return { clientOptions, calls, request: requestSettings(settings) };
}
