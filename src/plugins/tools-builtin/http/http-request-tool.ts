// `http_request`: an HTTP(S) request to a public address, with redirect, size and time limits.
import {
  fetchWithPolicy,
  parseHttpConfig,
  type HttpConfig,
  type PolicyRequest,
  type PolicyResponse,
  type Resolver,
} from '@agent2389/tool-sdk/http';
import type { ToolV1 } from '@agent2389/tool-sdk';
import { describeFromManifest } from '../manifest-tools.js';

export type HttpRequestInput = PolicyRequest;
export type HttpRequestResult = PolicyResponse;

export interface HttpRequestToolOptions {
  /** DNS resolution (tests inject one); default: the system resolver, every address. */
  readonly resolve?: Resolver;
}

export function createHttpRequestTool(
  options: HttpRequestToolOptions = {},
): ToolV1<HttpRequestInput, HttpRequestResult> {
  let config: HttpConfig | undefined;
  return {
    specificationVersion: 'v1',
    describe: () => describeFromManifest('http_request'),
    initialize(raw) {
      config = parseHttpConfig(raw, options.resolve);
    },
    execute(input, ctx) {
      config ??= parseHttpConfig({}, options.resolve); // not initialized: the safe defaults
      return fetchWithPolicy(input, config, ctx.signal, (hop) => ctx.log.debug(hop, 'http_request hop'));
    },
  };
}
