// The `openai` provider: Chat Completions with native tool calling, SDK retries and a token-free verify.
import OpenAI from 'openai';

import type {
  GenerateRequestV1,
  GenerateResultV1,
  ProviderFactoryV1,
  ProviderSettingsV1,
  ProviderV1,
} from '@agent2389/tool-sdk';
import { httpProviderParts } from '../provider-common/provider-call.js';
import { toChatRequest } from './request-mapping.js';
import { parseChatResponse } from './response-parsing.js';

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export const MISSING_KEY_MESSAGE =
  'no API key: set [llm] api_key_env to the name of an environment variable holding your OpenAI key ' +
  '(or set [llm] base_url for an OpenAI-compatible server that needs no key)';

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
  const { clientOptions, calls, request } = httpProviderParts(settings, {
    label: 'OpenAI',
    sdk: OpenAI,
    defaultHost: 'api.openai.com',
  });
  const client = new OpenAI({
    // Local OpenAI-compatible servers accept any key; the SDK insists on one.
    apiKey: settings.apiKey ?? 'not-needed',
    // Always explicit, so OPENAI_BASE_URL in the environment cannot redirect requests.
    baseURL: settings.baseUrl ?? DEFAULT_BASE_URL,
    ...clientOptions,
  });

  return {
    specificationVersion: 'v1',
    id: 'openai',
    doGenerate(req: GenerateRequestV1, opts): Promise<GenerateResultV1> {
      const body = toChatRequest(req, request);
      return calls.request(opts.signal, async () =>
        parseChatResponse(await client.chat.completions.create(body, { signal: opts.signal })),
      );
    },
    async verify(opts): Promise<void> {
      if (settings.apiKey === undefined && settings.baseUrl === undefined)
        throw new Error(MISSING_KEY_MESSAGE);
      const options = { signal: opts.signal };
      await calls.verify(opts.signal, async () => {
        if (!settings.model) await client.models.list(options);
        else if (!(await modelExists(client, settings.model, options))) {
          throw new OpenAI.NotFoundError(404, undefined, undefined, new Headers());
        }
      });
    },
  };
}

export const openaiProviderFactory: ProviderFactoryV1 = {
  id: 'openai',
  requiresApiKey: false,
  create: (settings) => createOpenAiProvider(settings),
};
