// The `anthropic` provider: the official SDK client, request/response mapping, retries and verify().
import Anthropic from '@anthropic-ai/sdk';

import type { ProviderFactoryV1, ProviderSettingsV1, ProviderV1 } from '@agent2389/tool-sdk';
import { httpProviderParts } from '../provider-common/provider-call.js';
import { toAnthropicRequest } from './anthropic-request.js';
import { fromAnthropicMessage } from './anthropic-response.js';

export function createAnthropicProvider(settings: ProviderSettingsV1): ProviderV1 {
  const { clientOptions, calls, request } = httpProviderParts(settings, {
    label: 'Anthropic',
    sdk: Anthropic,
    defaultHost: 'api.anthropic.com',
  });
  const client = new Anthropic({
    apiKey: settings.apiKey ?? null,
    ...(settings.baseUrl ? { baseURL: settings.baseUrl } : {}),
    ...clientOptions,
  });

  return {
    specificationVersion: 'v1',
    id: 'anthropic',
    doGenerate(req, opts) {
      const body = toAnthropicRequest(req, request);
      return calls.request(opts.signal, async () =>
        fromAnthropicMessage(await client.messages.create(body, { signal: opts.signal }), req.responseFormat),
      );
    },
    async verify(opts) {
      await calls.verify(opts.signal, () =>
        client.models.retrieve(settings.model, {}, { signal: opts.signal }),
      );
    },
  };
}

export const anthropicProviderFactory: ProviderFactoryV1 = {
  id: 'anthropic',
  requiresApiKey: true,
  create: (settings) => createAnthropicProvider(settings),
};
