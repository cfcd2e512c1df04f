// A Streamable HTTP client transport for one MCP server under the http_request address policy: loopback,
// private and link-local addresses are refused unless `allow_private_networks` / `allowed_private_cidrs`.
import { parseHttpConfig } from '@agent2389/tool-sdk/http';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { ERR_MCP_START_FAILED, reasonOf } from '../errors.js';
import { policyFetch } from './policy-fetch.js';
import type { McpHttpSpec } from './types.js';

/** The request headers of `spec`, each value taken from the agent's environment; a missing one fails the start. */
export function httpHeaders(
  server: string,
  spec: McpHttpSpec,
  env: NodeJS.ProcessEnv,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of spec.headers) {
    const value = env[h.env];
    if (value === undefined)
      throw new ERR_MCP_START_FAILED({
        server,
        reason: `header ${h.name}: the environment variable ${h.env} is not set`,
      });
    headers[h.name] = value;
  }
  return headers;
}

/** The transport for `spec`; throws AGENT_ERR_MCP_START_FAILED for a bad URL, CIDR or missing header value. */
export function createHttpTransport(
  server: string,
  spec: McpHttpSpec,
  env: NodeJS.ProcessEnv,
): StreamableHTTPClientTransport {
  let fetch;
  let url: URL;
  try {
    url = new URL(spec.url);
    fetch = policyFetch(
      parseHttpConfig({
        allow_private_networks: spec.allowPrivateNetworks,
        allowed_private_cidrs: [...spec.allowedPrivateCidrs],
      }),
    );
  } catch (err) {
    throw new ERR_MCP_START_FAILED({ server, reason: reasonOf(err) }, { cause: err });
  }
  return new StreamableHTTPClientTransport(url, {
    fetch,
    requestInit: { headers: httpHeaders(server, spec, env) },
  });
}
