// What the HTTP providers (openai, anthropic) read from their settings alike: the per-request timeout and
// retries handed to their SDK client, the request settings, and the host named in their errors.
import type { ProviderSettingsV1 } from '@agent2389/tool-sdk';

export const DEFAULT_TIMEOUT_SECONDS = 60;
export const DEFAULT_MAX_RETRIES = 2;

export interface ClientLimits {
  /** `[llm] timeout`: per request (each retry gets it afresh). */
  readonly timeoutSeconds: number;
  /** `[llm] max_retries`: the SDK retries 408/409/429/5xx and network errors this many times. */
  readonly maxRetries: number;
}

/** The settings every request body is built from. */
export interface RequestSettings {
  readonly model: string;
  readonly temperature?: number | undefined;
  readonly maxTokens?: number | undefined;
}

/** `timeout` (finite seconds > 0) and `max_retries` (a whole number ≥ 0) from the options, else the defaults. */
export function clientLimits(options: ProviderSettingsV1['options']): ClientLimits {
  const t = options.timeout;
  const r = options.max_retries;
  return {
    timeoutSeconds: typeof t === 'number' && Number.isFinite(t) && t > 0 ? t : DEFAULT_TIMEOUT_SECONDS,
    maxRetries: typeof r === 'number' && Number.isInteger(r) && r >= 0 ? r : DEFAULT_MAX_RETRIES,
  };
}

/** The SDK's `timeout` option, in whole milliseconds. */
export const timeoutMs = (limits: ClientLimits): number => Math.round(limits.timeoutSeconds * 1000);

export function requestSettings(settings: ProviderSettingsV1): RequestSettings {
  return { model: settings.model, temperature: settings.temperature, maxTokens: settings.maxTokens };
}

/** The host (and port) of a base URL, never its path, query or credentials; `fallback` without one. */
export function hostOf(baseUrl: string | undefined, fallback: string): string {
  if (!baseUrl) return fallback;
  try {
    return new URL(baseUrl).host;
  } catch {
    return 'the configured base_url';
  }
}
