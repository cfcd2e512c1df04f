// The `anthropic` provider: the official SDK client, request/response mapping, retries and verify().
import Anthropic, { APIError, APIUserAbortError } from '@anthropic-ai/sdk';

import type {
  CallOptions,
  ProviderFactoryV1,
  ProviderSettingsV1,
  ProviderV1,
} from '../../../tool-sdk/src/index.js';
import { describeFailure, hostOf, toRequestError, type ErrorContext } from './anthropic-errors.js';
import { toAnthropicRequest } from './anthropic-request.js';
import { fromAnthropicMessage } from './anthropic-response.js';

export const DEFAULT_TIMEOUT_SECONDS = 60;
export const DEFAULT_MAX_RETRIES = 2;

function positiveNumber(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

function retries(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : DEFAULT_MAX_RETRIES;
}

/** If the caller aborted, surface its reason (e.g. the task timeout) rather than the SDK's abort error. */
function abortReason(err: unknown, opts: CallOptions): Error | undefined {
  if (!opts.signal.aborted || (err instanceof APIError && !(err instanceof APIUserAbortError)))
    return undefined;
  const reason: unknown = opts.signal.reason;
  return reason instanceof Error ? reason : new Error('Anthropic request aborted');
}

export function createAnthropicProvider(settings: ProviderSettingsV1): ProviderV1 {
  const timeoutSeconds = positiveNumber(settings.options.timeout, DEFAULT_TIMEOUT_SECONDS);
  const maxRetries = retries(settings.options.max_retries);
  const client = new Anthropic({
    apiKey: settings.apiKey ?? null,
    ...(settings.baseUrl ? { baseURL: settings.baseUrl } : {}),
    timeout: timeoutSeconds * 1000,
    maxRetries,
  });
  const errCtx: ErrorContext = { host: hostOf(settings.baseUrl), timeoutSeconds, apiKey: settings.apiKey };
  const requestSettings = {
    model: settings.model,
    temperature: settings.temperature,
    maxTokens: settings.maxTokens,
  };

  return {
    specificationVersion: 'v1',
    id: 'anthropic',
    async doGenerate(req, opts) {
      let message: Anthropic.Message;
      try {
        message = await client.messages.create(toAnthropicRequest(req, requestSettings), {
          signal: opts.signal,
        });
      } catch (err) {
        const reason = abortReason(err, opts);
        if (reason) throw reason;
        throw toRequestError(err, errCtx);
      }
      try {
        return fromAnthropicMessage(message);
      } catch (err) {
        throw toRequestError(err, errCtx);
      }
    },
    async verify(opts) {
      try {
        await client.models.retrieve(settings.model, {}, { signal: opts.signal });
      } catch (err) {
        const reason = abortReason(err, opts);
        if (reason) throw reason;
        const why =
          err instanceof APIError && err.status === 404
            ? `unknown model "${settings.model}"`
            : describeFailure(err, errCtx);
        // The core wraps this as AGENT_ERR_PROVIDER_VERIFY_FAILED naming the provider.
        throw new Error(why, { cause: err });
      }
    },
  };
}

export const anthropicProviderFactory: ProviderFactoryV1 = {
  id: 'anthropic',
  requiresApiKey: true,
  create: (settings) => createAnthropicProvider(settings),
};
