// The `openai` provider: Chat Completions with native tool calling, SDK retries and a token-free verify.
import OpenAI from 'openai';

import type {
  GenerateRequestV1,
  GenerateResultV1,
  ProviderFactoryV1,
  ProviderSettingsV1,
  ProviderV1,
} from '../../../tool-sdk/src/index.js';
import { hostOf, toProviderError, type ErrorContext } from './error-mapping.js';
import { toChatRequest } from './request-mapping.js';
import { parseChatResponse } from './response-parsing.js';

export const DEFAULT_TIMEOUT_SECONDS = 60;
export const DEFAULT_MAX_RETRIES = 2;
const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export const MISSING_KEY_MESSAGE =
  'no API key: set [llm] api_key_env to the name of an environment variable holding your OpenAI key ' +
  '(or set [llm] base_url for an OpenAI-compatible server that needs no key)';

const positive = (v: unknown): number | undefined => (typeof v === 'number' && v > 0 ? v : undefined);
const nonNegativeInt = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;

/**
 * Token-free model check: `GET /models/{id}`; servers without that route (404) are asked for the
 * model list instead, and the model counts as known if it is listed.
 */
async function modelExists(
  client: OpenAI,
  model: string,
  options: { signal: AbortSignal },
): Promise<boolean> {
  try {
    await client.models.retrieve(model, options);
    return true;
  } catch (err) {
    if (!(err instanceof OpenAI.NotFoundError)) throw err;
  }
  for await (const m of client.models.list(options)) if (m.id === model) return true;
  return false;
}

export function createOpenAiProvider(settings: ProviderSettingsV1): ProviderV1 {
  const timeoutSeconds = positive(settings.options.timeout) ?? DEFAULT_TIMEOUT_SECONDS;
  const maxRetries = nonNegativeInt(settings.options.max_retries) ?? DEFAULT_MAX_RETRIES;
  const client = new OpenAI({
    // Local OpenAI-compatible servers accept any key; the SDK insists on one.
    apiKey: settings.apiKey ?? 'not-needed',
    // Always explicit, so OPENAI_BASE_URL in the environment cannot redirect requests.
    baseURL: settings.baseUrl ?? DEFAULT_BASE_URL,
    timeout: Math.round(timeoutSeconds * 1000),
    maxRetries,
  });
  const errorContext = (phase: ErrorContext['phase']): ErrorContext => ({
    host: hostOf(settings.baseUrl),
    timeoutSeconds,
    maxRetries,
    model: settings.model,
    phase,
  });
  const rethrow = (err: unknown, signal: AbortSignal, phase: ErrorContext['phase']): never => {
    // A cancelled task surfaces as the host's own abort reason, not as a provider failure.
    if (signal.aborted) throw signal.reason;
    throw toProviderError(err, errorContext(phase));
  };

  return {
    specificationVersion: 'v1',
    id: 'openai',
    async doGenerate(req: GenerateRequestV1, opts): Promise<GenerateResultV1> {
      const body = toChatRequest(req, {
        model: settings.model,
        temperature: settings.temperature,
        maxTokens: settings.maxTokens,
      });
      let raw: unknown;
      try {
        raw = await client.chat.completions.create(body, { signal: opts.signal });
      } catch (err) {
        return rethrow(err, opts.signal, 'request');
      }
      try {
        return parseChatResponse(raw);
      } catch (err) {
        return rethrow(err, opts.signal, 'request');
      }
    },
    async verify(opts): Promise<void> {
      if (settings.apiKey === undefined && settings.baseUrl === undefined) {
        throw new Error(`OpenAI check failed: ${MISSING_KEY_MESSAGE}`);
      }
      const options = { signal: opts.signal };
      try {
        if (!settings.model) await client.models.list(options);
        else if (!(await modelExists(client, settings.model, options))) {
          throw new OpenAI.NotFoundError(404, undefined, undefined, new Headers());
        }
      } catch (err) {
        rethrow(err, opts.signal, 'verify');
      }
    },
  };
}

export const openaiProviderFactory: ProviderFactoryV1 = {
  id: 'openai',
  requiresApiKey: false,
  create: (settings) => createOpenAiProvider(settings),
};
